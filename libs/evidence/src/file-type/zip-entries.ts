/** Reads `length` bytes at `position` of the file being examined. */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_ENTRY_SIGNATURE = 0x02014b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
/** An Office document's central directory is a few KiB; refuse absurd ones rather than read them. */
const MAX_CENTRAL_DIRECTORY = 8 * 1024 * 1024;
const MAX_ENTRIES = 65_535;

/**
 * The entry names of a ZIP archive, read from its central directory (the end
 * of the file; nothing is decompressed). Returns null when the bytes are not a
 * well-formed ZIP (no end record, a directory outside the file, a broken
 * entry) or need ZIP64 (never the case for an Office document under 4 GiB).
 */
export async function zipEntryNames(sizeBytes: number, readAt: ReadAt): Promise<string[] | null> {
  if (sizeBytes < EOCD_MIN) return null;
  const tailLength = Math.min(sizeBytes, EOCD_MIN + MAX_COMMENT);
  const tailStart = sizeBytes - tailLength;
  const tail = await readAt(tailStart, tailLength);
  let eocd = -1;
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + EOCD_MIN + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) return null; // ZIP64
  if (entries > MAX_ENTRIES || cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > tailStart + eocd) return null;
  const cd = await readAt(cdOffset, cdSize);
  if (cd.length !== cdSize) return null;
  const names: string[] = [];
  let p = 0;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_ENTRY_SIGNATURE) return null;
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > cd.length) return null;
    names.push(cd.subarray(p + 46, p + 46 + nameLength).toString('utf8'));
    p = end;
  }
  return names;
}

export const OOXML = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

/**
 * What a ZIP container is, from its entry names: an XLSX workbook
 * (`[Content_Types].xml` and `xl/workbook.xml`), a DOCX document
 * (`[Content_Types].xml` and `word/document.xml`), or something else that is
 * never allowed: macro-enabled workbooks and documents (`vbaProject.bin`),
 * presentations, or a plain ZIP (`application/zip`).
 */
export function classifyZip(names: readonly string[] | null): string {
  if (!names) return 'application/zip';
  const has = new Set(names);
  if (!has.has('[Content_Types].xml')) return 'application/zip';
  const isSheet = has.has('xl/workbook.xml');
  const isDoc = has.has('word/document.xml');
  if (isSheet && isDoc) return 'application/zip'; // ambiguous: not an Office document we know
  if (isSheet) return has.has('xl/vbaProject.bin') ? 'application/vnd.ms-excel.sheet.macroEnabled.12' : OOXML.xlsx;
  if (isDoc) return has.has('word/vbaProject.bin') ? 'application/vnd.ms-word.document.macroEnabled.12' : OOXML.docx;
  if (has.has('ppt/presentation.xml')) return 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
  return 'application/zip';
}
