import { isCalendarDay } from '@app/common';

/**
 * A rule pack: the breach duties of one law as data, with an id and the day it takes effect (issue 15, "The rules,
 * as data"). The first is libs/duties/rule-packs/appi-ppc@2024-04-01.json. Services never hard-code a deadline, a
 * threshold or a case: they read them here, so a later pack changes the numbers without code. Parsed and checked
 * at start (`parseRulePack`): a pack that does not hold together stops the process with the field named.
 */
export const FILING_KINDS = ['PRELIMINARY', 'FINAL', 'SUPPLEMENT'] as const;
export type FilingKind = (typeof FILING_KINDS)[number];

export interface Bilingual {
  ja: string;
  en: string;
}

export interface RulePackCase extends Bilingual {
  code: string;
  /** The number the law gives it (1..4). */
  no: number;
  source: string;
  /** The case applies only above this many individuals (0: from one person). */
  minIndividualsAbove: number;
  /** Established by the tracker from the count of individuals rather than asserted with a rationale. */
  derivedFromCount: boolean;
}

export interface RulePackFiling extends Bilingual {
  /** Calendar days from knowledge (the day count in `dayCount`); null: no deadline (a supplement). */
  days: number | null;
  /** Longer (or shorter) limits when a case applies: the largest of the applying ones wins. */
  daysWhenCase: Readonly<Record<string, number>>;
  /** A statutory limit (true) or the regulator's guidance (false): shown as such, never hidden. */
  binding: boolean;
  source: string;
  guidance: Bilingual;
}

export interface RulePack {
  id: string;
  effectiveFrom: string;
  law: Bilingual;
  timeZone: string;
  dayCount: { unit: 'CALENDAR_DAY'; knowledgeDayNumber: 0 | 1; note: string };
  cases: readonly RulePackCase[];
  filings: Readonly<Record<FilingKind, RulePackFiling>>;
  reminders: { daysBefore: readonly number[]; overdueEveryDays: number };
  authorities: readonly (Bilingual & { code: string })[];
  sources: readonly string[];
}

export class RulePackInvalid extends Error {
  constructor(
    readonly packFile: string,
    readonly field: string,
    problem: string,
  ) {
    super(`Rule pack ${packFile}: ${field} ${problem}`);
    this.name = 'RulePackInvalid';
  }
}

type Json = Record<string, unknown>;

/** Checks a pack's JSON and returns it typed; throws RulePackInvalid naming the first field that is wrong. */
export function parseRulePack(raw: unknown, file: string): RulePack {
  const bad = (field: string, problem: string): never => {
    throw new RulePackInvalid(file, field, problem);
  };
  const obj = (v: unknown, field: string): Json =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : bad(field, 'must be an object');
  const str = (v: unknown, field: string): string => (typeof v === 'string' && v.trim() !== '' ? v : bad(field, 'must be non-empty text'));
  const int = (v: unknown, field: string, min: number): number =>
    Number.isInteger(v) && (v as number) >= min ? (v as number) : bad(field, `must be a whole number ≥ ${min}`);
  const bilingual = (v: unknown, field: string): Bilingual => {
    const o = obj(v, field);
    return { ja: str(o.ja, `${field}.ja`), en: str(o.en, `${field}.en`) };
  };
  const root = obj(raw, '(root)');
  const id = str(root.id, 'id');
  const effectiveFrom = str(root.effectiveFrom, 'effectiveFrom');
  if (!isCalendarDay(effectiveFrom)) bad('effectiveFrom', 'must be a day written YYYY-MM-DD');
  if (!id.endsWith(`@${effectiveFrom}`)) bad('id', `must end with @${effectiveFrom} (its effective date)`);
  const timeZone = str(root.timeZone, 'timeZone');
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    bad('timeZone', 'is not a known time zone');
  }
  const dc = obj(root.dayCount, 'dayCount');
  if (dc.unit !== 'CALENDAR_DAY') bad('dayCount.unit', 'must be CALENDAR_DAY');
  const knowledgeDayNumber =
    dc.knowledgeDayNumber === 0 || dc.knowledgeDayNumber === 1
      ? dc.knowledgeDayNumber
      : bad('dayCount.knowledgeDayNumber', 'must be 0 or 1');

  if (!Array.isArray(root.cases) || root.cases.length === 0) bad('cases', 'must be a non-empty list');
  const cases = (root.cases as unknown[]).map((c, i): RulePackCase => {
    const f = `cases[${i}]`;
    const o = obj(c, f);
    return {
      code: str(o.code, `${f}.code`),
      no: int(o.no, `${f}.no`, 1),
      ja: str(o.ja, `${f}.ja`),
      en: str(o.en, `${f}.en`),
      source: str(o.source, `${f}.source`),
      minIndividualsAbove: int(o.minIndividualsAbove ?? 0, `${f}.minIndividualsAbove`, 0),
      derivedFromCount: o.derivedFromCount === true,
    };
  });
  const codes = new Set(cases.map((c) => c.code));
  if (codes.size !== cases.length) bad('cases', 'must have distinct codes');

  const filingsObj = obj(root.filings, 'filings');
  const filings = {} as Record<FilingKind, RulePackFiling>;
  for (const kind of FILING_KINDS) {
    const f = `filings.${kind}`;
    const o = obj(filingsObj[kind], f);
    const days = o.days === null ? null : int(o.days, `${f}.days`, 1);
    const whenObj = o.daysWhenCase === undefined ? {} : obj(o.daysWhenCase, `${f}.daysWhenCase`);
    const daysWhenCase: Record<string, number> = {};
    for (const [code, n] of Object.entries(whenObj)) {
      if (!codes.has(code)) bad(`${f}.daysWhenCase.${code}`, 'names no case of this pack');
      daysWhenCase[code] = int(n, `${f}.daysWhenCase.${code}`, 1);
    }
    if (typeof o.binding !== 'boolean') bad(`${f}.binding`, 'must be true or false');
    filings[kind] = {
      ja: str(o.ja, `${f}.ja`),
      en: str(o.en, `${f}.en`),
      days,
      daysWhenCase,
      binding: o.binding as boolean,
      source: str(o.source, `${f}.source`),
      guidance: bilingual(o.guidance, `${f}.guidance`),
    };
  }
  if (filings.PRELIMINARY.days === null || filings.FINAL.days === null) bad('filings', 'PRELIMINARY and FINAL need days');

  const rem = obj(root.reminders, 'reminders');
  if (!Array.isArray(rem.daysBefore)) bad('reminders.daysBefore', 'must be a list');
  const daysBefore = (rem.daysBefore as unknown[]).map((d, i) => int(d, `reminders.daysBefore[${i}]`, 1));
  const authorities = Array.isArray(root.authorities)
    ? root.authorities.map((a, i) => {
        const o = obj(a, `authorities[${i}]`);
        return {
          code: str(o.code, `authorities[${i}].code`),
          ja: str(o.ja, `authorities[${i}].ja`),
          en: str(o.en, `authorities[${i}].en`),
        };
      })
    : bad('authorities', 'must be a list');
  if (authorities.length === 0) bad('authorities', 'must name at least one authority');
  return {
    id,
    effectiveFrom,
    law: bilingual(root.law, 'law'),
    timeZone,
    dayCount: { unit: 'CALENDAR_DAY', knowledgeDayNumber, note: str(dc.note, 'dayCount.note') },
    cases,
    filings,
    reminders: {
      daysBefore: [...new Set(daysBefore)].sort((a, b) => b - a),
      overdueEveryDays: int(rem.overdueEveryDays, 'reminders.overdueEveryDays', 1),
    },
    authorities,
    sources: Array.isArray(root.sources) ? root.sources.map((s, i) => str(s, `sources[${i}]`)) : [],
  };
}

/**
 * The pack in effect on `day` (YYYY-MM-DD in the packs' time zone): the one with the latest effectiveFrom not after
 * it; null when the day is before every pack.
 */
export function packInEffect(packs: readonly RulePack[], day: string): RulePack | null {
  let best: RulePack | null = null;
  for (const p of packs) if (p.effectiveFrom <= day && (!best || p.effectiveFrom > best.effectiveFrom)) best = p;
  return best;
}
