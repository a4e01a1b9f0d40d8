import type { NotificationKind } from './notification-kinds';

/**
 * The words of each notification, in Japanese (the case's language), from the
 * facts the candidate query found. Pure: no clock, no I/O. The same title and
 * body are the inbox entry and the e-mail.
 */

export interface DueFacts {
  countermeasureKey: string;
  title: string;
  dueDate: string;
  /** Calendar days from today to the due date (0: due today; negative: late by that many days). */
  daysLeft: number;
  ownerName: string;
}

export interface ReviewWaitingFacts {
  countermeasureKey: string;
  countermeasureTitle: string;
  requirementTitle: string;
  evidenceName: string;
  uploadedByLabel: string;
  /** The day of the upload (the case's time zone). */
  uploadedOn: string;
  /** Whole days since the upload. */
  waitingDays: number;
}

export interface GoingStaleFacts {
  countermeasureKey: string;
  title: string;
  requirementTitle: string;
  recurrenceDays: number;
  latestAcceptedEffectiveOn: string;
  /** The first day the evidence is older than its period. */
  staleOn: string;
  /** Calendar days from today to staleOn. */
  daysLeft: number;
}

export interface RiskExpiringFacts {
  /** "指摘 F-001「…」" or "CM-004 の要件「…」". */
  subject: string;
  expiresOn: string;
  daysLeft: number;
  acceptedByLabel: string;
  justification: string;
}

export interface GateChangedFacts {
  gateKey: string;
  gateName: string;
  fromState: string | null;
  toState: string;
  cause: string;
  reason: string;
  /** When, in the case's time zone ("2026-11-20 10:02"). */
  at: string;
}

export interface DigestFacts {
  /** The seven days summarised, first and last (YYYY-MM-DD, the case's time zone). */
  weekStart: string;
  weekEnd: string;
  verified: { countermeasureKey: string; title: string; day: string }[];
  slipped: { countermeasureKey: string; title: string; oldDueDate: string; newDueDate: string; reason: string }[];
  newlyOverdue: { countermeasureKey: string; title: string; dueDate: string; ownerName: string }[];
  overdueNow: number;
  gates: { key: string; name: string; state: string; blockers: string[] }[];
}

export interface NotificationText {
  title: string;
  body: string;
}

const GATE_STATE_JA: Record<string, string> = {
  SUSPENDED: '停止中',
  ELIGIBLE: '再開可能（承認待ち）',
  OPEN: '再開',
};

const GATE_CAUSE_JA: Record<string, string> = {
  CREATED: '判定の作成',
  RULES_BROKEN: '条件の不成立',
  RULES_MET: '条件の充足',
  AUTHORIZED: '経営層の承認',
  HELD_BY_HAND: '経営層による保留',
  HOLD_RELEASED: '保留の解除',
};

export function gateStateJa(state: string | null): string {
  return state === null ? '（なし）' : (GATE_STATE_JA[state] ?? state);
}

function dueWords(daysLeft: number): string {
  if (daysLeft === 0) return '本日';
  if (daysLeft === 1) return '明日';
  return `あと${daysLeft}日`;
}

export function dueText(kind: 'DUE_IN_7_DAYS' | 'DUE_IN_1_DAY', f: DueFacts): NotificationText {
  const when = dueWords(f.daysLeft);
  const title =
    f.daysLeft <= 1
      ? `${f.countermeasureKey}「${f.title}」の期限は${when}（${f.dueDate}）です`
      : `${f.countermeasureKey}「${f.title}」の期限まで${when}（${f.dueDate}）`;
  const body = [
    `対策 ${f.countermeasureKey}「${f.title}」の期限は ${f.dueDate} です（${when}）。`,
    `担当: ${f.ownerName}`,
    kind === 'DUE_IN_1_DAY'
      ? '期限までに完了できない見込みの場合は、理由を添えて期限を変更してください。'
      : '進捗を確認し、必要な証跡の準備を進めてください。',
  ].join('\n');
  return { title, body };
}

export function overdueText(f: DueFacts): NotificationText {
  const late = -f.daysLeft;
  return {
    title: `${f.countermeasureKey}「${f.title}」が期限（${f.dueDate}）を${late}日過ぎています`,
    body: [
      `対策 ${f.countermeasureKey}「${f.title}」は期限 ${f.dueDate} を過ぎても完了していません（${late}日超過）。`,
      `担当: ${f.ownerName}`,
      '状況を更新するか、理由を添えて期限を変更してください。',
    ].join('\n'),
  };
}

export function reviewWaitingText(f: ReviewWaitingFacts): NotificationText {
  return {
    title: `証跡「${f.evidenceName}」が${f.waitingDays}日間審査を待っています（${f.countermeasureKey}）`,
    body: [
      `対策 ${f.countermeasureKey}「${f.countermeasureTitle}」の要件「${f.requirementTitle}」の証跡「${f.evidenceName}」が、`,
      `${f.uploadedOn} に ${f.uploadedByLabel} によって提出されてから${f.waitingDays}日間審査されていません。`,
      '審査キュー（evidenceReviewQueue）から審査してください。',
    ].join('\n'),
  };
}

export function goingStaleText(f: GoingStaleFacts): NotificationText {
  const when = f.daysLeft <= 0 ? '本日' : f.daysLeft === 1 ? '明日' : `${f.daysLeft}日後`;
  return {
    title: `${f.countermeasureKey} の要件「${f.requirementTitle}」の証跡が${when}（${f.staleOn}）に期限切れになります`,
    body: [
      `運用中の対策 ${f.countermeasureKey}「${f.title}」の定期要件「${f.requirementTitle}」（${f.recurrenceDays}日ごと）の`,
      `最新の承認済み証跡は ${f.latestAcceptedEffectiveOn} 時点のもので、${f.staleOn} に期限切れになります。`,
      '期限切れになると対策は自動的に「低下（DEGRADED）」になります。新しい証跡を提出し、審査を受けてください。',
    ].join('\n'),
  };
}

export function riskExpiringText(f: RiskExpiringFacts): NotificationText {
  const when = f.daysLeft <= 0 ? '本日' : f.daysLeft === 1 ? '明日' : `あと${f.daysLeft}日`;
  return {
    title: `${f.subject}のリスク受容が${when}（${f.expiresOn}）で終了します`,
    body: [
      `${f.subject}のリスク受容（受容者: ${f.acceptedByLabel}）は ${f.expiresOn} を最終日として終了します。`,
      `受容の理由: ${f.justification}`,
      '終了すると対象は再び未解決として扱われます（販売促進の再開判定にも影響します）。対応を完了するか、改めて受容を判断してください。',
    ].join('\n'),
  };
}

export function gateChangedText(f: GateChangedFacts): NotificationText {
  return {
    title: `販売促進の再開判定「${f.gateName}」が${gateStateJa(f.toState)}になりました`,
    body: [
      `判定 ${f.gateKey}「${f.gateName}」: ${gateStateJa(f.fromState)} → ${gateStateJa(f.toState)}`,
      `契機: ${GATE_CAUSE_JA[f.cause] ?? f.cause}`,
      `理由: ${f.reason}`,
      `日時: ${f.at}（日本時間）`,
      f.toState === 'OPEN' ? '新規顧客への販売促進を再開できます。' : '新規顧客への販売促進は再開できません。',
    ].join('\n'),
  };
}

export function digestText(f: DigestFacts): NotificationText {
  const lines: string[] = [`対象期間: ${f.weekStart}〜${f.weekEnd}`, ''];
  lines.push(`■ 検証済みになった対策: ${f.verified.length}件`);
  for (const v of f.verified) lines.push(`  ・${v.countermeasureKey}「${v.title}」（${v.day}）`);
  lines.push('', `■ 期限が延びた対策: ${f.slipped.length}件`);
  for (const s of f.slipped) lines.push(`  ・${s.countermeasureKey}「${s.title}」 ${s.oldDueDate} → ${s.newDueDate}（理由: ${s.reason}）`);
  lines.push('', `■ 今週新たに期限を過ぎた対策: ${f.newlyOverdue.length}件（期限超過は現在 合計${f.overdueNow}件）`);
  for (const o of f.newlyOverdue) lines.push(`  ・${o.countermeasureKey}「${o.title}」 期限 ${o.dueDate}（担当: ${o.ownerName}）`);
  lines.push('', '■ 販売促進の再開判定');
  if (f.gates.length === 0) lines.push('  （判定はまだありません）');
  for (const g of f.gates) {
    lines.push(`  ・${g.name}（${g.key}）: ${gateStateJa(g.state)}`);
    for (const b of g.blockers) lines.push(`      - ${b}`);
  }
  return {
    title: `週次サマリー（${f.weekStart}〜${f.weekEnd}）: 検証済み${f.verified.length}件・遅延${f.slipped.length + f.newlyOverdue.length}件`,
    body: lines.join('\n'),
  };
}

export interface BreachReportFacts {
  incidentTitle: string;
  /** PRELIMINARY or FINAL. */
  filingKind: string;
  /** The rule pack's name of the filing: 速報 / Preliminary report, 確報 / Final report. */
  labelJa: string;
  labelEn: string;
  /** YYYY-MM-DD (Asia/Tokyo). */
  dueOn: string;
  /** Days to the due day: 0 on it, negative when late. */
  daysLeft: number;
  /** A statutory limit (確報), or the PPC's guidance (速報). */
  binding: boolean;
  guidanceJa: string;
  guidanceEn: string;
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 2026-08-31 → 2026年8月31日. */
export function dayJa(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** 2026-08-31 → 31 Aug 2026. */
export function dayEn(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${d} ${MONTHS_EN[m! - 1]} ${y}`;
}

/** 期限 for a statutory limit, 目安日 for the PPC's guidance (the preliminary report). */
function limitJa(f: BreachReportFacts): string {
  return f.binding ? '期限' : '目安日';
}

const plural = (n: number) => (n === 1 ? 'day' : 'days');

function guidanceLines(f: BreachReportFacts, lang: 'ja' | 'en'): string[] {
  if (lang === 'ja') {
    return [
      `根拠: ${f.guidanceJa}`,
      ...(f.binding ? [] : ['この日付は個人情報保護委員会の目安であり、法定の期限ではありません。速やかな報告が求められます。']),
    ];
  }
  return [f.guidanceEn, ...(f.binding ? [] : ["This date is the PPC's guidance, not a statutory limit: report promptly."])];
}

/** BREACH_REPORT_DUE: 7, 2 or 1 days before the due day, and on it. The title is Japanese; the body Japanese, then English. */
export function breachReportDueText(f: BreachReportFacts): NotificationText {
  const dateJa = dayJa(f.dueOn);
  const dateEn = dayEn(f.dueOn);
  const limit = limitJa(f);
  const title =
    f.daysLeft <= 0 ? `${f.labelJa}の${limit}は本日（${dateJa}）です` : `${f.labelJa}の${limit}まで残り${f.daysLeft}日（${dateJa}）`;
  const en = f.binding
    ? f.daysLeft <= 0
      ? `${f.labelEn} due today (${dateEn})`
      : `${f.labelEn} due in ${f.daysLeft} ${plural(f.daysLeft)} (${dateEn})`
    : f.daysLeft <= 0
      ? `${f.labelEn}: the PPC's target day is today (${dateEn})`
      : `${f.labelEn}: the PPC's target day is in ${f.daysLeft} ${plural(f.daysLeft)} (${dateEn})`;
  return {
    title,
    body: [
      `インシデント「${f.incidentTitle}」の個人情報保護委員会への${f.labelJa}の${limit}は ${dateJa} です（${f.daysLeft <= 0 ? '本日' : `残り${f.daysLeft}日`}）。`,
      ...guidanceLines(f, 'ja'),
      '報告書の下書きを作成・確認し、提出したら提出を記録してください（記録すると通知は止まります）。',
      '',
      `${en} — incident "${f.incidentTitle}".`,
      ...guidanceLines(f, 'en'),
      'Prepare and check the draft; once filed, record the submission (the reminders then stop).',
    ].join('\n'),
  };
}

/** BREACH_REPORT_OVERDUE: every day while the report is late. */
export function breachReportOverdueText(f: BreachReportFacts): NotificationText {
  const late = -f.daysLeft;
  const dateJa = dayJa(f.dueOn);
  const dateEn = dayEn(f.dueOn);
  const limit = limitJa(f);
  return {
    title: `${f.labelJa}の${limit}を${late}日過ぎています（${limit} ${dateJa}）`,
    body: [
      `インシデント「${f.incidentTitle}」の個人情報保護委員会への${f.labelJa}は、${limit}（${dateJa}）を${late}日過ぎても提出が記録されていません。`,
      ...guidanceLines(f, 'ja'),
      '直ちに提出し、提出を記録してください。遅れて提出した場合も、その日数は提出の記録に残ります。',
      '',
      `${f.labelEn} ${f.binding ? 'overdue' : 'past the target day'} by ${late} ${plural(late)} (${f.binding ? 'due' : 'target'} ${dateEn}) — incident "${f.incidentTitle}".`,
      ...guidanceLines(f, 'en'),
      'File it now and record the submission; the days late are recorded with it.',
    ].join('\n'),
  };
}

/**
 * The text of a notification's e-mail: its body, the link to the page when the
 * server knows its public address (`url`: absolute, or null: no link, since a
 * bare path means nothing in a mail client), and the footer.
 */
export function emailText(n: { kind: NotificationKind; body: string }, url: string | null): string {
  return [n.body, ...(url ? ['', `画面で確認する: ${url}`] : []), emailFooter(n.kind)].join('\n');
}

/** Every e-mail ends with this (why it came, how to stop it). */
export function emailFooter(kind: NotificationKind): string {
  return [
    '',
    '--',
    'このメールは是正対策管理システムから自動送信されています。',
    `通知の種類（${kind}）ごとに、受信箱とメールの受け取りを setNotificationPreference で変更できます。`,
  ].join('\n');
}
