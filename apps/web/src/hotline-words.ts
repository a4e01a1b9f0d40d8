import { fillPlaceholders, type Lang } from './i18n';

/**
 * The hotline chart's words (promises 5, 8, 10: the contacts customer support logs per day and kind), in the page's
 * two languages. Kept beside i18n.ts rather than in it, as the proofs panel's; every key exists in both (the type of
 * `en` is derived from `ja`).
 */
const ja = {
  'hotline.title': '個人情報保護ホットラインへのお問い合わせ（日別）',
  'hotline.none': 'お問い合わせ件数はまだ記録されていません。',
  'hotline.kind.BREACH_QUESTION': '漏えいに関するご質問',
  'hotline.kind.IMPERSONATION_REPORT': '当社をかたる郵便・電話の報告',
  'hotline.kind.STOP_CONTACT_REQUEST': '連絡停止のご依頼',
  'hotline.kind.OTHER': 'その他',
  'hotline.summary': '{from}〜{to}（記録 {days} 日）の合計 {total} 件',
  'hotline.count': '件数',
  'hotline.day': '日付',
  'hotline.total': '合計',
  'hotline.log': 'お問い合わせ件数を記録する',
  'hotline.log.day': '日付（日本時間）',
  'hotline.log.save': '記録する',
  'hotline.log.saved': '{day} の件数を記録しました（版 {version}）。',
  'hotline.log.error': 'エラー（{code}）: {message}',
};
export type HotlineKey = keyof typeof ja;

const en: Record<HotlineKey, string> = {
  'hotline.title': 'Privacy hotline contacts per day',
  'hotline.none': 'No hotline figures recorded yet.',
  'hotline.kind.BREACH_QUESTION': 'Questions about the breach',
  'hotline.kind.IMPERSONATION_REPORT': 'Reports of mail or calls pretending to be us',
  'hotline.kind.STOP_CONTACT_REQUEST': 'Requests to stop contact',
  'hotline.kind.OTHER': 'Other',
  'hotline.summary': '{from} to {to} ({days} days recorded): {total} contacts in all',
  'hotline.count': 'Contacts',
  'hotline.day': 'Day',
  'hotline.total': 'Total',
  'hotline.log': "Log a day's contacts",
  'hotline.log.day': 'Day (Japan time)',
  'hotline.log.save': 'Record',
  'hotline.log.saved': 'Recorded the figures of {day} (version {version}).',
  'hotline.log.error': 'Error ({code}): {message}',
};

const DICTIONARIES: Record<Lang, Record<HotlineKey, string>> = { ja, en };

/** Every message of one language (for the test that both languages say the same things). */
export function hotlineMessages(lang: Lang): Readonly<Record<HotlineKey, string>> {
  return DICTIONARIES[lang];
}

export type HotlineTranslate = (key: HotlineKey, vars?: Record<string, string | number>) => string;

export function hotlineTranslator(lang: Lang): HotlineTranslate {
  const dict = DICTIONARIES[lang];
  return (key, vars) => fillPlaceholders(dict[key], vars);
}

/** The kinds in the order the server lists them (and the chart stacks them). */
export const HOTLINE_KIND_ORDER = ['BREACH_QUESTION', 'IMPERSONATION_REPORT', 'STOP_CONTACT_REQUEST', 'OTHER'] as const;

export const HOTLINE_KIND_COLORS: Record<string, string> = {
  BREACH_QUESTION: '#2563eb',
  IMPERSONATION_REPORT: '#dc2626',
  STOP_CONTACT_REQUEST: '#f59e0b',
  OTHER: '#94a3b8',
};

/** A kind's name, or the value itself for a kind this page does not know yet. */
export function hotlineKindLabel(t: HotlineTranslate, kind: string): string {
  const key = `hotline.kind.${kind}`;
  return key in ja ? t(key as HotlineKey) : kind;
}

/** `day` (YYYY-MM-DD) plus `days` calendar days. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The span the chart asks for: the year up to the day shown (the API answers at most 366 days), not before the
 * incident's first day.
 */
export function hotlineRange(asOf: string, startsOn: string | null): { from: string; to: string } {
  const yearBefore = addDays(asOf, -365);
  return { from: startsOn && startsOn > yearBefore && startsOn <= asOf ? startsOn : yearBefore, to: asOf };
}
