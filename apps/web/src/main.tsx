import './styles.css';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { ensureJapaneseFont } from './fonts';

void ensureJapaneseFont().finally(() => createRoot(document.getElementById('root')!).render(<App />));
