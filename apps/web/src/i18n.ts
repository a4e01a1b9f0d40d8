/**
 * The page's two languages. Japanese is the product's working language (the
 * words of ../shared/CASE.md); English for the auditors' and the group's
 * readers. Every key exists in both (the type of `en` is derived from `ja`).
 */
export type Lang = 'ja' | 'en';
export const LANGS: readonly Lang[] = ['ja', 'en'];
export const LANG_STORAGE_KEY = 'rt.lang';

const ja = {
  'app.title': '再発防止策ダッシュボード',
  'app.subtitle': '個人情報漏えい事案の対策状況',
  'signIn.title': 'サインイン',
  'signIn.lead': '対策の進捗、販売促進ゲート、監査の状況を確認できます。',
  'signIn.email': 'メールアドレス',
  'signIn.password': 'パスワード',
  'signIn.submit': 'サインイン',
  'signIn.submitting': 'サインイン中…',
  'signIn.invalid': 'メールアドレスまたはパスワードが正しくありません。',
  'signIn.tooMany': 'サインインの失敗が続いたため、しばらく受け付けません。時間をおいてお試しください。',
  'signIn.busy': 'サインインが混み合っています。数秒後にもう一度お試しください。',
  'signIn.failed': 'サインインできませんでした: {message}',
  'signIn.expired': 'セッションの有効期限が切れました。もう一度サインインしてください。',
  'header.signOut': 'サインアウト',
  'header.language': '表示言語',
  'header.signedInAs': '{name}（{roles}）',
  'live.connected': 'ライブ更新中',
  'live.connecting': '接続中…',
  'live.reconnecting': '再接続中…',
  'live.updated': '最終更新 {time}',
  'gate.title': '販売促進ゲート',
  'gate.subtitle': '新規顧客向け販売促進活動',
  'gate.state.SUSPENDED': '停止中',
  'gate.state.ELIGIBLE': '再開可能',
  'gate.state.OPEN': '再開',
  'gate.explain.SUSPENDED': '新規顧客向けの販売促進は停止中です。次の項目がすべて解消されるまで再開できません。',
  'gate.explain.ELIGIBLE': '再開の条件はすべて満たされました。最高責任者による再開の承認を待っています。',
  'gate.explain.OPEN': '外部監査で安全性が確認され、新規顧客向けの販売促進は再開されています。',
  'gate.blockers': '停止の理由',
  'blocker.COUNTERMEASURE_NOT_VERIFIED': '「{title}」は、まだ監査人の承認（検証済）を受けていません。',
  'blocker.NO_AUDIT_CLEARANCE': '外部監査による安全性の確認（監査完了）がまだです。',
  'blocker.OPEN_FINDING': '監査指摘事項「{title}」が未解決です。',
  'blocker.MANUAL_HOLD': '経営陣の判断で停止しています。',
  'blocker.owner': '担当者: {owner}',
  'tile.total': '対策の総数',
  'tile.verified': '検証済',
  'tile.requiredVerified': '再開条件の対策（検証済）',
  'tile.overdue': '期限超過',
  'tile.reviewWaiting': 'レビュー待ち',
  'tile.openFindings': '未解決の監査指摘事項',
  'tile.audit': '外部監査',
  'tile.ofTotal': '{total} 件中',
  'tile.oldestWait': '最長 {days} 日待ち',
  'tile.highOpen': 'うち重大・高 {n} 件',
  'tile.dueSoon': '期限間近 {n} 件',
  'audit.cleared': '監査完了（安全性確認）',
  'audit.notCleared': '未完了',
  'audit.status.PLANNED': '監査計画中',
  'audit.status.FIELDWORK': '実地監査中',
  'audit.status.REPORTING': '報告書作成中',
  'audit.status.CLEARED': '監査完了',
  'audit.status.NOT_CLEARED': '再監査が必要',
  'chart.byCategory': '分類別のステータス',
  'chart.burnUp': 'バーンアップ',
  'chart.burnUp.total': '対策の総数',
  'chart.burnUp.implemented': '実施済',
  'chart.burnUp.verified': '検証済',
  'chart.noData': 'データがまだありません。',
  'chart.count': '件数',
  'chart.showTable': 'データを表で見る',
  'chart.category': '分類',
  'chart.day': '日付',
  'chart.total': '合計',
  'list.overdue': '期限超過の対策',
  'list.blocked': '停滞している対策',
  'list.dueSoon': '7日以内に期限を迎える対策',
  'list.atRisk': '要注意の対策（定期的な証跡が途切れている）',
  'list.none': '該当する対策はありません。',
  'col.daysLeft': '残り日数',
  dueToday: '本日',
  'col.key': '番号',
  'col.title': '対策',
  'col.status': 'ステータス',
  'col.owner': '担当者',
  'col.due': '期限',
  'col.daysOverdue': '超過日数',
  'col.waiting': '待ち日数',
  'col.evidence': '証跡',
  'review.title': 'レビュー待ちの証跡',
  'review.summary': '{n} 件の証跡がレビュー待ちです。',
  'review.oldest': '最も古いものは {days} 日待っています。',
  'review.none': 'レビュー待ちの証跡はありません。',
  'my.title': '自分が担当する対策',
  'my.none': '担当している対策はありません。',
  days: '{n} 日',
  'days.one': '{n} 日',
  asOf: '{date} 時点',
  'asOf.label': '基準日',
  'asOf.range': '{start} から {end} までの日を選べます',
  'asOf.past': '{date} 時点の状況を表示しています（過去の日のため、ライブ更新はされません）。',
  'asOf.backToToday': '今日の状況に戻る',
  'asOf.refused': '基準日 {date} の状況は表示できないため、今日の状況を表示しています。',
  'ownerLoad.title': '担当者別の未完了の対策',
  'ownerLoad.open': '未完了',
  'ownerLoad.overdue': 'うち期限超過',
  'ownerLoad.none': '未完了の対策を持つ担当者はいません。',
  'activity.title': '最近の動き',
  'activity.at': '日時',
  'activity.who': '実施者',
  'activity.what': '内容',
  'activity.none': 'まだ記録がありません。',
  'item.notListed': '{key}「{title}」（{status}）は、この画面の一覧にはありません。',
  'item.notFound': '対策 {key} は見つかりませんでした。',
  loading: '読み込み中…',
  'error.load': 'データを読み込めませんでした: {message}',
  'error.unavailable': 'サーバーが一時的に応答していません。自動で再試行します（サインインはそのままです）。',
  'role.ADMIN': '管理者',
  'role.EXECUTIVE': '経営陣',
  'role.TASK_FORCE': '特別チーム',
  'role.AUDITOR': '監査人',
  'role.SERVICE': '連携システム',
  'status.PLANNED': '計画中',
  'status.IN_PROGRESS': '対応中',
  'status.IMPLEMENTED': '実施済（承認待ち）',
  'status.VERIFIED': '検証済',
  'status.OPERATING': '運用中',
  'status.DEGRADED': '要対応（証跡の期限切れ）',
  'status.BLOCKED': '停滞',
  'status.CHANGES_REQUESTED': '差し戻し',
  'status.REOPENED': '再対応',
  'status.CANCELLED': '中止',
  'target.status.PENDING': '未着手',
  'target.status.IN_PROGRESS': '対応中',
  'target.status.DONE': '完了',
  'target.status.NOT_APPLICABLE': '対象外',
  'category.DB_SHUTDOWN': 'データベース停止',
  'category.ACCESS_RESTRICTION': 'アクセス権限の絞り込み',
  'category.EXPORT_RESTRICTION': '外部への持ち出し制限',
  'category.MONITORING': '常時監視',
  'category.EXTERNAL_AUDIT': '外部監査',
  'category.GOVERNANCE': 'ガバナンス',
  'category.CUSTOMER_PROTECTION': 'お客様の保護',
  'category.COMMUNICATION': 'お知らせ・情報公開',
  'category.OTHER': 'その他',
} as const;

export type MessageKey = keyof typeof ja;

const en: Record<MessageKey, string> = {
  'app.title': 'Remediation dashboard',
  'app.subtitle': 'Countermeasures after the personal-data breach',
  'signIn.title': 'Sign in',
  'signIn.lead': 'See the countermeasures, the sales-promotion gate and the audit at a glance.',
  'signIn.email': 'E-mail',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.submitting': 'Signing in…',
  'signIn.invalid': 'The e-mail or the password is not correct.',
  'signIn.tooMany': 'Too many failed sign-ins: sign-in is refused for a while. Try again later.',
  'signIn.busy': 'Sign-in is busy right now. Please try again in a few seconds.',
  'signIn.failed': 'Could not sign in: {message}',
  'signIn.expired': 'Your session has expired. Please sign in again.',
  'header.signOut': 'Sign out',
  'header.language': 'Language',
  'header.signedInAs': '{name} ({roles})',
  'live.connected': 'Live',
  'live.connecting': 'Connecting…',
  'live.reconnecting': 'Reconnecting…',
  'live.updated': 'Updated {time}',
  'gate.title': 'Sales-promotion gate',
  'gate.subtitle': 'Sales promotion to new customers',
  'gate.state.SUSPENDED': 'SUSPENDED',
  'gate.state.ELIGIBLE': 'ELIGIBLE',
  'gate.state.OPEN': 'OPEN',
  'gate.explain.SUSPENDED': 'Sales promotion to new customers is suspended. It cannot resume until every item below is resolved.',
  'gate.explain.ELIGIBLE': 'Every condition is met. Waiting for the chief of the task force to authorize the reopening.',
  'gate.explain.OPEN': 'The external audit confirmed safety; sales promotion to new customers has resumed.',
  'gate.blockers': 'Why it is suspended',
  'blocker.COUNTERMEASURE_NOT_VERIFIED': '“{title}” has not yet been verified (signed off) by an auditor.',
  'blocker.NO_AUDIT_CLEARANCE': 'The external audit has not yet confirmed safety (no clearance).',
  'blocker.OPEN_FINDING': 'Audit finding “{title}” is still open.',
  'blocker.MANUAL_HOLD': 'An executive holds the gate by hand.',
  'blocker.owner': 'owner: {owner}',
  'tile.total': 'Countermeasures',
  'tile.verified': 'Verified',
  'tile.requiredVerified': 'Required for the gate, verified',
  'tile.overdue': 'Overdue',
  'tile.reviewWaiting': 'Waiting for review',
  'tile.openFindings': 'Open audit findings',
  'tile.audit': 'External audit',
  'tile.ofTotal': 'of {total}',
  'tile.oldestWait': 'oldest waiting {days} days',
  'tile.highOpen': '{n} critical or high',
  'tile.dueSoon': '{n} due soon',
  'audit.cleared': 'Cleared (safety confirmed)',
  'audit.notCleared': 'Not cleared',
  'audit.status.PLANNED': 'Planned',
  'audit.status.FIELDWORK': 'Fieldwork',
  'audit.status.REPORTING': 'Reporting',
  'audit.status.CLEARED': 'Cleared',
  'audit.status.NOT_CLEARED': 'Not cleared: re-audit needed',
  'chart.byCategory': 'Status by category',
  'chart.burnUp': 'Burn-up',
  'chart.burnUp.total': 'Total',
  'chart.burnUp.implemented': 'Implemented',
  'chart.burnUp.verified': 'Verified',
  'chart.noData': 'No data yet.',
  'chart.count': 'Count',
  'chart.showTable': 'Show the data as a table',
  'chart.category': 'Category',
  'chart.day': 'Day',
  'chart.total': 'Total',
  'list.overdue': 'Overdue countermeasures',
  'list.blocked': 'Blocked countermeasures',
  'list.dueSoon': 'Due in the next 7 days',
  'list.atRisk': 'At risk (a recurring requirement gone stale)',
  'list.none': 'None.',
  'col.daysLeft': 'Days left',
  dueToday: 'today',
  'col.key': 'Key',
  'col.title': 'Countermeasure',
  'col.status': 'Status',
  'col.owner': 'Owner',
  'col.due': 'Due',
  'col.daysOverdue': 'Days overdue',
  'col.waiting': 'Waiting',
  'col.evidence': 'Evidence',
  'review.title': 'Evidence waiting for review',
  'review.summary': '{n} pieces of evidence are waiting for review.',
  'review.oldest': 'The oldest has waited {days} days.',
  'review.none': 'No evidence is waiting for review.',
  'my.title': 'My countermeasures',
  'my.none': 'You own no countermeasure.',
  days: '{n} days',
  'days.one': '{n} day',
  asOf: 'as of {date}',
  'asOf.label': 'As of',
  'asOf.range': 'Any day from {start} to {end}',
  'asOf.past': 'Showing the dashboard as it stood on {date} (a past day: not updated live).',
  'asOf.backToToday': 'Back to today',
  'asOf.refused': 'The dashboard as of {date} cannot be shown; showing today instead.',
  'ownerLoad.title': 'Open countermeasures per owner',
  'ownerLoad.open': 'Open',
  'ownerLoad.overdue': 'of which overdue',
  'ownerLoad.none': 'No owner has an open countermeasure.',
  'activity.title': 'Latest activity',
  'activity.at': 'When',
  'activity.who': 'Who',
  'activity.what': 'What',
  'activity.none': 'Nothing recorded yet.',
  'item.notListed': '{key} “{title}” ({status}) is not in any list on this page.',
  'item.notFound': 'Countermeasure {key} was not found.',
  loading: 'Loading…',
  'error.load': 'Could not load the figures: {message}',
  'error.unavailable': 'The server is not answering at the moment; retrying by itself (you are still signed in).',
  'role.ADMIN': 'administrator',
  'role.EXECUTIVE': 'executive',
  'role.TASK_FORCE': 'task force',
  'role.AUDITOR': 'auditor',
  'role.SERVICE': 'service',
  'status.PLANNED': 'Planned',
  'status.IN_PROGRESS': 'In progress',
  'status.IMPLEMENTED': 'Implemented (awaiting sign-off)',
  'status.VERIFIED': 'Verified',
  'status.OPERATING': 'Operating',
  'status.DEGRADED': 'Degraded (stale evidence)',
  'status.BLOCKED': 'Blocked',
  'status.CHANGES_REQUESTED': 'Changes requested',
  'status.REOPENED': 'Reopened',
  'status.CANCELLED': 'Cancelled',
  'target.status.PENDING': 'Pending',
  'target.status.IN_PROGRESS': 'In progress',
  'target.status.DONE': 'Done',
  'target.status.NOT_APPLICABLE': 'Not applicable',
  'category.DB_SHUTDOWN': 'Database shutdown',
  'category.ACCESS_RESTRICTION': 'Access rights narrowed',
  'category.EXPORT_RESTRICTION': 'Restriction of taking data outside',
  'category.MONITORING': 'Continuous monitoring',
  'category.EXTERNAL_AUDIT': 'External audit',
  'category.GOVERNANCE': 'Governance',
  'category.CUSTOMER_PROTECTION': 'Customer protection',
  'category.COMMUNICATION': 'Communication',
  'category.OTHER': 'Other',
};

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { ja, en };

/** Every message of one language (for the test that both languages say the same things). */
export function messages(lang: Lang): Readonly<Record<MessageKey, string>> {
  return DICTIONARIES[lang];
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A message with its `{name}` placeholders filled from `vars` (an unknown name is left as written). */
export function fillPlaceholders(message: string, vars?: Record<string, string | number>): string {
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole));
}

/** The translator of one language: `{name}` placeholders are filled from `vars`. */
export function translator(lang: Lang): Translate {
  const dict = DICTIONARIES[lang];
  return (key, vars) => fillPlaceholders(dict[key], vars);
}

/** A label for an enum value (status, category, role...), or the value itself when unknown. */
export function enumLabel(
  t: Translate,
  prefix: 'status' | 'category' | 'role' | 'gate.state' | 'audit.status' | 'target.status',
  value: string,
): string {
  const key = `${prefix}.${value}`;
  return key in ja ? t(key as MessageKey) : value;
}

/**
 * The language to show: the one the user chose (remembered), else the first of
 * the browser's preferred languages that the page speaks (`ja-JP` → Japanese),
 * else English.
 */
export function pickLanguage(preferred: readonly string[], remembered: string | null): Lang {
  if (remembered === 'ja' || remembered === 'en') return remembered;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'ja') return 'ja';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

/** Dates and times as people in Japan read them (the case's calendar is Asia/Tokyo). */
export function formatDay(lang: Lang, day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  return lang === 'ja'
    ? `${y}年${m}月${d}日`
    : new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
}

export function formatTime(lang: Lang, at: Date): string {
  return at.toLocaleTimeString(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: 'Asia/Tokyo',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The year, month, day, hour and minute of a moment in Tokyo (24-hour clock), as text. */
export function tokyoParts(at: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  return Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'Asia/Tokyo',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<'year' | 'month' | 'day' | 'hour' | 'minute', string>;
}

/** A moment as a day and a time in Tokyo: 「11月26日 12:52」, "26 Nov 12:52". */
export function formatDateTime(lang: Lang, at: Date): string {
  const parts = tokyoParts(at);
  const time = `${parts.hour}:${parts.minute}`;
  if (lang === 'ja') return `${parts.month}月${parts.day}日 ${time}`;
  return `${parts.day} ${MONTHS[Number(parts.month) - 1]} ${time}`;
}
