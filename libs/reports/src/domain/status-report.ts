import { CASE_TIME_ZONE } from '@app/common';

/**
 * The status report (進捗報告書) for the board and the regulator, as plain data:
 * what `StatusReportService.build` reads from the database at one instant (one
 * REPEATABLE READ snapshot), and what the pure renderers (`renderCsv`,
 * `renderPdf`) turn into bytes. Dates are calendar days (YYYY-MM-DD, Asia/Tokyo);
 * instants are UTC ISO-8601 with milliseconds. No ids of people, no e-mail
 * addresses but the one of whoever generated it, no evidence contents.
 */
export const STATUS_REPORT_VERSION = 'status-report/v1';

export const REPORT_TITLE_JA = '個人情報漏えいに関する再発防止策 進捗報告書';
export const REPORT_TITLE_EN = 'Status report on the countermeasures against the recurrence of the personal-data breach';

export type ReportFormat = 'csv' | 'pdf';

export interface StatusReport {
  version: typeof STATUS_REPORT_VERSION;
  /** When it was generated: UTC ISO-8601 with milliseconds (also the PDF's CreationDate). */
  generatedAt: string;
  /** The same instant on the case's clock: `2026-07-09T14:03:12+09:00`. */
  generatedAtLocal: string;
  timeZone: string;
  /** The calendar day (Asia/Tokyo) against which "overdue" and "risk accepted" are judged. */
  asOfDay: string;
  generatedBy: { name: string; email: string | null };
  incident: ReportIncident;
  totals: ReportTotals;
  countermeasures: ReportCountermeasure[];
  audit: ReportAudit;
  gates: ReportGate[];
}

export interface ReportIncident {
  id: string;
  title: string;
  summary: string;
  detectedOn: string | null;
  policeReportedOn: string | null;
  regulatorReportedOn: string | null;
  disclosedOn: string | null;
  /** Data categories confirmed leaked / confirmed not leaked (removed entries left out). */
  leakedData: string[];
  notLeakedData: string[];
}

export interface ReportTotals {
  countermeasures: number;
  /** Every status that occurs, in workflow order. */
  byStatus: { status: string; count: number }[];
  overdue: number;
  requiredForGate: number;
  /** Required for the gate and counted as verified by the gate (VERIFIED or OPERATING). */
  requiredForGateVerified: number;
}

export interface ReportCountermeasure {
  key: string;
  title: string;
  category: string;
  ownerName: string;
  status: string;
  dueDate: string;
  /** Still open and due before `asOfDay` (Asia/Tokyo). */
  overdue: boolean;
  requiredForGate: boolean;
  ongoing: boolean;
  /** Evidence requirements, and how many of them have live / accepted evidence / a standing risk acceptance. */
  requirements: number;
  requirementsWithLiveEvidence: number;
  requirementsWithAcceptedEvidence: number;
  requirementsRiskAccepted: number;
  /** The standing sign-off (VERIFIED and after), or null. */
  signOff: { digest: string; signedAt: string; auditor: string } | null;
}

export interface ReportAudit {
  engagements: ReportEngagement[];
  /** A clearance stands for some engagement of the incident. */
  cleared: boolean;
  /** Findings not resolved, per severity (most severe first; every severity listed). */
  unresolvedFindingsBySeverity: { severity: string; open: number; acceptedRisk: number }[];
  /** Findings not resolved, by key. */
  unresolvedFindings: { key: string; severity: string; status: string; title: string; countermeasureKey: string | null }[];
}

export interface ReportEngagement {
  title: string;
  firm: string;
  status: string;
  leadAuditor: string;
  startsOn: string | null;
  endsOn: string | null;
  clearance: { digest: string; clearedAt: string; clearedBy: string } | null;
}

export interface ReportGate {
  key: string;
  name: string;
  state: string;
  canPromote: boolean;
  /** When the gate row last changed (UTC ISO). */
  since: string;
  blockers: { kind: string; itemKey: string | null; message: string }[];
}

/** `2026-07-09T14:03:12+09:00`: the instant on the wall clock of `timeZone` (seconds, with the offset). */
export function localIso(at: Date, timeZone: string = CASE_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(at);
  const p = (type: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === type)?.value ?? '';
  const offset = p('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}${offset}`;
}

/** `2026-07-09 14:03 (JST)`-style text for people: the local ISO without the T and the seconds. */
export function humanLocal(localIsoText: string, zoneLabel = 'JST'): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}/.exec(localIsoText);
  return m ? `${m[1]} ${m[2]} ${zoneLabel}` : localIsoText;
}

/** Japanese labels the PDF shows next to the codes (the CSV keeps the codes the API uses). */
export const STATUS_LABEL_JA: Readonly<Record<string, string>> = {
  PLANNED: '計画',
  IN_PROGRESS: '実施中',
  BLOCKED: '停滞',
  IMPLEMENTED: '実施済(確認待ち)',
  CHANGES_REQUESTED: '差戻し',
  VERIFIED: '検証済',
  OPERATING: '運用中',
  DEGRADED: '運用低下',
  REOPENED: '再開',
  CANCELLED: '中止',
};

export const CATEGORY_LABEL_JA: Readonly<Record<string, string>> = {
  DB_SHUTDOWN: 'DB停止',
  ACCESS_RESTRICTION: 'アクセス制限',
  EXPORT_RESTRICTION: '持出し制限',
  MONITORING: '監視',
  EXTERNAL_AUDIT: '外部監査',
  GOVERNANCE: '体制・統制',
  CUSTOMER_PROTECTION: '顧客保護',
  COMMUNICATION: '情報発信',
  OTHER: 'その他',
};

export const ENGAGEMENT_STATUS_LABEL_JA: Readonly<Record<string, string>> = {
  PLANNED: '計画',
  FIELDWORK: '実査中',
  REPORTING: '報告書作成中',
  CLEARED: '完了(安全確認)',
  NOT_CLEARED: '完了(未確認)',
};

export const GATE_STATE_LABEL_JA: Readonly<Record<string, string>> = {
  SUSPENDED: '停止中',
  ELIGIBLE: '再開可能(承認待ち)',
  OPEN: '再開',
};

export function labelled(code: string, labels: Readonly<Record<string, string>>): string {
  const ja = labels[code];
  return ja ? `${ja} (${code})` : code;
}
