import { CASE_TIME_ZONE } from '@app/common';
import * as yauzl from 'yauzl';
import * as yazl from 'yazl';

/**
 * Makes a DOCX package from the `docx` library reproducible: docx stamps docProps/core.xml's dcterms:created and
 * dcterms:modified with the clock and zips every part with the current time, so two renderings of the same filing
 * would differ. This reads the package back and writes the same parts, in the same order, with:
 * - dcterms:created / dcterms:modified set to `at` (UTC, W3CDTF, seconds);
 * - each entry's time set to `at` on the Tokyo wall clock, as a DOS timestamp only (no extended timestamp field,
 *   whose Unix time would depend on the server's time zone);
 * - optionally a font in word/fontTable.xml with alternative names (w:altName), so Word substitutes the fallback
 *   font rather than one of its own choice when the document's font is not installed.
 * Deflate is Node's zlib at its default level: the same parts give the same bytes.
 */
export async function rezipDeterministic(
  docx: Buffer,
  at: string,
  options: { fallbackFont?: { name: string; altName: string } } = {},
): Promise<Buffer> {
  const parts = await readZip(docx);
  const when = new Date(at);
  const w3c = when.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const out = new yazl.ZipFile();
  const mtime = tokyoWallClock(when);
  // [Content_Types].xml first, as Word writes it (some readers sniff the package by its first entry).
  const ordered = [...parts.filter(([n]) => n === '[Content_Types].xml'), ...parts.filter(([n]) => n !== '[Content_Types].xml')];
  for (const [name, data] of ordered) {
    let bytes = data;
    if (name === 'docProps/core.xml') {
      bytes = Buffer.from(
        data
          .toString('utf8')
          .replace(/(<dcterms:created\b[^>]*>)[^<]*(<\/dcterms:created>)/, `$1${w3c}$2`)
          .replace(/(<dcterms:modified\b[^>]*>)[^<]*(<\/dcterms:modified>)/, `$1${w3c}$2`),
        'utf8',
      );
    } else if (name === 'word/fontTable.xml' && options.fallbackFont) {
      bytes = Buffer.from(withFont(data.toString('utf8'), options.fallbackFont), 'utf8');
    }
    out.addBuffer(bytes, name, { mtime, forceDosTimestamp: true, compress: true });
  }
  out.end();
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    out.outputStream.on('data', (c: Buffer) => chunks.push(c));
    out.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    out.outputStream.on('error', reject);
  });
}

const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Adds `<w:font w:name=…><w:altName w:val=…/>…</w:font>` to the font table (charset 80: Shift-JIS, a Japanese font). */
function withFont(fontTable: string, font: { name: string; altName: string }): string {
  const entry =
    `<w:font w:name="${xmlAttr(font.name)}"><w:altName w:val="${xmlAttr(font.altName)}"/>` +
    '<w:charset w:val="80"/><w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>';
  if (fontTable.includes('</w:fonts>')) return fontTable.replace('</w:fonts>', `${entry}</w:fonts>`);
  return fontTable.replace(/<w:fonts\b([^>]*?)\s*\/>/, `<w:fonts$1>${entry}</w:fonts>`);
}

/** A Date whose local fields (what a DOS timestamp records) are the Tokyo wall clock of `at`, whatever the process's zone. */
function tokyoWallClock(at: Date): Date {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: CASE_TIME_ZONE,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at);
  const p = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((x) => x.type === type)?.value ?? 0);
  return new Date(p('year'), p('month') - 1, p('day'), p('hour'), p('minute'), p('second'));
}

/** The package's entries, in order, with their bytes. */
export function readZip(zip: Buffer): Promise<[string, Buffer][]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err ?? new Error('unreadable zip'));
      const entries: [string, Buffer][] = [];
      file.on('error', reject);
      file.on('end', () => resolve(entries));
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`unreadable entry ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push([entry.fileName, Buffer.concat(chunks)]);
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}
