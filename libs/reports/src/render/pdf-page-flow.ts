import { wrapText, type FontName, type Measure } from './pdf-text-wrap';

/**
 * The PDF's pages as data: what is drawn (text at a position, lines, filled
 * boxes) on which page, and the Flow that fills pages top to bottom — text,
 * wrapped paragraphs, headings, label/value pairs and tables whose header
 * repeats on every page they run on — starting a new page where the next
 * thing would not fit. Pure; pdf-layout.ts lays out the report with it.
 *
 * Coordinates are PDF points from the top-left corner of an A4 landscape page;
 * a text's `y` is the top of its line.
 */

export interface TextOp {
  kind: 'text';
  text: string;
  x: number;
  y: number;
  font: FontName;
  size: number;
  color: string;
}
export interface LineOp {
  kind: 'line';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  width: number;
  color: string;
}
export interface RectOp {
  kind: 'rect';
  x: number;
  y: number;
  w: number;
  h: number;
  fill: string;
}
export type DrawOp = TextOp | LineOp | RectOp;

export interface LayoutPage {
  ops: DrawOp[];
}
export interface Layout {
  width: number;
  height: number;
  pages: LayoutPage[];
}

/** A4 landscape. */
export const PAGE = { width: 841.89, height: 595.28, margin: 36 } as const;
const FOOTER_HEIGHT = 20;
export const BOTTOM = PAGE.height - PAGE.margin - FOOTER_HEIGHT;
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
export const LINE = 1.45; // line height, as a multiple of the font size

export const INK = '#000000';
export const MUTED = '#555555';
export const ALERT = '#b00020';
export const RULE = '#999999';
const HEADER_FILL = '#e6e6e6';

export interface TableColumn {
  header: string;
  width: number;
}

/** Fills pages top to bottom, starting a new page where the next thing would not fit. */
export class Flow {
  readonly pages: LayoutPage[] = [];
  y = PAGE.margin;
  /** Drawn again at the top of every new page while a table runs on. */
  repeatHeader: (() => void) | null = null;

  constructor(private readonly measure: Measure) {
    this.newPage();
  }

  get ops(): DrawOp[] {
    return this.pages[this.pages.length - 1]!.ops;
  }

  newPage(): void {
    this.pages.push({ ops: [] });
    this.y = PAGE.margin;
    this.repeatHeader?.();
  }

  /** Starts a new page unless `height` more points fit on this one. */
  ensure(height: number): void {
    if (this.y + height > BOTTOM && this.y > PAGE.margin) this.newPage();
  }

  text(text: string, x: number, y: number, font: FontName, size: number, color = INK): void {
    if (text !== '') this.ops.push({ kind: 'text', text, x, y, font, size, color });
  }

  wrap(text: string, width: number, font: FontName, size: number): string[] {
    return wrapText(text, width, this.measure, font, size);
  }

  /** A wrapped paragraph at the flow's position, breaking pages between lines. */
  paragraph(text: string, x: number, width: number, font: FontName, size: number, color = INK): void {
    const lh = size * LINE;
    for (const line of this.wrap(text, width, font, size)) {
      this.ensure(lh);
      this.text(line, x, this.y, font, size, color);
      this.y += lh;
    }
  }

  heading(text: string): void {
    this.y += 8;
    this.ensure(13 * LINE + 40); // never a heading alone at the foot of a page
    this.text(text, PAGE.margin, this.y, 'bold', 13);
    this.y += 13 * LINE + 1;
    this.ops.push({ kind: 'line', x1: PAGE.margin, y1: this.y, x2: PAGE.width - PAGE.margin, y2: this.y, width: 0.75, color: RULE });
    this.y += 5;
  }

  /** Label / value pairs: the label in a fixed column, the value wrapped beside it. */
  pairs(items: readonly [string, string][], labelWidth = 190, size = 9): void {
    const lh = size * LINE;
    for (const [label, value] of items) {
      const labelLines = this.wrap(label, labelWidth - 8, 'bold', size);
      const valueLines = this.wrap(value === '' ? '—' : value, CONTENT_WIDTH - labelWidth, 'regular', size);
      const rows = Math.max(labelLines.length, valueLines.length);
      if (rows * lh <= BOTTOM - PAGE.margin) this.ensure(rows * lh);
      for (let r = 0; r < rows; r++) {
        this.ensure(lh);
        this.text(labelLines[r] ?? '', PAGE.margin, this.y, 'bold', size, MUTED);
        this.text(valueLines[r] ?? '', PAGE.margin + labelWidth, this.y, 'regular', size);
        this.y += lh;
      }
      this.y += 2;
    }
  }

  /**
   * A table: a shaded header row, repeated at the top of each page the table
   * continues on; rows are never split (a row taller than a page is cut at the
   * page's foot, which a 200-character title at 8 pt is far from).
   */
  table(columns: readonly TableColumn[], rows: readonly { cells: string[]; color?: string[] }[], size = 8): void {
    const lh = size * LINE;
    const pad = 3;
    const x0 = PAGE.margin;
    const lay = (cells: readonly string[], font: FontName) => cells.map((c, i) => this.wrap(c, columns[i]!.width - 2 * pad, font, size));
    const headerLines = lay(
      columns.map((c) => c.header),
      'bold',
    );
    const headerHeight = Math.max(...headerLines.map((l) => l.length)) * lh + 2 * pad;
    const drawHeader = () => {
      this.ops.push({ kind: 'rect', x: x0, y: this.y, w: CONTENT_WIDTH, h: headerHeight, fill: HEADER_FILL });
      let x = x0;
      headerLines.forEach((lines, i) => {
        lines.forEach((line, n) => this.text(line, x + pad, this.y + pad + n * lh, 'bold', size));
        x += columns[i]!.width;
      });
      this.y += headerHeight;
      this.rule(0.75);
    };
    this.ensure(headerHeight + lh + 2 * pad);
    drawHeader();
    this.repeatHeader = drawHeader;
    try {
      for (const row of rows) {
        const cellLines = lay(row.cells, 'regular');
        const maxRows = Math.floor((BOTTOM - PAGE.margin - headerHeight - 2 * pad) / lh);
        const height = Math.min(Math.max(...cellLines.map((l) => l.length), 1), maxRows) * lh + 2 * pad;
        this.ensure(height);
        let x = x0;
        cellLines.forEach((lines, i) => {
          lines
            .slice(0, maxRows)
            .forEach((line, n) => this.text(line, x + pad, this.y + pad + n * lh, 'regular', size, row.color?.[i] ?? INK));
          x += columns[i]!.width;
        });
        this.y += height;
        this.rule(0.25);
      }
    } finally {
      this.repeatHeader = null;
    }
  }

  rule(width: number): void {
    this.ops.push({ kind: 'line', x1: PAGE.margin, y1: this.y, x2: PAGE.width - PAGE.margin, y2: this.y, width, color: RULE });
  }
}
