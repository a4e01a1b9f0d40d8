/**
 * Line breaking for the PDF: where a text set in a font at a size breaks to
 * fit a width, for Latin words and for Japanese (kinsoku: no closing
 * punctuation at the start of a line). Pure: the caller measures text.
 */

export type FontName = 'regular' | 'bold';
/** Width in points of `text` set in `font` at `size`. */
export type Measure = (text: string, font: FontName, size: number) => number;

/** Latin runs (break at spaces) stay together; everything else (kana, kanji) breaks anywhere. */
const TOKENS = /[\u0021-\u007e\u00a0-\u024f]+|\s+|[^]/gu;
/** Closing punctuation that must not begin a line (kinsoku): it hangs at the end of the previous one. */
const NO_LINE_START = new Set(['、', '。', '，', '．', '）', '」', '』', '】', '〉', '》', ')', ',', '.', '・', 'ー', '々']);

/**
 * Splits `text` into lines no wider than `width` (explicit newlines kept): Latin
 * words are not broken unless one alone is too wide; Japanese breaks between any
 * two characters, except before closing punctuation, which hangs instead.
 */
export function wrapText(text: string, width: number, measure: Measure, font: FontName, size: number): string[] {
  const cache = new Map<string, number>();
  const w = (s: string) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = measure(s, font, size);
      cache.set(s, v);
    }
    return v;
  };
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    let line = '';
    let lineWidth = 0;
    const push = () => {
      lines.push(line.trimEnd());
      line = '';
      lineWidth = 0;
    };
    for (const token of paragraph.match(TOKENS) ?? []) {
      const blank = /^\s+$/.test(token);
      if (blank && line === '') continue;
      const tw = w(token);
      if (lineWidth + tw <= width || (line !== '' && NO_LINE_START.has(token))) {
        line += token;
        lineWidth += tw;
        continue;
      }
      if (line !== '') push();
      if (blank) continue;
      if (tw <= width) {
        line = token;
        lineWidth = tw;
        continue;
      }
      // A single token wider than the line (a long digest, a URL): break it by characters.
      for (const ch of token) {
        const cw = w(ch);
        if (lineWidth + cw > width && line !== '') push();
        line += ch;
        lineWidth += cw;
      }
    }
    push();
  }
  return lines;
}
