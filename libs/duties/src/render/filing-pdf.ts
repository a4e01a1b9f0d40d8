import * as fs from 'node:fs';
import { REPORT_FONT_FILES, type FontName } from '@app/reports';
import PDFDocument from 'pdfkit';
import type { FilingDocument } from '../domain/draft-facts';
import { filingContent } from './filing-content';
import { layoutFiling, type FilingLayout } from './filing-layout';

const fontCache = new Map<FontName, Buffer>();

/** Noto Sans JP (libs/reports' font files), read once per process; embedded as a subset of the glyphs used. */
function fontBytes(name: FontName): Buffer {
  let bytes = fontCache.get(name);
  if (!bytes) {
    bytes = fs.readFileSync(require.resolve(REPORT_FONT_FILES[name]));
    fontCache.set(name, bytes);
  }
  return bytes;
}

export interface FilingPdfOptions {
  /** Deflate the content streams (default true; tests turn it off to read the text back). */
  compress?: boolean;
}

/**
 * A filing of the PPC report as a PDF for legal review (A4 portrait): the title with 下書き (a label and a watermark
 * on every page) or 提出済 with when, how, the reference number and the lateness; the reporter, authority, knownAt,
 * due date and rule pack; the nine items; the items' SHA-256 once submitted and page numbers in the footer.
 * Laid out by `layoutFiling` (pure), replayed here with pdfkit and the embedded Noto Sans JP subset.
 * Deterministic: CreationDate and ModDate (and the file identifier pdfkit derives from them) are `generatedAt`.
 */
export async function renderFilingPdf(doc: FilingDocument, options: FilingPdfOptions = {}): Promise<Buffer> {
  const at = new Date(doc.generatedAt);
  const content = filingContent(doc);
  const pdf = new PDFDocument({
    autoFirstPage: false,
    compress: options.compress ?? true,
    lang: 'ja-JP',
    displayTitle: true,
    info: {
      Title: `${content.title} — ${content.statusLabel}`,
      Subject: content.subject,
      Author: doc.reporter,
      Creator: 'remediation-tracker',
      Keywords: `ppc-filing ${doc.filingId}`,
      CreationDate: at,
      ModDate: at,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  try {
    pdf.registerFont('regular', fontBytes('regular'));
    pdf.registerFont('bold', fontBytes('bold'));
    const layout = layoutFiling(doc, (text, font, size) => pdf.font(font).fontSize(size).widthOfString(text));
    draw(pdf, layout);
  } finally {
    pdf.end();
  }
  return done;
}

function draw(pdf: PDFKit.PDFDocument, layout: FilingLayout): void {
  for (const page of layout.pages) {
    pdf.addPage({ size: [layout.width, layout.height], margin: 0 });
    for (const op of page.ops) {
      switch (op.kind) {
        case 'rect':
          pdf.rect(op.x, op.y, op.w, op.h).fill(op.fill);
          break;
        case 'line':
          pdf.moveTo(op.x1, op.y1).lineTo(op.x2, op.y2).lineWidth(op.width).stroke(op.color);
          break;
        case 'text':
          // lineBreak: false: the layout has wrapped already, and pdfkit must not add pages.
          pdf.font(op.font).fontSize(op.size).fillColor(op.color).text(op.text, op.x, op.y, { lineBreak: false });
          break;
        case 'watermark': {
          pdf.font('bold').fontSize(op.size);
          const w = pdf.widthOfString(op.text);
          const cx = layout.width / 2;
          const cy = layout.height / 2;
          pdf.save();
          pdf.rotate(op.angle, { origin: [cx, cy] });
          pdf.fillColor(op.color).text(op.text, cx - w / 2, cy - op.size / 2, { lineBreak: false });
          pdf.restore();
          break;
        }
      }
    }
  }
}
