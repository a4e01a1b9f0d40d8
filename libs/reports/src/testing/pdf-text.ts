import { inflateSync } from 'node:zlib';

/**
 * Reads the text back out of a pdfkit PDF (content streams plain or deflated),
 * the way a PDF reader does for copy and search: each font's glyph ids are
 * turned into characters through its embedded ToUnicode CMap. For tests only:
 * it understands pdfkit's own output (objects, Type0 fonts with Identity-H,
 * `Tf` and `TJ`), not PDF in general.
 */
export interface PdfTextPage {
  /** One entry per text run (what one `text` draw operation wrote), in drawing order. */
  runs: string[];
  fonts: string[];
}

export function readPdfText(pdf: Buffer): { pages: PdfTextPage[]; baseFonts: string[] } {
  const s = pdf.toString('latin1');
  const objects = new Map<string, string>();
  for (const m of s.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) objects.set(m[1]!, m[2]!);
  const ref = (body: string, key: string) => new RegExp(`/${key} (\\d+) 0 R`).exec(body)?.[1];
  /** A stream's data (inflated when FlateDecode), by its /Length. */
  const stream = (id: string) => {
    const body = objects.get(id) ?? '';
    const length = Number(/\/Length (\d+)/.exec(body)![1]);
    const start = body.indexOf('stream') + 'stream'.length;
    const data = body
      .slice(start)
      .replace(/^\r?\n/, '')
      .slice(0, length);
    return /\/Filter \/FlateDecode/.test(body.slice(0, start)) ? inflateSync(Buffer.from(data, 'latin1')).toString('latin1') : data;
  };
  const utf16 = (hex: string) => {
    let out = '';
    for (let i = 0; i < hex.length; i += 4) out += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
    return out;
  };

  const cmaps = new Map<string, Map<number, string>>();
  const cmapOf = (fontId: string) => {
    let map = cmaps.get(fontId);
    if (map) return map;
    map = new Map();
    const text = stream(ref(objects.get(fontId)!, 'ToUnicode')!);
    for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
      for (const m of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\[[^\]]*\]|<[0-9a-f]+>)/gi)) {
        const lo = parseInt(m[1]!, 16);
        const hi = parseInt(m[2]!, 16);
        if (m[3]!.startsWith('[')) {
          // pdfkit writes a ligature's characters in one entry, space-separated: <0066 0069>.
          [...m[3]!.matchAll(/<([0-9a-f\s]+)>/gi)].forEach((u, n) => map!.set(lo + n, utf16(u[1]!.replace(/\s+/g, ''))));
        } else {
          const first = parseInt(m[3]!.slice(1, -1), 16);
          for (let c = lo; c <= hi; c++) map.set(c, String.fromCharCode(first + c - lo));
        }
      }
    }
    for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
      for (const m of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>/gi)) map.set(parseInt(m[1]!, 16), utf16(m[2]!));
    }
    cmaps.set(fontId, map);
    return map;
  };

  const root = [...objects.values()].find((b) => /\/Type \/Pages/.test(b))!;
  const kids = [.../\/Kids \[([^\]]*)\]/.exec(root)![1]!.matchAll(/(\d+) 0 R/g)].map((m) => m[1]!);
  const pages = kids.map((pageId): PdfTextPage => {
    const page = objects.get(pageId)!;
    const resources = objects.get(ref(page, 'Resources')!)!;
    const fontDict = /\/Font <<([\s\S]*?)>>/.exec(resources)?.[1] ?? '';
    const fonts = new Map([...fontDict.matchAll(/\/(\w+) (\d+) 0 R/g)].map((m) => [m[1]!, m[2]!]));
    const runs: string[] = [];
    let current = '';
    for (const op of stream(ref(page, 'Contents')!).matchAll(/\/(\w+) [\d.]+ Tf|\[((?:<[0-9a-f]*>|[\s\d.-])*)\] TJ/gi)) {
      if (op[1]) {
        current = fonts.get(op[1])!;
        continue;
      }
      const map = cmapOf(current);
      const glyphs = [...op[2]!.matchAll(/<([0-9a-f]*)>/gi)].map((h) => h[1]!).join('');
      let run = '';
      for (let i = 0; i < glyphs.length; i += 4) run += map.get(parseInt(glyphs.slice(i, i + 4), 16)) ?? '\uFFFD';
      runs.push(run);
    }
    const baseFonts = [...fonts.values()].map((id) => /\/BaseFont \/(\S+)/.exec(objects.get(id)!)![1]!);
    return { runs, fonts: baseFonts };
  });
  const baseFonts = [
    ...new Set([...objects.values()].flatMap((b) => (/\/Type \/Font\b/.test(b) ? [/\/BaseFont \/(\S+)/.exec(b)?.[1] ?? ''] : []))),
  ];
  return { pages, baseFonts };
}
