import * as fs from 'node:fs';
import PDFDocument from 'pdfkit';
import type { DrawOp, FontName, Measure } from './pdf-layout';

/**
 * The Japanese font: Noto Sans JP (SIL Open Font License) from the npm package
 * `@expo-google-fonts/noto-sans-jp`, embedded as a subset (only the glyphs
 * used), so the PDF shows the Japanese on any reader without installed fonts.
 */
export const REPORT_FONT_FILES: Readonly<Record<FontName, string>> = {
  regular: '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
};

const fontCache = new Map<FontName, Buffer>();

/** The font's bytes, read once per process (5 MB each). */
function fontBytes(name: FontName): Buffer {
  let bytes = fontCache.get(name);
  if (!bytes) {
    bytes = fs.readFileSync(require.resolve(REPORT_FONT_FILES[name]));
    fontCache.set(name, bytes);
  }
  return bytes;
}

export interface PdfDocumentOptions {
  /** Deflate the content streams (default true; tests turn it off to read the text back). */
  compress?: boolean;
  /** The document's metadata; its CreationDate and ModDate make the output deterministic. */
  info: PDFKit.DocumentInfo;
}

/**
 * A PDF with the Japanese fonts registered (as 'regular' and 'bold'): `paint` lays out with `measure` (the embedded
 * font's widths) and draws; the bytes when pdfkit is done. Shared by the status report and the PPC filing.
 */
export function renderJapanesePdf(
  options: PdfDocumentOptions,
  paint: (doc: PDFKit.PDFDocument, measure: Measure) => void,
): Promise<Buffer> {
  const doc = new PDFDocument({
    autoFirstPage: false,
    compress: options.compress ?? true,
    lang: 'ja-JP',
    displayTitle: true,
    info: options.info,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  try {
    doc.registerFont('regular', fontBytes('regular'));
    doc.registerFont('bold', fontBytes('bold'));
    paint(doc, (text, font, size) => doc.font(font).fontSize(size).widthOfString(text));
  } finally {
    doc.end();
  }
  return done;
}

/** Draws one of the common operations (rect, line, text laid out already). */
export function drawOp(doc: PDFKit.PDFDocument, op: DrawOp): void {
  switch (op.kind) {
    case 'rect':
      doc.rect(op.x, op.y, op.w, op.h).fill(op.fill);
      break;
    case 'line':
      doc.moveTo(op.x1, op.y1).lineTo(op.x2, op.y2).lineWidth(op.width).stroke(op.color);
      break;
    case 'text':
      // lineBreak: false: the layout has wrapped already, and pdfkit must not add pages.
      doc.font(op.font).fontSize(op.size).fillColor(op.color).text(op.text, op.x, op.y, { lineBreak: false });
      break;
  }
}
