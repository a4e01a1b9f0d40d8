// The page's Japanese font, made at build time (`npm run build:web` runs this
// before vite): Noto Sans JP (SIL OFL 1.1, from @expo-google-fonts/noto-sans-jp)
// in the two weights the page uses (400; 700, which also serves its 600),
// subset to what the page can show, as WOFF2, with an @font-face rule per
// weight whose unicode-range names the blocks the subset covers.
//
// What the subset holds:
// - the page's own words: every character of apps/web/src and index.html;
// - ASCII, Latin-1, general punctuation, arrows, box drawing, CJK symbols and
//   punctuation, hiragana, katakana, half- and full-width forms;
// - JIS X 0208 in full (its 6,355 kanji of levels 1 and 2, with its symbols,
//   Greek and Cyrillic), plus the Jōyō kanji that JIS X 0208 lacks, so that
//   the names and titles people type render in the font.
// A character outside the subset still shows: the browser takes it from the
// next font of the stack (the system's), character by character.
//
// Writes apps/web/src/fonts/generated/ (not committed): fonts.css (imported by
// styles.css) and one .woff2 per weight. A stamp of the inputs skips the work
// when nothing changed (a build after a build takes no time here).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import subsetFont from 'subset-font';

const require = createRequire(import.meta.url);
const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(WEB, 'src/fonts/generated');
const FAMILY = 'Noto Sans JP Bundled';
const WEIGHTS = [
  { weight: 400, file: '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf', local: 'NotoSansJP-Regular' },
  { weight: 700, file: '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf', local: 'NotoSansJP-Bold' },
];
/** OpenType features a horizontal page of Japanese and Latin needs; the rest (vertical forms, jp78/jp90 variants, ruby...) would pull thousands of glyphs in. */
const FEATURES = ['ccmp', 'locl', 'kern', 'liga', 'calt', 'palt', 'mark', 'mkmk'];

/** Every character in the files under `dir` with one of `exts`. */
function charactersOf(dir, exts) {
  const chars = new Set();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (p !== OUT) for (const c of charactersOf(p, exts)) chars.add(c);
    } else if (exts.some((e) => entry.name.endsWith(e))) {
      for (const c of fs.readFileSync(p, 'utf8')) chars.add(c);
    }
  }
  return chars;
}

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

/** JIS X 0208 (rows 1–84: symbols, kana, Greek, Cyrillic, box drawing, kanji levels 1 and 2), read through EUC-JP. */
function jisX0208() {
  const decoder = new TextDecoder('euc-jp', { fatal: true });
  const chars = [];
  for (let row = 0xa1; row <= 0xf4; row++) {
    for (let cell = 0xa1; cell <= 0xfe; cell++) {
      try {
        const c = decoder.decode(new Uint8Array([row, cell]));
        if (c && c !== '\ufffd') chars.push(c);
      } catch {
        // an unassigned cell
      }
    }
  }
  return chars;
}

/** The Jōyō kanji of 2010 that JIS X 0208 lacks (they are in JIS X 0213). */
const JOYO_OUTSIDE_JIS_X_0208 = ['𠮟', '塡', '剝', '頰'];

function textToCover() {
  const chars = new Set([
    ...range(0x20, 0x7e),
    ...range(0xa0, 0xff),
    ...range(0x2010, 0x2027),
    ...range(0x2030, 0x205e),
    ...range(0x2190, 0x21ff),
    ...range(0x2500, 0x257f),
    ...range(0x25a0, 0x25ff),
    ...range(0x3000, 0x303f),
    ...range(0x3040, 0x309f),
    ...range(0x30a0, 0x30ff),
    ...range(0xff01, 0xffef),
    ...jisX0208(),
    ...JOYO_OUTSIDE_JIS_X_0208,
    ...charactersOf(path.join(WEB, 'src'), ['.ts', '.tsx', '.css']),
    ...charactersOf(WEB, ['index.html']),
  ]);
  for (const c of chars) if (/[\p{Cc}]/u.test(c)) chars.delete(c);
  return [...chars].sort((a, b) => a.codePointAt(0) - b.codePointAt(0)).join('');
}

/** The code points as CSS unicode-range spans, neighbours closer than `gap` merged (a short rule; a merged code point the font lacks still falls back). */
function unicodeRange(text, gap = 64) {
  const cps = [...text].map((c) => c.codePointAt(0));
  const spans = [];
  for (const cp of cps) {
    const last = spans.at(-1);
    if (last && cp - last[1] <= gap) last[1] = cp;
    else spans.push([cp, cp]);
  }
  const hex = (n) => n.toString(16).toUpperCase();
  return spans.map(([a, b]) => (a === b ? `U+${hex(a)}` : `U+${hex(a)}-${hex(b)}`)).join(', ');
}

async function main() {
  const text = textToCover();
  const sources = WEIGHTS.map((w) => ({ ...w, path: require.resolve(w.file) }));
  const stamp = createHash('sha256')
    .update(fs.readFileSync(fileURLToPath(import.meta.url)))
    .update(text)
    .update(sources.map((s) => `${s.path}:${fs.statSync(s.path).size}`).join('\n'))
    .digest('hex');
  const stampFile = path.join(OUT, 'stamp');
  const outputs = [path.join(OUT, 'fonts.css'), ...sources.map((s) => path.join(OUT, fontFile(s.weight)))];
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp && outputs.every((p) => fs.existsSync(p))) {
    process.stdout.write('page fonts: up to date\n');
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });
  const ranges = unicodeRange(text);
  const rules = [];
  for (const s of sources) {
    const started = Date.now();
    const source = fs.readFileSync(s.path);
    const woff2 = await subsetFont(source, text, { targetFormat: 'woff2', keepFeatures: FEATURES, noHinting: true });
    fs.writeFileSync(path.join(OUT, fontFile(s.weight)), woff2);
    process.stdout.write(
      `page fonts: ${path.basename(s.path)} ${kb(source.length)} → ${fontFile(s.weight)} ${kb(woff2.length)} (${[...text].length} characters, ${Date.now() - started} ms)\n`,
    );
    rules.push(
      [
        '@font-face {',
        `  font-family: '${FAMILY}';`,
        `  src: local('${s.local}'), url('./${fontFile(s.weight)}') format('woff2');`,
        `  font-weight: ${s.weight};`,
        '  font-style: normal;',
        '  font-display: swap;',
        `  unicode-range: ${ranges};`,
        '}',
      ].join('\n'),
    );
  }
  const header = `/* Generated by apps/web/scripts/subset-fonts.mjs (npm run build:web): Noto Sans JP, SIL Open Font License 1.1. Do not edit. */\n`;
  fs.writeFileSync(path.join(OUT, 'fonts.css'), header + rules.join('\n\n') + '\n');
  fs.writeFileSync(stampFile, stamp);
}

function fontFile(weight) {
  return `noto-sans-jp-${weight}.woff2`;
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

await main();
