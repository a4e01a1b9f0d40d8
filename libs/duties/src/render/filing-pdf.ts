import { drawOp, renderJapanesePdf } from '@app/reports';
import type { FilingDocument } from '../domain/draft-facts';
import { filingContent } from './filing-content';
import { layoutFiling, type FilingLayout } from './filing-layout';

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
  const info = {
    Title: `${content.title} — ${content.statusLabel}`,
    Subject: content.subject,
    Author: doc.reporter,
    Creator: 'remediation-tracker',
    Keywords: `ppc-filing ${doc.filingId}`,
    CreationDate: at,
    ModDate: at,
  };
  return renderJapanesePdf({ compress: options.compress, info }, (pdf, measure) => draw(pdf, layoutFiling(doc, measure)));
}

function draw(pdf: PDFKit.PDFDocument, layout: FilingLayout): void {
  for (const page of layout.pages) {
    pdf.addPage({ size: [layout.width, layout.height], margin: 0 });
    for (const op of page.ops) {
      if (op.kind !== 'watermark') {
        drawOp(pdf, op);
        continue;
      }
      pdf.font('bold').fontSize(op.size);
      const w = pdf.widthOfString(op.text);
      const cx = layout.width / 2;
      const cy = layout.height / 2;
      pdf.save();
      pdf.rotate(op.angle, { origin: [cx, cy] });
      pdf.fillColor(op.color).text(op.text, cx - w / 2, cy - op.size / 2, { lineBreak: false });
      pdf.restore();
    }
  }
}
