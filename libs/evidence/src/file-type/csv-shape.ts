/**
 * Decides, chunk by chunk, whether a text has the shape of a CSV table
 * (RFC 4180, comma-separated): at least two records, every record with the
 * same number of commas outside double quotes (at least one, so at least two
 * columns), quotes balanced. Blank lines are ignored; a quoted field may hold
 * commas, quotes (doubled) and line breaks. A one-column list or prose with a
 * stray comma is a plain text.
 */
export class CsvShapeCheck {
  private inQuotes = false;
  /** The last character closed a quoted field (a following `"` is an escaped quote). */
  private quoteJustClosed = false;
  private atFieldStart = true;
  private commas = 0;
  private recordHasContent = false;
  private columnsCommas: number | null = null;
  private records = 0;
  private broken = false;
  private lastWasCR = false;

  get possible(): boolean {
    return !this.broken;
  }

  write(text: string): void {
    for (let i = 0; i < text.length && !this.broken; i++) this.step(text[i]!);
  }

  end(): boolean {
    if (this.broken || this.inQuotes) return false;
    this.endRecord();
    return !this.broken && this.records >= 2 && (this.columnsCommas ?? 0) >= 1;
  }

  private step(c: string): void {
    const afterCR = this.lastWasCR;
    this.lastWasCR = c === '\r';
    if (this.inQuotes) {
      if (c === '"') {
        this.inQuotes = false;
        this.quoteJustClosed = true;
      }
      return;
    }
    if (c === '"') {
      if (this.quoteJustClosed) {
        // "" inside a quoted field: an escaped quote, the field goes on.
        this.inQuotes = true;
        this.quoteJustClosed = false;
      } else if (this.atFieldStart) {
        this.inQuotes = true;
        this.atFieldStart = false;
        this.recordHasContent = true;
      }
      // a quote in the middle of an unquoted field is taken literally
      return;
    }
    this.quoteJustClosed = false;
    if (c === '\n') {
      if (!afterCR) this.endRecord();
      return;
    }
    if (c === '\r') {
      this.endRecord();
      return;
    }
    if (c === ',') {
      this.commas++;
      this.recordHasContent = true;
      this.atFieldStart = true;
      return;
    }
    this.atFieldStart = false;
    if (c !== ' ' && c !== '\t') this.recordHasContent = true;
  }

  private endRecord(): void {
    if (this.recordHasContent) {
      if (this.columnsCommas === null) this.columnsCommas = this.commas;
      else if (this.columnsCommas !== this.commas) this.broken = true;
      this.records++;
    }
    this.commas = 0;
    this.recordHasContent = false;
    this.atFieldStart = true;
    this.quoteJustClosed = false;
  }
}
