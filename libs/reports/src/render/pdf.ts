import * as fs from 'node:fs';
import PDFDocument from 'pdfkit';
import { REPORT_TITLE_EN, REPORT_TITLE_JA, type StatusReport } from '../domain/status-report';
import { layoutStatusReport, type FontName, type Layout } from './pdf-layout';

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

export interface PdfOptions {
  /** Deflate the content streams (default true; tests turn it off to read the text back). */
  compress?: boolean;
}

/**
 * The report as a PDF (A4 landscape): lays it out (`layoutStatusReport`, pure)
 * measuring text with the embedded font, then replays the drawing operations.
 * Deterministic: the document's CreationDate and ModDate are the report's
 * generation time (so is the file identifier pdfkit derives from them), and the
 * same report gives the same bytes.
 */
export async function renderPdf(report: StatusReport, options: PdfOptions = {}): Promise<Buffer> {
  const at = new Date(report.generatedAt);
  const doc = new PDFDocument({
    autoFirstPage: false,
    compress: options.compress ?? true,
    lang: 'ja-JP',
    displayTitle: true,
    info: {
      Title: REPORT_TITLE_JA,
      Subject: `${REPORT_TITLE_EN} — ${report.incident.title}`,
      Author: report.generatedBy.name,
      Creator: 'remediation-tracker',
      Keywords: 'status-report/v1',
      CreationDate: at,
      ModDate: at,
    },
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
    const layout = layoutStatusReport(report, (text, font, size) => doc.font(font).fontSize(size).widthOfString(text));
    draw(doc, layout);
  } finally {
    doc.end();
  }
  return done;
}

function draw(doc: PDFKit.PDFDocument, layout: Layout): void {
  for (const page of layout.pages) {
    doc.addPage({ size: [layout.width, layout.height], margin: 0 });
    for (const op of page.ops) {
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
  }
}
