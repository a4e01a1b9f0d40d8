import { EVIDENCE_MEDIA_TYPES } from '@app/common';
import { CsvShapeCheck } from './csv-shape';
import { JsonSyntaxCheck } from './json-syntax';
import { MARKUP_PREFIX_CHARS, markupTypeOf } from './markup-sniff';
import { classifyZip, OOXML, zipEntryNames, type ReadAt } from './zip-entries';

/**
 * What a file is, decided from its bytes alone (never its name or declared
 * type), while it streams past:
 *
 * - `%PDF-` → application/pdf; `89 PNG \r\n 1A \n` → image/png; `FF D8 FF` → image/jpeg;
 * - `PK 03 04` → a ZIP container, told apart at the end by its entries
 *   (see `classifyZip`): XLSX, DOCX, or a refused `application/zip` / macro / other Office file;
 * - executables are named and refused at once: `MZ` (Windows), `7F ELF`, Mach-O;
 *   a text beginning with `#!` is a script; a text a browser would take for markup is refused
 *   (`markupTypeOf`: after a BOM and whitespace an HTML / SVG / XML tag or a comment, or
 *   `<script`, `<iframe`, `<svg`, `<html`, `<!doctype` anywhere in its first characters);
 * - anything else must be valid UTF-8 (a BOM is allowed) with no control
 *   character but tab, CR and LF; then it is
 *   application/json if it is one JSON object or array,
 *   text/csv if it has the shape of a comma-separated table (`CsvShapeCheck`),
 *   text/plain otherwise. Bytes that are none of these are `application/octet-stream`.
 *
 * `candidates` narrows as bytes arrive, so a caller can stop an upload as soon
 * as no allowed type remains possible.
 */
export class MediaTypeSniffer {
  private head: Buffer = Buffer.alloc(0);
  private family: 'undecided' | 'fixed' | 'zip' | 'text' | 'refused' = 'undecided';
  private fixed = '';
  private text: TextAnalysis | null = null;

  /** The types these bytes may still turn out to be (empty: refused; see `refusedAs`). */
  get candidates(): readonly string[] {
    switch (this.family) {
      case 'undecided':
        return ALL_TYPES;
      case 'fixed':
        return [this.fixed];
      case 'zip':
        return [OOXML.xlsx, OOXML.docx];
      case 'text':
        return this.text!.candidates();
      case 'refused':
        return [];
    }
  }

  /** When no allowed candidate remains: what the bytes were taken for (e.g. application/x-msdownload). */
  get refusedAs(): string {
    switch (this.family) {
      case 'refused':
      case 'fixed':
        return this.fixed;
      case 'zip':
        return 'application/zip';
      case 'text':
        // Refused text, or the least specific text type it can still be (always text/plain).
        return this.text!.refusedAs ?? this.text!.candidates().at(-1)!;
      case 'undecided':
        return 'application/octet-stream';
    }
  }

  update(chunk: Buffer): void {
    if (this.family === 'undecided') {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length >= SIGNATURE_BYTES) this.decideFamily();
      return;
    }
    if (this.family === 'text') this.text!.update(chunk);
  }

  /**
   * The type of the whole file. `readAt` reads the stored bytes back (used for
   * a ZIP container's central directory).
   */
  async finish(sizeBytes: number, readAt: ReadAt): Promise<string> {
    if (this.family === 'undecided') this.decideFamily();
    switch (this.family) {
      case 'fixed':
      case 'refused':
        return this.fixed;
      case 'zip':
        return classifyZip(await zipEntryNames(sizeBytes, readAt));
      case 'text':
        return this.text!.finish();
      case 'undecided':
        throw new Error('unreachable');
    }
  }

  private decideFamily(): void {
    const head = this.head;
    const signature = SIGNATURES.find((s) => startsWith(head, s.bytes));
    if (signature) {
      this.family = signature.type === 'zip' ? 'zip' : signature.refused ? 'refused' : 'fixed';
      this.fixed = signature.type;
    } else {
      this.family = 'text';
      this.text = new TextAnalysis();
      this.text.update(head);
    }
    this.head = Buffer.alloc(0);
  }
}

const SIGNATURE_BYTES = 8;

const SIGNATURES: { bytes: number[]; type: string; refused?: true }[] = [
  { bytes: [...Buffer.from('%PDF-')], type: 'application/pdf' },
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], type: 'image/png' },
  { bytes: [0xff, 0xd8, 0xff], type: 'image/jpeg' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], type: 'zip' },
  { bytes: [0x4d, 0x5a], type: 'application/x-msdownload', refused: true },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], type: 'application/x-executable', refused: true },
  { bytes: [0xfe, 0xed, 0xfa, 0xce], type: 'application/x-mach-binary', refused: true },
  { bytes: [0xfe, 0xed, 0xfa, 0xcf], type: 'application/x-mach-binary', refused: true },
  { bytes: [0xce, 0xfa, 0xed, 0xfe], type: 'application/x-mach-binary', refused: true },
  { bytes: [0xcf, 0xfa, 0xed, 0xfe], type: 'application/x-mach-binary', refused: true },
  { bytes: [0xca, 0xfe, 0xba, 0xbe], type: 'application/x-mach-binary', refused: true },
  { bytes: [0x50, 0x4b, 0x05, 0x06], type: 'application/zip', refused: true }, // an empty ZIP
  { bytes: [0x1f, 0x8b], type: 'application/gzip', refused: true },
  { bytes: [0x23, 0x21], type: 'text/x-script', refused: true }, // #!
  { bytes: [0xef, 0xbb, 0xbf, 0x23, 0x21], type: 'text/x-script', refused: true },
];

/** Every type an evidence file may have (the configuration chooses among them). */
const ALL_TYPES: readonly string[] = EVIDENCE_MEDIA_TYPES;

function startsWith(buf: Buffer, bytes: number[]): boolean {
  return buf.length >= bytes.length && bytes.every((b, i) => buf[i] === b);
}

/** The text side of the sniffer: UTF-8 validity, control bytes, then JSON / CSV / plain. */
class TextAnalysis {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly json = new JsonSyntaxCheck();
  private readonly csv = new CsvShapeCheck();
  private probe = '';
  private probed = false;
  refusedAs: string | null = null;

  candidates(): string[] {
    if (this.refusedAs) return [];
    const out: string[] = [];
    if (this.json.valid) out.push('application/json');
    if (this.csv.possible) out.push('text/csv');
    out.push('text/plain');
    return out;
  }

  update(chunk: Buffer): void {
    if (this.refusedAs) return;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
        this.refusedAs = 'application/octet-stream';
        return;
      }
    }
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      this.refusedAs = 'application/octet-stream';
      return;
    }
    this.feed(text);
  }

  finish(): string {
    if (!this.refusedAs) {
      try {
        this.feed(this.decoder.decode());
      } catch {
        this.refusedAs = 'application/octet-stream'; // cut in the middle of a character
      }
    }
    if (!this.refusedAs && !this.probed) this.checkMarkup();
    if (this.refusedAs) return this.refusedAs;
    if (this.json.end()) return 'application/json';
    if (this.csv.end()) return 'text/csv';
    return 'text/plain';
  }

  private feed(text: string): void {
    if (!this.probed) {
      this.probe += text;
      if (this.probe.length >= MARKUP_PREFIX_CHARS) this.checkMarkup();
    }
    if (this.json.valid) this.json.write(text);
    if (this.csv.possible) this.csv.write(text);
  }

  private checkMarkup(): void {
    this.probed = true;
    const markup = markupTypeOf(this.probe);
    this.probe = '';
    if (markup) this.refusedAs = markup;
  }
}

/** The type of bytes held in memory, fed in chunks of `chunkSize` (as a stream would). */
export async function sniffBytes(bytes: Buffer, chunkSize = 64 * 1024): Promise<string> {
  const sniffer = new MediaTypeSniffer();
  for (let i = 0; i < bytes.length; i += chunkSize) sniffer.update(bytes.subarray(i, i + chunkSize));
  return sniffer.finish(bytes.length, async (position, length) => bytes.subarray(position, position + length));
}
