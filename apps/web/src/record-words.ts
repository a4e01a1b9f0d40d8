import { fillPlaceholders, type Lang } from './i18n';

/** The words of the breach-notification record's form (open it, correct it), in the page's two languages. */
const ja = {
  'record.open': '漏えい等報告の記録を作成する',
  'record.correct': '記録を修正する',
  'record.save': '保存する',
  'record.cancel': 'やめる',
  'record.knownAt': '覚知日時（日本時間）',
  'record.cases': '該当する事態と理由（4号は本人の数から自動で判定されます）',
  'record.rationale': '理由',
  'record.estimate': '本人の数（推計）',
  'record.estimatedOn': '推計の時点',
  'record.confirmed': '本人の数（確定）',
  'record.confirmedOn': '確定の時点',
  'record.authority': '報告先',
  'record.authority.PPC': '個人情報保護委員会',
  'record.authority.DELEGATED_MINISTER': '事業所管大臣（権限委任）',
  'record.authorityName': '報告先の名称（任意）',
  'record.reporter': '報告者（事業者名）',
  'record.case.SENSITIVE_DATA': '1号 要配慮個人情報',
  'record.case.FINANCIAL_DAMAGE': '2号 財産的被害のおそれ',
  'record.case.UNLAWFUL_PURPOSE': '3号 不正の目的のおそれ（内部者の持ち出しを含む）',
  'record.case.OVER_THRESHOLD': '4号 1,000人超（推計前のおそれとして）',
  'record.saved': '保存しました（版 {version}）。',
};
export type RecordKey = keyof typeof ja;

const en: Record<RecordKey, string> = {
  'record.open': 'Open the breach-notification record',
  'record.correct': 'Correct the record',
  'record.save': 'Save',
  'record.cancel': 'Cancel',
  'record.knownAt': 'Known at (Japan time)',
  'record.cases': 'The cases that apply, with why (case 4 is also derived from the count)',
  'record.rationale': 'Why',
  'record.estimate': 'Individuals (estimate)',
  'record.estimatedOn': 'Estimated on',
  'record.confirmed': 'Individuals (confirmed)',
  'record.confirmedOn': 'Confirmed on',
  'record.authority': 'Authority',
  'record.authority.PPC': 'Personal Information Protection Commission',
  'record.authority.DELEGATED_MINISTER': 'The competent minister (delegated)',
  'record.authorityName': 'Authority as named on the filing (optional)',
  'record.reporter': 'Reporting business',
  'record.case.SENSITIVE_DATA': '1 Sensitive data',
  'record.case.FINANCIAL_DAMAGE': '2 Possible financial damage',
  'record.case.UNLAWFUL_PURPOSE': '3 Possible unlawful purpose (an insider taking data out included)',
  'record.case.OVER_THRESHOLD': '4 More than 1,000 individuals (as a likelihood, before a count)',
  'record.saved': 'Saved (version {version}).',
};

export type RecordTranslate = (key: RecordKey, vars?: Record<string, string | number>) => string;

export function recordTranslator(lang: Lang): RecordTranslate {
  const words = lang === 'ja' ? ja : en;
  return (key, vars) => fillPlaceholders(words[key], vars);
}

/** A moment as the Tokyo wall clock for a datetime-local input (YYYY-MM-DDTHH:mm), and back. */
export function tokyoLocal(parts: Record<'year' | 'month' | 'day' | 'hour' | 'minute', string>): string {
  const two = (v: string) => v.padStart(2, '0');
  return `${parts.year}-${two(parts.month)}-${two(parts.day)}T${two(parts.hour)}:${two(parts.minute)}`;
}

export function fromTokyoLocal(value: string): string {
  return `${value}:00+09:00`;
}
