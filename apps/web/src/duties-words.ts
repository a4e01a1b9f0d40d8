import { fillPlaceholders, type Lang } from './i18n';

/**
 * The duties' words (issue 15: the reports to the PPC, the notice to the individuals, the public progress page), in the
 * page's two languages, kept beside i18n.ts as the hotline's and the proofs panel's. Every key exists in both (the type
 * of `en` is derived from `ja`). `{s}` is English's plural ending for `{n}`.
 */
const ja = {
  'banner.due': '{kind}の期限まで残り {n} 日（{date}）',
  'banner.today': '本日が{kind}の期限です（{date}）',
  'banner.late': '{kind}の期限を {n} 日過ぎています（期限 {date}）',
  'banner.guidanceDue': '{kind}の目安まで残り {n} 日（{date}、個人情報保護委員会の目安）',
  'banner.guidanceToday': '本日が{kind}の目安です（{date}、個人情報保護委員会の目安）',
  'banner.guidanceLate': '{kind}の目安を {n} 日過ぎています（目安 {date}、個人情報保護委員会の目安）',
  'banner.link': '報告・通知義務へ',
  'duties.title': '報告・通知義務',
  'duties.lead': '個人情報保護委員会（または事業所管大臣）への報告と、本人への通知・公表の状況です。',
  'duties.none': 'この事案の漏えい等報告の記録はまだ作成されていません。',
  'duties.knownAt': '覚知日時',
  'duties.knowledgeDay': '起算日（1日目）',
  'duties.authority': '報告先',
  'duties.reporter': '報告者',
  'duties.rulePack': '適用する規則',
  'duties.mandatory': '報告・本人通知の義務',
  'duties.mandatory.yes': 'あり',
  'duties.mandatory.no': 'なし',
  'duties.cases': '該当する事態（施行規則7条）',
  'duties.noCases': '該当する事態はありません。',
  'duties.derived': '本人の数から判定',
  'duties.counts': '本人の数',
  'duties.estimate': '推計 {n} 人（{date} 時点）',
  'duties.confirmed': '確定 {n} 人（{date} 時点）',
  'duties.countUnknown': '調査中',
  'deadlines.title': '報告の期限',
  'deadlines.kind': '報告',
  'deadlines.due': '期限',
  'deadlines.binding': '性質',
  'deadlines.binding.yes': '法定の期限',
  'deadlines.binding.no': '委員会の目安',
  'deadlines.state': '状態',
  'deadlines.days': '残り／超過',
  'deadlines.left': '残り {n} 日',
  'deadlines.today': '本日が期限',
  'deadlines.overdue': '{n} 日超過',
  'deadlines.lateBy': '{n} 日遅れで提出',
  'state.OPEN': '未提出',
  'state.LATE': '期限超過',
  'state.SUBMITTED': '提出済み',
  'state.SUBMITTED_LATE': '提出済み（期限後）',
  'state.NOT_REQUIRED': '報告義務なし',
  'kind.PRELIMINARY': '速報',
  'kind.FINAL': '確報',
  'kind.SUPPLEMENT': '追完',
  'filings.title': '報告書',
  'filings.none': '報告書はまだありません。',
  'filings.kind': '種類',
  'filings.status': '状態',
  'filings.submittedAt': '提出日時',
  'filings.reference': '受付番号',
  'filings.lateDays': '遅延日数',
  'filings.sha': 'SHA-256（先頭）',
  'filings.files': '法務確認用',
  'filings.pdf': 'PDF',
  'filings.docx': 'Word',
  'filings.downloadFailed': 'ダウンロードできませんでした: {message}',
  'filings.create': '{kind}の下書きを作成',
  'filings.creating': '作成しています…',
  'status.DRAFT': '下書き',
  'status.SUBMITTED': '提出済み',
  'editor.title': '{kind}の下書きを編集',
  'editor.item.overview': '1 概要',
  'editor.item.dataItems': '2 漏えい等が発生し、又は発生したおそれがある個人データの項目',
  'editor.item.individuals': '3 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数',
  'editor.item.cause': '4 原因',
  'editor.item.secondaryHarm': '5 二次被害又はそのおそれの有無及びその内容',
  'editor.item.responseToIndividuals': '6 本人への対応の実施状況',
  'editor.item.publication': '7 公表の実施状況',
  'editor.item.recurrencePrevention': '8 再発防止のための措置',
  'editor.item.other': '9 その他参考となる事項',
  'editor.save': '保存',
  'editor.saved': '保存しました。',
  'editor.redraft': 'トラッカーの最新データで書き直す',
  'editor.redrafted': '最新データで書き直しました。',
  'editor.unsaved': '保存していない変更があります。',
  'submit.title': '提出を記録',
  'submit.at': '提出日時',
  'submit.channel': '提出方法',
  'submit.reference': '受付番号',
  'submit.confirm': '報告書を提出したことを確認しました（提出後は変更できません）',
  'submit.button': '提出済みとして記録',
  'submit.done': '提出を記録しました。',
  'channel.PPC_WEB_FORM': '個人情報保護委員会の報告フォーム',
  'channel.MINISTRY_FORM': '事業所管省庁の様式',
  'channel.EMAIL': '電子メール',
  'channel.POST': '郵送',
  'channel.IN_PERSON': '持参',
  'campaigns.title': '本人への通知',
  'campaigns.none': '本人への通知はまだ記録されていません。',
  'campaigns.channel': '方法',
  'campaigns.planned': '予定',
  'campaigns.sent': '送付',
  'campaigns.returned': '返送・不達',
  'campaigns.unreachable': '連絡不能',
  'campaigns.started': '開始日',
  'campaigns.completed': '完了日',
  'campaigns.substitute': '代替措置',
  'campaigns.substitutePublished': 'ウェブサイトで公表（{date}）',
  'campaigns.substituteMissing': '代替措置がありません',
  'campaigns.inquiryDesk': '問い合わせ窓口',
  'campaigns.note': '備考',
  'campaigns.add': '通知を追加',
  'campaigns.edit': '編集',
  'campaigns.update': '更新',
  'campaigns.cancel': 'やめる',
  'campaigns.saved': '保存しました。',
  'notice.POST': '郵送',
  'notice.EMAIL': '電子メール',
  'progress.title': '進捗状況の公表',
  'progress.link': '公開ページ（/progress）を開く',
  'progress.none': '公表した進捗状況はまだありません。',
  'progress.number': '第{n}報',
  'progress.date': '公表日時',
  'progress.heading': '表題',
  'progress.publish': '進捗状況を公表',
  'progress.titleJa': '表題（日本語）',
  'progress.titleEn': '表題（英語）',
  'progress.bodyJa': '本文（日本語）',
  'progress.bodyEn': '本文（英語）',
  'progress.published': '第{n}報を公表しました。',
  'progress.warning': '公表した内容は変更できません（訂正は新しい公表になります）。',
  'error.api': 'エラー（{code}）: {message}',
  busy: '処理しています…',
};
export type DutiesKey = keyof typeof ja;

const en: Record<DutiesKey, string> = {
  'banner.due': '{kind} due in {n} day{s} ({date})',
  'banner.today': '{kind} due today ({date})',
  'banner.late': '{kind} overdue by {n} day{s} (due {date})',
  'banner.guidanceDue': "{kind}: the PPC's guidance is {n} day{s} away ({date})",
  'banner.guidanceToday': "{kind}: the PPC's guidance is today ({date})",
  'banner.guidanceLate': "{kind}: {n} day{s} past the PPC's guidance ({date})",
  'banner.link': 'Go to the duties',
  'duties.title': 'Duties to the regulator and the public',
  'duties.lead': 'The reports to the PPC (or the delegated minister) and the notice to and publication for the individuals.',
  'duties.none': 'No breach-notification record has been opened for this incident yet.',
  'duties.knownAt': 'Known at',
  'duties.knowledgeDay': 'Day 1 of the count',
  'duties.authority': 'Authority',
  'duties.reporter': 'Reporting business',
  'duties.rulePack': 'Rules applied',
  'duties.mandatory': 'Report and notice mandatory',
  'duties.mandatory.yes': 'Yes',
  'duties.mandatory.no': 'No',
  'duties.cases': 'Cases that apply (Enforcement Rules art. 7)',
  'duties.noCases': 'No mandatory case applies.',
  'duties.derived': 'derived from the count',
  'duties.counts': 'Individuals',
  'duties.estimate': 'Estimate {n} (as of {date})',
  'duties.confirmed': 'Confirmed {n} (as of {date})',
  'duties.countUnknown': 'Under investigation',
  'deadlines.title': 'Deadlines',
  'deadlines.kind': 'Report',
  'deadlines.due': 'Due',
  'deadlines.binding': 'Nature',
  'deadlines.binding.yes': 'Statutory limit',
  'deadlines.binding.no': "PPC's guidance",
  'deadlines.state': 'State',
  'deadlines.days': 'Left / late',
  'deadlines.left': '{n} day{s} left',
  'deadlines.today': 'Due today',
  'deadlines.overdue': '{n} day{s} late',
  'deadlines.lateBy': 'Submitted {n} day{s} late',
  'state.OPEN': 'Open',
  'state.LATE': 'Late',
  'state.SUBMITTED': 'Submitted',
  'state.SUBMITTED_LATE': 'Submitted late',
  'state.NOT_REQUIRED': 'Not required',
  'kind.PRELIMINARY': 'Preliminary report',
  'kind.FINAL': 'Final report',
  'kind.SUPPLEMENT': 'Supplement',
  'filings.title': 'Filings',
  'filings.none': 'No filings yet.',
  'filings.kind': 'Kind',
  'filings.status': 'Status',
  'filings.submittedAt': 'Submitted at',
  'filings.reference': 'Reference number',
  'filings.lateDays': 'Days late',
  'filings.sha': 'SHA-256 (start)',
  'filings.files': 'For legal review',
  'filings.pdf': 'PDF',
  'filings.docx': 'Word',
  'filings.downloadFailed': 'Could not download: {message}',
  'filings.create': 'Draft the {kind}',
  'filings.creating': 'Drafting…',
  'status.DRAFT': 'Draft',
  'status.SUBMITTED': 'Submitted',
  'editor.title': 'Edit the draft {kind}',
  'editor.item.overview': '1 Overview (概要)',
  'editor.item.dataItems': '2 Personal data items concerned',
  'editor.item.individuals': '3 Number of individuals concerned',
  'editor.item.cause': '4 Cause (原因)',
  'editor.item.secondaryHarm': '5 Secondary harm, or its risk',
  'editor.item.responseToIndividuals': '6 Response to the individuals',
  'editor.item.publication': '7 Publication',
  'editor.item.recurrencePrevention': '8 Measures against recurrence',
  'editor.item.other': '9 Other relevant matters',
  'editor.save': 'Save',
  'editor.saved': 'Saved.',
  'editor.redraft': 'Redraft from the tracker’s data',
  'editor.redrafted': 'Redrafted from the latest data.',
  'editor.unsaved': 'There are unsaved changes.',
  'submit.title': 'Record the submission',
  'submit.at': 'Submitted at',
  'submit.channel': 'Channel',
  'submit.reference': 'Reference number',
  'submit.confirm': 'I confirm the report was submitted (it cannot be changed afterwards)',
  'submit.button': 'Record as submitted',
  'submit.done': 'Submission recorded.',
  'channel.PPC_WEB_FORM': "PPC's web form",
  'channel.MINISTRY_FORM': "Ministry's form",
  'channel.EMAIL': 'E-mail',
  'channel.POST': 'Post',
  'channel.IN_PERSON': 'In person',
  'campaigns.title': 'Notice to the individuals',
  'campaigns.none': 'No notice recorded yet.',
  'campaigns.channel': 'Channel',
  'campaigns.planned': 'Planned',
  'campaigns.sent': 'Sent',
  'campaigns.returned': 'Returned',
  'campaigns.unreachable': 'Unreachable',
  'campaigns.started': 'Started',
  'campaigns.completed': 'Completed',
  'campaigns.substitute': 'Substitute',
  'campaigns.substitutePublished': 'Published on the website ({date})',
  'campaigns.substituteMissing': 'No substitute yet',
  'campaigns.inquiryDesk': 'Inquiry desk',
  'campaigns.note': 'Note',
  'campaigns.add': 'Add a notice',
  'campaigns.edit': 'Edit',
  'campaigns.update': 'Update',
  'campaigns.cancel': 'Cancel',
  'campaigns.saved': 'Saved.',
  'notice.POST': 'Post',
  'notice.EMAIL': 'E-mail',
  'progress.title': 'Public progress statements',
  'progress.link': 'Open the public page (/progress)',
  'progress.none': 'No progress statement published yet.',
  'progress.number': 'No. {n}',
  'progress.date': 'Published',
  'progress.heading': 'Title',
  'progress.publish': 'Publish a progress statement',
  'progress.titleJa': 'Title (Japanese)',
  'progress.titleEn': 'Title (English)',
  'progress.bodyJa': 'Body (Japanese)',
  'progress.bodyEn': 'Body (English)',
  'progress.published': 'Statement No. {n} published.',
  'progress.warning': 'A published statement never changes (a correction is a new statement).',
  'error.api': 'Error ({code}): {message}',
  busy: 'Working…',
};

const DICTIONARIES: Record<Lang, Record<DutiesKey, string>> = { ja, en };

/** Every message of one language (for the test that both languages say the same things). */
export function dutiesMessages(lang: Lang): Readonly<Record<DutiesKey, string>> {
  return DICTIONARIES[lang];
}

export type DutiesTranslate = (key: DutiesKey, vars?: Record<string, string | number>) => string;

export function dutiesTranslator(lang: Lang): DutiesTranslate {
  const dict = DICTIONARIES[lang];
  return (key, vars) => fillPlaceholders(dict[key], vars && 'n' in vars ? { s: vars.n === 1 ? '' : 's', ...vars } : vars);
}

/** A value's label under a prefix (`kind`, `state`, …), or the value itself for one this page does not know yet. */
export function dutiesLabel(dt: DutiesTranslate, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return key in ja ? dt(key as DutiesKey) : value;
}

/**
 * What apiErrorText reads of urql's CombinedError, written out: importing urql's types here would bring React's
 * global DOM declarations into the server's type check (the page specs import these words).
 */
interface ApiError {
  graphQLErrors: readonly { message: string; extensions?: Record<string, unknown> }[];
  networkError?: Error;
  message: string;
}

/** The API's refusal as shown next to a form: its extensions.code and message. */
export function apiErrorText(dt: DutiesTranslate, error: ApiError | undefined): string {
  const first = error?.graphQLErrors[0];
  const code = first?.extensions?.code;
  return dt('error.api', {
    code: typeof code === 'string' ? code : error?.networkError ? 'NETWORK' : 'ERROR',
    message: first?.message ?? error?.networkError?.message ?? error?.message ?? '',
  });
}

interface DeadlineLike {
  kind: string;
  state: string;
  dueOn: string | null;
  binding: boolean;
}

/**
 * The deadline the banner speaks of: among the reports not yet submitted (OPEN or LATE) with a due day, a late
 * statutory limit first (the final report overdue is the gravest), then the nearest due day. Null when every report
 * is submitted or none is required.
 */
export function bannerDeadline<D extends DeadlineLike>(deadlines: readonly D[]): D | null {
  const open = deadlines.filter((d) => (d.state === 'OPEN' || d.state === 'LATE') && d.dueOn);
  const grave = (d: D) => (d.state === 'LATE' && d.binding ? 0 : 1);
  return [...open].sort((a, b) => grave(a) - grave(b) || a.dueOn!.localeCompare(b.dueOn!))[0] ?? null;
}

/** The banner's sentence for a deadline: days left, due today, or days late, worded as a limit or as guidance. */
export function bannerText(dt: DutiesTranslate, d: DeadlineLike & { daysLeft: number | null; lateDays: number }, date: string): string {
  const kind = dutiesLabel(dt, 'kind', d.kind);
  const left = d.daysLeft ?? 0;
  if (d.state === 'LATE') {
    const n = d.lateDays > 0 ? d.lateDays : Math.max(1, -left);
    return dt(d.binding ? 'banner.late' : 'banner.guidanceLate', { kind, n, date });
  }
  if (left === 0) return dt(d.binding ? 'banner.today' : 'banner.guidanceToday', { kind, date });
  return dt(d.binding ? 'banner.due' : 'banner.guidanceDue', { kind, n: left, date });
}

/** The nine items of a report to the PPC, in the form's order (施行規則8条1項). */
export const NINE_ITEMS = [
  'overview',
  'dataItems',
  'individuals',
  'cause',
  'secondaryHarm',
  'responseToIndividuals',
  'publication',
  'recurrencePrevention',
  'other',
] as const;
export type NineItem = (typeof NINE_ITEMS)[number];

export const FILING_CHANNELS = ['PPC_WEB_FORM', 'MINISTRY_FORM', 'EMAIL', 'POST', 'IN_PERSON'] as const;
