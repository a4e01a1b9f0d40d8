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
import { ALERT, CONTENT_WIDTH, Flow, INK, LINE, MUTED, PAGE, RULE, type Layout, type TableColumn } from './pdf-page-flow';
import type { Measure } from './pdf-text-wrap';

export { PAGE, type DrawOp, type Layout, type LayoutPage, type LineOp, type RectOp, type TableColumn, type TextOp } from './pdf-page-flow';
export { wrapText, type FontName, type Measure } from './pdf-text-wrap';

/**
 * The PDF's layout as a pure function: the report and a text measurer in, the
 * pages and what is drawn on each (text at a position, lines, filled boxes)
 * out. `renderPdf` only replays these operations with pdfkit, so everything a
 * reader sees (wrapping of long Japanese titles, page breaks, the table header
 * repeated on each page, page numbers) is decided — and unit-tested — here.
 *
 * Coordinates are PDF points from the top-left corner of an A4 landscape page;
 * a text's `y` is the top of its line.
 *
 * The page machinery (drawing operations, the page flow, tables) is in
 * pdf-page-flow.ts, line breaking in pdf-text-wrap.ts; this file lays out
 * the report's sections with them.
 */

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
    `作成日時 / Generated: ${generated} (${report.generatedAt})\u3000作成者 / By: ${report.generatedBy.name}\u3000基準日 / As of: ${report.asOfDay} (${report.timeZone})`,
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
    [
      '対策 / Countermeasures',
      `${t.countermeasures} 件: ${t.byStatus.map((s) => `${labelled(s.status, STATUS_LABEL_JA)} ${s.count}`).join('、')}`,
    ],
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
        e.clearance
          ? `有効 / standing: ${japanTime(e.clearance.clearedAt)} ${e.clearance.clearedBy}\nsha256 ${e.clearance.digest}`
          : 'なし / none standing',
      ],
    ]);
  }
  f.pairs([
    [
      '未解決の指摘 / Unresolved findings',
      a.unresolvedFindingsBySeverity
        .map((s) => `${s.severity} ${s.open}${s.acceptedRisk ? ` (+${s.acceptedRisk} リスク受容)` : ''}`)
        .join('、'),
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
      [
        '状態 / State',
        `${labelled(g.state, GATE_STATE_LABEL_JA)}\u3000販促可 / can promote: ${g.canPromote ? 'はい / yes' : 'いいえ / no'}\u3000状態変更 / since: ${japanTime(g.since)}`,
      ],
      ['阻害要因 / Blockers', g.blockers.length ? g.blockers.map((b) => `・${b.message}`).join('\n') : 'なし / none'],
    ]);
  }

  // Footers, now that the page count is known.
  const total = f.pages.length;
  const footY = PAGE.height - PAGE.margin - 10;
  f.pages.forEach((page, n) => {
    const num = `${n + 1} / ${total}`;
    page.ops.push({ kind: 'line', x1: m, y1: footY - 4, x2: PAGE.width - m, y2: footY - 4, width: 0.5, color: RULE });
    page.ops.push({ kind: 'text', text: `${REPORT_TITLE_JA}\u3000${generated}`, x: m, y: footY, font: 'regular', size: 7, color: MUTED });
    page.ops.push({
      kind: 'text',
      text: num,
      x: PAGE.width - m - measure(num, 'regular', 8),
      y: footY,
      font: 'regular',
      size: 8,
      color: MUTED,
    });
  });
  return { width: PAGE.width, height: PAGE.height, pages: f.pages };
}
