import { wrapText, type FontName, type LineOp, type Measure, type RectOp, type TextOp } from '@app/reports';
import type { FilingDocument } from '../domain/draft-facts';
import { filingContent } from './filing-content';

/**
 * The filing's PDF layout as a pure function (as libs/reports lays out the status report): the document and a text
 * measurer in, the pages and what is drawn on each out; `renderFilingPdf` only replays the operations with pdfkit.
 * A4 portrait; coordinates in PDF points from the top-left corner; a text's `y` is the top of its line. Long items
 * wrap (Japanese breaks between any two characters, with kinsoku) and flow onto new pages line by line.
 */

/** A large diagonal label across the page (下書き on every page of a draft). */
export interface WatermarkOp {
  kind: 'watermark';
  text: string;
  size: number;
  color: string;
  angle: number;
}
export type FilingDrawOp = TextOp | LineOp | RectOp | WatermarkOp;
export interface FilingLayout {
  width: number;
  height: number;
  pages: { ops: FilingDrawOp[] }[];
}

/** A4 portrait. */
export const FILING_PAGE = { width: 595.28, height: 841.89, margin: 50 } as const;
const FOOTER_HEIGHT = 30;
const BOTTOM = FILING_PAGE.height - FILING_PAGE.margin - FOOTER_HEIGHT;
const CONTENT_WIDTH = FILING_PAGE.width - 2 * FILING_PAGE.margin;
const LINE = 1.6; // line height, as a multiple of the font size
const INK = '#000000';
const MUTED = '#555555';
const RULE = '#999999';
const ALERT = '#b00020';
const DRAFT_FILL = '#fdecea';
const WATERMARK = '#d8d8d8';

class Flow {
  readonly pages: { ops: FilingDrawOp[] }[] = [];
  y: number = FILING_PAGE.margin;

  constructor(
    private readonly measure: Measure,
    private readonly onNewPage: (ops: FilingDrawOp[]) => void,
  ) {
    this.newPage();
  }

  get ops(): FilingDrawOp[] {
    return this.pages[this.pages.length - 1]!.ops;
  }

  newPage(): void {
    const ops: FilingDrawOp[] = [];
    this.pages.push({ ops });
    this.onNewPage(ops);
    this.y = FILING_PAGE.margin;
  }

  ensure(height: number): void {
    if (this.y + height > BOTTOM && this.y > FILING_PAGE.margin) this.newPage();
  }

  text(text: string, x: number, y: number, font: FontName, size: number, color = INK): void {
    if (text !== '') this.ops.push({ kind: 'text', text, x, y, font, size, color });
  }

  paragraph(text: string, x: number, width: number, font: FontName, size: number, color = INK): void {
    const lh = size * LINE;
    for (const line of wrapText(text, width, this.measure, font, size)) {
      this.ensure(lh);
      this.text(line, x, this.y, font, size, color);
      this.y += lh;
    }
  }

  rule(width = 0.5, color = RULE): void {
    const m = FILING_PAGE.margin;
    this.ops.push({ kind: 'line', x1: m, y1: this.y, x2: FILING_PAGE.width - m, y2: this.y, width, color });
  }
}

/** The whole filing laid out: title block, header pairs, the nine items, then a footer on every page. */
export function layoutFiling(doc: FilingDocument, measure: Measure): FilingLayout {
  const c = filingContent(doc);
  const m = FILING_PAGE.margin;
  const watermark = (ops: FilingDrawOp[]) => {
    if (c.draft) ops.push({ kind: 'watermark', text: c.statusLabel, size: 120, color: WATERMARK, angle: -35 });
  };
  const f = new Flow(measure, watermark);

  // Title, and the status as a label beside it (a red box on a draft).
  f.paragraph(c.title, m, CONTENT_WIDTH - 80, 'bold', 15);
  const labelWidth = measure(c.statusLabel, 'bold', 11) + 16;
  const labelX = FILING_PAGE.width - m - labelWidth;
  f.ops.push({ kind: 'rect', x: labelX, y: m - 2, w: labelWidth, h: 22, fill: c.draft ? DRAFT_FILL : '#e8f0e8' });
  f.text(c.statusLabel, labelX + 8, m + 2, 'bold', 11, c.draft ? ALERT : INK);
  f.y += 6;
  f.rule(0.75);
  f.y += 8;

  // Header: label / value pairs.
  const size = 9;
  const lh = size * LINE;
  const labelColumn = 80;
  for (const [label, value] of c.header) {
    const lines = wrapText(value === '' ? '—' : value, CONTENT_WIDTH - labelColumn, measure, 'regular', size);
    lines.forEach((line, n) => {
      f.ensure(lh);
      if (n === 0) f.text(label, m, f.y, 'bold', size, MUTED);
      f.text(line, m + labelColumn, f.y, 'regular', size, label === '期限との関係' && /超過/.test(value) ? ALERT : INK);
      f.y += lh;
    });
  }
  f.y += 4;
  f.rule(0.75);

  // The nine items.
  for (const item of c.items) {
    f.y += 12;
    f.ensure(12 * LINE + 3 * 10 * LINE); // never a heading alone at the foot of a page
    f.paragraph(item.heading, m, CONTENT_WIDTH, 'bold', 11);
    f.y += 2;
    f.paragraph(
      item.text.trim() === '' ? '（未記入）' : item.text,
      m + 12,
      CONTENT_WIDTH - 12,
      'regular',
      10,
      item.text.trim() ? INK : MUTED,
    );
  }

  // Footers, now that the page count is known.
  const total = f.pages.length;
  const footY = FILING_PAGE.height - m - 12;
  f.pages.forEach((page, n) => {
    const num = `${n + 1} / ${total}`;
    page.ops.push({ kind: 'line', x1: m, y1: footY - 6, x2: FILING_PAGE.width - m, y2: footY - 6, width: 0.5, color: RULE });
    page.ops.push({ kind: 'text', text: `${c.title}\u3000${c.statusLabel}`, x: m, y: footY, font: 'regular', size: 7, color: MUTED });
    if (c.digestLine) page.ops.push({ kind: 'text', text: c.digestLine, x: m, y: footY + 10, font: 'regular', size: 6.5, color: MUTED });
    page.ops.push({
      kind: 'text',
      text: num,
      x: FILING_PAGE.width - m - measure(num, 'regular', 8),
      y: footY,
      font: 'regular',
      size: 8,
      color: MUTED,
    });
  });
  return { width: FILING_PAGE.width, height: FILING_PAGE.height, pages: f.pages };
}
