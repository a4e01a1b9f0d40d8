import { DutyError, DutyErrorCode } from '../../domain/duties.errors';

/**
 * The rules of a public progress statement (promise 9: "publish investigation progress on the website as it
 * develops"): pure functions, no I/O. A statement is published once and never changed; a correction is a new
 * statement that names the one it corrects and says what it corrects.
 */

/** Lengths in characters (code points), checked here; the GraphQL input only stops absurd payloads earlier. */
export const PROGRESS_LIMITS = {
  title: 200,
  body: 20_000,
  correctionNote: 2_000,
  label: 200,
  /** Countermeasures a statement may show. */
  countermeasures: 30,
} as const;

/** Names (and readings) shorter than this, once compared, are not looked for in the text: too many false matches. */
export const MIN_NAME_LENGTH = 2;
/** Evidence names shorter than this are not looked for (a title like "報告" would refuse ordinary words). */
export const MIN_EVIDENCE_NAME_LENGTH = 4;
/** Review comments shorter than this are not looked for ("確認しました" is an ordinary sentence, not a quotation). */
export const MIN_COMMENT_LENGTH = 20;

export type PublicLanguage = 'ja' | 'en';
export const PUBLIC_LANGUAGES: readonly PublicLanguage[] = ['ja', 'en'];

export interface StatementCountermeasureInput {
  countermeasureId: string;
  labelJa: string;
  labelEn: string;
}

export interface PublishProgressStatementCommand {
  incidentId: string;
  titleJa: string;
  titleEn: string;
  bodyJa: string;
  bodyEn: string;
  /** The countermeasures to show, of the same incident: each with the label the executive writes for the public. */
  countermeasures?: readonly StatementCountermeasureInput[] | null;
  /** The published statement this one corrects (the latest version: one not corrected yet). */
  corrects?: string | null;
  /** Required with `corrects`: what is corrected, in both languages. */
  correctionNoteJa?: string | null;
  correctionNoteEn?: string | null;
}

/** A command checked and normalized: trimmed, CRLF → LF, no control characters. */
export interface CheckedStatement {
  incidentId: string;
  titleJa: string;
  titleEn: string;
  bodyJa: string;
  bodyEn: string;
  countermeasures: StatementCountermeasureInput[];
  corrects: string | null;
  correctionNoteJa: string | null;
  correctionNoteEn: string | null;
}

/** One text of a statement under the content check, named by its input field (`bodyJa`, `countermeasures[0].labelEn`). */
export interface PublishedField {
  field: string;
  text: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Characters XML 1.0 (the Atom feed) cannot carry, and C0/C1 controls other than tab and newline. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused
const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function invalid(field: string, message: string): DutyError {
  return new DutyError(DutyErrorCode.INVALID_FIELD, message, { field });
}

/** Trimmed, CRLF/CR → LF; refused when empty, too long, multi-line where one line is expected, or with a control character. */
export function checkText(field: string, value: unknown, max: number, opts: { multiline: boolean }): string {
  if (typeof value !== 'string') throw invalid(field, `${field} is required`);
  const text = value.replace(/\r\n?/g, '\n').trim();
  if (!text) throw invalid(field, `${field} must not be empty`);
  if ([...text].length > max) throw invalid(field, `${field} is longer than ${max} characters`);
  if (!opts.multiline && text.includes('\n')) throw invalid(field, `${field} must be one line`);
  if (FORBIDDEN_CHARACTERS.test(text) || LONE_SURROGATE.test(text)) throw invalid(field, `${field} contains a control character`);
  return text;
}

/** The command checked field by field (INVALID_FIELD naming the first bad field), normalized. */
export function checkStatement(cmd: PublishProgressStatementCommand): CheckedStatement {
  if (typeof cmd.incidentId !== 'string' || !UUID.test(cmd.incidentId)) throw invalid('incidentId', 'incidentId must be a UUID');
  const items = cmd.countermeasures ?? [];
  if (items.length > PROGRESS_LIMITS.countermeasures) {
    throw invalid('countermeasures', `A statement shows at most ${PROGRESS_LIMITS.countermeasures} countermeasures`);
  }
  const seen = new Set<string>();
  const countermeasures = items.map((item, i) => {
    const at = `countermeasures[${i}]`;
    if (typeof item.countermeasureId !== 'string' || !UUID.test(item.countermeasureId)) {
      throw invalid(`${at}.countermeasureId`, `${at}.countermeasureId must be a UUID`);
    }
    const id = item.countermeasureId.toLowerCase();
    if (seen.has(id)) throw invalid(`${at}.countermeasureId`, `${at}: the countermeasure is listed twice`);
    seen.add(id);
    return {
      countermeasureId: id,
      labelJa: checkText(`${at}.labelJa`, item.labelJa, PROGRESS_LIMITS.label, { multiline: false }),
      labelEn: checkText(`${at}.labelEn`, item.labelEn, PROGRESS_LIMITS.label, { multiline: false }),
    };
  });
  let corrects: string | null = null;
  let correctionNoteJa: string | null = null;
  let correctionNoteEn: string | null = null;
  if (cmd.corrects != null) {
    if (typeof cmd.corrects !== 'string' || !UUID.test(cmd.corrects)) throw invalid('corrects', 'corrects must be a UUID');
    corrects = cmd.corrects.toLowerCase();
    correctionNoteJa = checkText('correctionNoteJa', cmd.correctionNoteJa, PROGRESS_LIMITS.correctionNote, { multiline: true });
    correctionNoteEn = checkText('correctionNoteEn', cmd.correctionNoteEn, PROGRESS_LIMITS.correctionNote, { multiline: true });
  } else if (cmd.correctionNoteJa != null || cmd.correctionNoteEn != null) {
    throw invalid(cmd.correctionNoteJa != null ? 'correctionNoteJa' : 'correctionNoteEn', 'A correction note needs `corrects`');
  }
  return {
    incidentId: cmd.incidentId.toLowerCase(),
    titleJa: checkText('titleJa', cmd.titleJa, PROGRESS_LIMITS.title, { multiline: false }),
    titleEn: checkText('titleEn', cmd.titleEn, PROGRESS_LIMITS.title, { multiline: false }),
    bodyJa: checkText('bodyJa', cmd.bodyJa, PROGRESS_LIMITS.body, { multiline: true }),
    bodyEn: checkText('bodyEn', cmd.bodyEn, PROGRESS_LIMITS.body, { multiline: true }),
    countermeasures,
    corrects,
    correctionNoteJa,
    correctionNoteEn,
  };
}

/** Every text that will be public, named by its input field: what the content check reads. */
export function publishedFields(s: CheckedStatement): PublishedField[] {
  const fields: PublishedField[] = [
    { field: 'titleJa', text: s.titleJa },
    { field: 'titleEn', text: s.titleEn },
    { field: 'bodyJa', text: s.bodyJa },
    { field: 'bodyEn', text: s.bodyEn },
  ];
  if (s.correctionNoteJa !== null) fields.push({ field: 'correctionNoteJa', text: s.correctionNoteJa });
  if (s.correctionNoteEn !== null) fields.push({ field: 'correctionNoteEn', text: s.correctionNoteEn });
  s.countermeasures.forEach((c, i) => {
    fields.push({ field: `countermeasures[${i}].labelJa`, text: c.labelJa }, { field: `countermeasures[${i}].labelEn`, text: c.labelEn });
  });
  return fields;
}

// ---- the content check: "never internal names, evidence or comments" ------------------------------------------

/** How a text and a name are compared: NFKC (full-width ＡＢＣ, the ideographic space), lower case, no white space. */
export function comparable(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/** An e-mail address anywhere in the text (after NFKC, so ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ counts). */
const EMAIL = /[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+/i;

export function findEmail(text: string): string | null {
  return EMAIL.exec(text.normalize('NFKC'))?.[0] ?? null;
}

/** Why a text is not publishable. */
export type NotPublishableReason = 'EMAIL_ADDRESS' | 'USER_NAME' | 'USER_EMAIL' | 'EVIDENCE_NAME' | 'REVIEW_COMMENT';

/** Something internal that must not appear in a published text: a user's name or e-mail, an evidence name, a review comment. */
export interface InternalTerm {
  reason: Exclude<NotPublishableReason, 'EMAIL_ADDRESS'>;
  value: string;
}

export interface ContentViolation {
  field: string;
  reason: NotPublishableReason;
  /** What was found (the address, the name): shown to the executive who wrote it, never published. */
  found: string;
}

/** The minimum compared length of a term of this kind. */
function minimumLength(reason: InternalTerm['reason']): number {
  if (reason === 'REVIEW_COMMENT') return MIN_COMMENT_LENGTH;
  if (reason === 'EVIDENCE_NAME') return MIN_EVIDENCE_NAME_LENGTH;
  return reason === 'USER_EMAIL' ? 3 : MIN_NAME_LENGTH;
}

/**
 * The first violation of the content rule, field by field in input order: an e-mail address, then any internal
 * term (compared with `comparable`, so 佐藤一郎, or the name written with an ideographic space, matches the user 佐藤 一郎). Null when publishable.
 */
export function findContentViolation(fields: readonly PublishedField[], terms: readonly InternalTerm[]): ContentViolation | null {
  const compared = terms
    .map((t) => ({ term: t, key: comparable(t.value) }))
    .filter(({ term, key }) => [...key].length >= minimumLength(term.reason));
  for (const { field, text } of fields) {
    const email = findEmail(text);
    if (email) return { field, reason: 'EMAIL_ADDRESS', found: email };
    const hay = comparable(text);
    const hit = compared.find(({ key }) => hay.includes(key));
    if (hit) return { field, reason: hit.term.reason, found: hit.term.value };
  }
  return null;
}

const REASON_WORDS: Record<NotPublishableReason, string> = {
  EMAIL_ADDRESS: 'an e-mail address',
  USER_NAME: 'the name of a user of the tracker',
  USER_EMAIL: 'the e-mail of a user of the tracker',
  EVIDENCE_NAME: 'the name of evidence',
  REVIEW_COMMENT: 'a review comment',
};

export function notPublishable(v: ContentViolation): DutyError {
  return new DutyError(
    DutyErrorCode.NOT_PUBLISHABLE,
    `${v.field} contains ${REASON_WORDS[v.reason]} (${v.found}): a progress statement never names people, evidence or comments`,
    // `reason` is the error's code in GraphQL's extensions: what was found is `matched`.
    { field: v.field, matched: v.reason },
  );
}

// ---- the public wording of a countermeasure's status -----------------------------------------------------------

/**
 * What the public reads for a countermeasure's status, as it stood at publication. Several workflow states read
 * the same to the public: the internal steps (an auditor's request for changes, a reopening) are not published,
 * only where the work stands. The codes are the countermeasure workflow's (libs/countermeasures).
 */
const STATUS_WORDING: Record<string, Record<PublicLanguage, string>> = {
  PLANNED: { ja: '実施予定', en: 'Planned' },
  IN_PROGRESS: { ja: '実施中', en: 'In progress' },
  CHANGES_REQUESTED: { ja: '実施中', en: 'In progress' },
  REOPENED: { ja: '実施中', en: 'In progress' },
  BLOCKED: { ja: '一時保留中', en: 'On hold' },
  IMPLEMENTED: { ja: '実施済み（外部監査による確認待ち）', en: 'Implemented, awaiting verification by the external auditor' },
  VERIFIED: { ja: '完了（外部監査で確認済み）', en: 'Completed and verified by the external auditor' },
  OPERATING: { ja: '運用中（外部監査で確認済み）', en: 'In operation, verified by the external auditor' },
  DEGRADED: { ja: '運用中（定期確認を実施中）', en: 'In operation, periodic check under way' },
  CANCELLED: { ja: '中止', en: 'Discontinued' },
};

export function publicStatusWording(status: string, lang: PublicLanguage): string {
  // Every workflow status is worded (the unit spec checks it); a code unknown here is shown as nothing rather than guessed.
  return STATUS_WORDING[status]?.[lang] ?? '—';
}

/** Every status the wording knows (the unit spec checks it covers the workflow's). */
export const WORDED_STATUSES: readonly string[] = Object.keys(STATUS_WORDING);

/** How a statement is referred to: 第2報 / No. 2. */
export function statementLabel(n: number, lang: PublicLanguage): string {
  return lang === 'ja' ? `第${n}報` : `No. ${n}`;
}
