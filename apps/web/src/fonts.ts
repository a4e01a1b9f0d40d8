/**
 * The bundled Japanese font (styles.css) is only a fallback, for a machine
 * without a Japanese system font (a bare Linux, a kiosk, the test browser).
 * On such a machine Chromium keeps showing boxes for kanji it first drew before
 * the font arrived, so there the font is loaded before the first render
 * (at most `timeoutMs`), in both of its weights. A machine with a Japanese
 * font downloads nothing.
 */
const BUNDLED = 'Noto Sans JP Bundled';

export async function ensureJapaneseFont(timeoutMs = 3000): Promise<void> {
  if (systemDrawsKanji()) return;
  // Both weights the page uses (400; 700, which also serves 600): a heading first drawn before its weight arrived would keep its boxes.
  const load = (weight: number) => document.fonts.load(`${weight} 16px "${BUNDLED}"`, '漢字かなカナ').catch(() => undefined);
  await Promise.race([Promise.all([load(400), load(700)]), new Promise((r) => setTimeout(r, timeoutMs))]);
}

/** Draws a kanji and a character no font has, in the page's fonts minus the bundled one: the same pixels mean no font has the kanji. */
function systemDrawsKanji(): boolean {
  const stack = getComputedStyle(document.documentElement)
    .getPropertyValue('--font-family')
    .split(',')
    .filter((f) => !f.includes(BUNDLED))
    .join(',');
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 32;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  if (!g || !stack) return true;
  const pixels = (text: string) => {
    g.clearRect(0, 0, 32, 32);
    g.font = `24px ${stack}`;
    g.fillText(text, 0, 26);
    return g.getImageData(0, 0, 32, 32).data.join();
  };
  return pixels('漢') !== pixels('\u{10FFFD}');
}
