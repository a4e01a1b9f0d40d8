import { useEffect, useMemo, useState } from 'react';
import type { Lang } from '../i18n';
import { useI18n } from '../i18n-context';
import { DUTIES_CHANGED_EVENT } from '../duties-queries';
import { dutiesTranslator, type DutiesTranslate } from '../duties-words';

/** The duties' translator in the page's current language (follows the language switch). */
export function useDutiesWords(): { lang: Lang; dt: DutiesTranslate } {
  const { lang } = useI18n();
  return useMemo(() => ({ lang, dt: dutiesTranslator(lang) }), [lang]);
}

/** How many changes the duties section has announced (DUTIES_CHANGED_EVENT) since the page opened. */
export function useDutiesChanges(): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const bump = () => setN((x) => x + 1);
    window.addEventListener(DUTIES_CHANGED_EVENT, bump);
    return () => window.removeEventListener(DUTIES_CHANGED_EVENT, bump);
  }, []);
  return n;
}

/** Tells the banner (and anything else listening) that the duties changed. */
export function announceDutiesChanged(): void {
  window.dispatchEvent(new Event(DUTIES_CHANGED_EVENT));
}
