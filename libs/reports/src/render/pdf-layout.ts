import { CASE_TIME_ZONE, todayIn } from '@app/common';
import {
  CATEGORY_LABEL_JA,
  ENGAGEMENT_STATUS_LABEL_JA,
  GATE_STATE_LABEL_JA,
  humanLocal,
  labelled,
  localIso,
  REPORT_TITLE_EN,
  REPORT_TITLE_JA,
  STATUS_LABEL_JA,
  type StatusReport,
} from '../domain/status-report';

/**
 * The PDF's layout as a pure function: the report and a text measurer in, the
 * pages and what is drawn on each (text at a position, lines, filled boxes)
 * out. `renderPdf` only replays these operations with pdfkit, so everything a
 * reader sees (wrapping of long Japanese titles, page breaks, the table header
 * repeated on each page, page numbers) is decided — and unit-tested — here.
 *
 * Coordinates are PDF points from the top-left corner of an A4 landscape page;
 * a text's `y` is the top of its line.
 */

export type FontName = 'regular' | 'bold';
/** Width in points of `text` set in `font` at `size`. */
export type Measure = (text: string, font: FontName, size: number) => number;

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
const BOTTOM = PAGE.height - PAGE.margin - FOOTER_HEIGHT;
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const LINE = 1.45; // line height, as a multiple of the font size

const INK = '#000000';
const MUTED = '#555555';
const ALERT = '#b00020';
const RULE = '#999999';
const HEADER_FILL = '#e6e6e6';

export interface TableColumn {
  header: string;
  width: number;
}

/** The countermeasure table: ten columns over the content width (769.89 pt). */
export const COUNTERMEASURE_TABLE: readonly TableColumn[] = [
  { header: 'キー\nKey', width: 44 },
  { header: '対策\nCountermeasure', width: 162 },
  { header: '区分\nCategory', width: 64 },
  { header: '担当者\nOwner', width: 70 },
  { header: 'ステータス\nStatus', width: 84 },
  { header: '期限\nDue date', width: 56 },
  { header: '超過\nOverdue', width: 44 },
  { header: '再開条件\nFor gate', width: 44 },
  { header: '証跡 (要件数中)\nEvidence (of requirements)', width: 84 },
  { header: '承認 (ダイジェスト)\nSign-off (digest)', width: 117.89 },
];

// ---- wrapping ---------------------------------------------------------------------------------

/** Latin runs (break at spaces) stay together; everything else (kana, kanji) breaks anywhere. */
const TOKENS = /[\u0021-\u007e\u00a0-\u024f]+|\s+|[^]/gu;
/** Closing punctuation that must not begin a line (kinsoku): it hangs at the end of the previous one. */
const NO_LINE_START = new Set(['、', '。', '，', '．', '）', '」', '』', '】', '〉', '》', ')', ',', '.', '・', 'ー', '々']);

/**
 * Splits `text` into lines no wider than `width` (explicit newlines kept): Latin
 * words are not broken unless one alone is too wide; Japanese breaks between any
 * two characters, except before closing punctuation, which hangs instead.
 */
export function wrapText(text: string, width: number, measure: Measure, font: FontName, size: number): string[] {
  const cache = new Map<string, number>();
  const w = (s: string) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = measure(s, font, size);
      cache.set(s, v);
    }
    return v;
  };
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    let line = '';
    let lineWidth = 0;
    const push = () => {
      lines.push(line.trimEnd());
      line = '';
      lineWidth = 0;
    };
    for (const token of paragraph.match(TOKENS) ?? []) {
      const blank = /^\s+$/.test(token);
      if (blank && line === '') continue;
      const tw = w(token);
      if (lineWidth + tw <= width || (line !== '' && NO_LINE_START.has(token))) {
        line += token;
        lineWidth += tw;
        continue;
      }
      if (line !== '') push();
      if (blank) continue;
      if (tw <= width) {
        line = token;
        lineWidth = tw;
        continue;
      }
      // A single token wider than the line (a long digest, a URL): break it by characters.
      for (const ch of token) {
        const cw = w(ch);
        if (lineWidth + cw > width && line !== '') push();
        line += ch;
        lineWidth += cw;
      }
    }
    push();
  }
  return lines;
}

// ---- the page flow ----------------------------------------------------------------------------

class Flow {
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
          lines.slice(0, maxRows).forEach((line, n) => this.text(line, x + pad, this.y + pad + n * lh, 'regular', size, row.color?.[i] ?? INK));
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

// ---- the report -------------------------------------------------------------------------------

const yesNo = (v: boolean) => (v ? 'はい' : '—');

function evidenceCell(c: StatusReport['countermeasures'][number]): string {
  const n = c.requirements;
  const lines = [`提出 ${c.requirementsWithLiveEvidence}/${n}`, `承認 ${c.requirementsWithAcceptedEvidence}/${n}`];
  if (c.requirementsRiskAccepted > 0) lines.push(`リスク受容 ${c.requirementsRiskAccepted}/${n}`);
  return lines.join('\n');
}

function signOffCell(c: StatusReport['countermeasures'][number]): string {
  if (!c.signOff) return '—';
  // The day in Japan (a sign-off at 08:30 JST is that day, not the UTC day before).
  return `${c.signOff.digest}\n${todayIn(CASE_TIME_ZONE, new Date(c.signOff.signedAt))} ${c.signOff.auditor}`;
}

/** An instant (UTC ISO text) as the readers' wall clock: `2026-10-02 08:30 JST`. */
function japanTime(utcIso: string): string {
  return humanLocal(localIso(new Date(utcIso)));
}

/** The whole report laid out on pages, with the footer (title, time, "n / N") on each. */
export function layoutStatusReport(report: StatusReport, measure: Measure): Layout {
  const f = new Flow(measure);
  const m = PAGE.margin;
  const generated = humanLocal(report.generatedAtLocal);

  // Title block.
  f.text(REPORT_TITLE_JA, m, f.y, 'bold', 18);
  f.y += 18 * LINE;
  f.paragraph(REPORT_TITLE_EN, m, CONTENT_WIDTH, 'regular', 10, MUTED);
  f.y += 4;
  f.paragraph(
    `作成日時 / Generated: ${generated} (${report.generatedAt})　作成者 / By: ${report.generatedBy.name}　基準日 / As of: ${report.asOfDay} (${report.timeZone})`,
    m,
    CONTENT_WIDTH,
    'regular',
    9,
  );

  // The case.
  const i = report.incident;
  f.heading('1. 事案の概要 / The case');
  f.pairs([
    ['事案 / Incident', i.title],
    ['概要 / Summary', i.summary],
    ['発覚日 / Detected on', i.detectedOn ?? ''],
    ['警察への相談 / Reported to the police', i.policeReportedOn ?? ''],
    ['監督官庁への報告 / Reported to the regulator', i.regulatorReportedOn ?? ''],
    ['公表日 / Disclosed on', i.disclosedOn ?? ''],
    ['漏えいした情報 / Leaked data', i.leakedData.join('、')],
    ['漏えいしていない情報 / Not leaked', i.notLeakedData.join('、')],
  ]);

  // Totals.
  const t = report.totals;
  f.heading('2. 概況 / At a glance');
  f.pairs([
    ['対策 / Countermeasures', `${t.countermeasures} 件: ${t.byStatus.map((s) => `${labelled(s.status, STATUS_LABEL_JA)} ${s.count}`).join('、')}`],
    ['期限超過 / Overdue', `${t.overdue} 件`],
    ['再開条件の対策 / Required for the gate', `${t.requiredForGate} 件中 ${t.requiredForGateVerified} 件 検証済 / verified`],
  ]);

  // The countermeasures.
  f.heading('3. 対策一覧 / Countermeasures');
  f.table(
    COUNTERMEASURE_TABLE,
    report.countermeasures.map((c) => ({
      cells: [
        c.key,
        c.title,
        CATEGORY_LABEL_JA[c.category] ?? c.category,
        c.ownerName,
        STATUS_LABEL_JA[c.status] ? `${STATUS_LABEL_JA[c.status]}\n${c.status}` : c.status,
        c.dueDate,
        c.overdue ? '超過' : '—',
        yesNo(c.requiredForGate),
        evidenceCell(c),
        signOffCell(c),
      ],
      color: c.overdue ? [ALERT, INK, INK, INK, INK, ALERT, ALERT] : undefined,
    })),
  );

  // The audit.
  const a = report.audit;
  f.heading('4. 外部監査 / External audit');
  if (a.engagements.length === 0) f.paragraph('監査契約なし / No audit engagement yet.', m, CONTENT_WIDTH, 'regular', 9);
  for (const e of a.engagements) {
    f.pairs([
      ['監査 / Engagement', `${e.title} — ${e.firm}`],
      ['状態 / Status', labelled(e.status, ENGAGEMENT_STATUS_LABEL_JA)],
      ['主任監査人 / Lead auditor', e.leadAuditor],
      ['期間 / Period', `${e.startsOn ?? '—'} 〜 ${e.endsOn ?? '—'}`],
      [
        '安全確認 / Clearance',
        e.clearance ? `有効 / standing: ${japanTime(e.clearance.clearedAt)} ${e.clearance.clearedBy}\nsha256 ${e.clearance.digest}` : 'なし / none standing',
      ],
    ]);
  }
  f.pairs([
    [
      '未解決の指摘 / Unresolved findings',
      a.unresolvedFindingsBySeverity.map((s) => `${s.severity} ${s.open}${s.acceptedRisk ? ` (+${s.acceptedRisk} リスク受容)` : ''}`).join('、'),
    ],
  ]);
  if (a.unresolvedFindings.length > 0) {
    f.table(
      [
        { header: '指摘\nFinding', width: 50 },
        { header: '重要度\nSeverity', width: 64 },
        { header: '状態\nStatus', width: 80 },
        { header: '指摘事項\nTitle', width: 500 },
        { header: '対策\nCM', width: 75.89 },
      ],
      a.unresolvedFindings.map((x) => ({ cells: [x.key, x.severity, x.status, x.title, x.countermeasureKey ?? '—'] })),
    );
  }

  // The gates.
  f.heading('5. 新規顧客向け販売促進の再開判定 / Promotion gate');
  if (report.gates.length === 0) f.paragraph('ゲートなし / No gate.', m, CONTENT_WIDTH, 'regular', 9);
  for (const g of report.gates) {
    f.pairs([
      ['ゲート / Gate', `${g.key} — ${g.name}`],
      ['状態 / State', `${labelled(g.state, GATE_STATE_LABEL_JA)}　販促可 / can promote: ${g.canPromote ? 'はい / yes' : 'いいえ / no'}　状態変更 / since: ${japanTime(g.since)}`],
      ['阻害要因 / Blockers', g.blockers.length ? g.blockers.map((b) => `・${b.message}`).join('\n') : 'なし / none'],
    ]);
  }

  // Footers, now that the page count is known.
  const total = f.pages.length;
  const footY = PAGE.height - PAGE.margin - 10;
  f.pages.forEach((page, n) => {
    const num = `${n + 1} / ${total}`;
    page.ops.push({ kind: 'line', x1: m, y1: footY - 4, x2: PAGE.width - m, y2: footY - 4, width: 0.5, color: RULE });
    page.ops.push({ kind: 'text', text: `${REPORT_TITLE_JA}　${generated}`, x: m, y: footY, font: 'regular', size: 7, color: MUTED });
    page.ops.push({ kind: 'text', text: num, x: PAGE.width - m - measure(num, 'regular', 8), y: footY, font: 'regular', size: 8, color: MUTED });
  });
  return { width: PAGE.width, height: PAGE.height, pages: f.pages };
}
