import { REPORT_TITLE_EN, REPORT_TITLE_JA, type StatusReport } from '../domain/status-report';
import { drawOp, renderJapanesePdf } from './pdf-document';
import { layoutStatusReport } from './pdf-layout';

export { REPORT_FONT_FILES } from './pdf-document';

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
  const info = {
    Title: REPORT_TITLE_JA,
    Subject: `${REPORT_TITLE_EN} — ${report.incident.title}`,
    Author: report.generatedBy.name,
    Creator: 'remediation-tracker',
    Keywords: 'status-report/v1',
    CreationDate: at,
    ModDate: at,
  };
  return renderJapanesePdf({ compress: options.compress, info }, (doc, measure) => {
    const layout = layoutStatusReport(report, measure);
    for (const page of layout.pages) {
      doc.addPage({ size: [layout.width, layout.height], margin: 0 });
      for (const op of page.ops) drawOp(doc, op);
    }
  });
}
