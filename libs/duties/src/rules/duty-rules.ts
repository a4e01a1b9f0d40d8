import type { AppliedCase } from '../domain/draft-facts';
import { DutyError, DutyErrorCode } from '../domain/duties.errors';
import { daysLeft, dueDay, type DayCountRule } from './day-count';
import type { FilingKind, RulePack } from './rule-pack';

/**
 * The rules of the duties, pure functions of a rule pack and the record's facts: which mandatory cases apply, whether
 * a report is mandatory and why, and each filing's due day. Unit-tested in duty-rules.spec.ts.
 */

/** A case asserted by a person, with why (ours: UNLAWFUL_PURPOSE, an insider taking data out). */
export interface AssertedCase {
  code: string;
  rationale: string;
}

export interface IndividualsCount {
  estimate: number | null;
  confirmed: number | null;
}

export const RATIONALE_MAX_CHARS = 2_000;

/** Refuses an asserted case the pack does not know, a blank rationale, or a case named twice. */
export function checkAssertedCases(pack: RulePack, asserted: readonly AssertedCase[]): void {
  const seen = new Set<string>();
  for (const [i, c] of asserted.entries()) {
    if (!pack.cases.some((p) => p.code === c.code)) {
      throw new DutyError(DutyErrorCode.INVALID_FIELD, `Case ${c.code} is not a case of ${pack.id}`, {
        field: `cases[${i}].code`,
        allowed: pack.cases.map((p) => p.code),
      });
    }
    if (seen.has(c.code)) throw new DutyError(DutyErrorCode.INVALID_FIELD, `Case ${c.code} is named twice`, { field: `cases[${i}].code` });
    seen.add(c.code);
    const rationale = c.rationale.trim();
    if (rationale === '' || rationale.length > RATIONALE_MAX_CHARS) {
      throw new DutyError(DutyErrorCode.INVALID_FIELD, `A case needs its rationale (1 to ${RATIONALE_MAX_CHARS} characters)`, {
        field: `cases[${i}].rationale`,
      });
    }
  }
}

/** The count a threshold is measured against: the confirmed number once there is one, the estimate before. */
export function countedIndividuals(n: IndividualsCount): number | null {
  return n.confirmed ?? n.estimate;
}

/**
 * The cases that apply, in the pack's order: the asserted ones with their rationale, and those the pack derives from
 * the count (case 4: more than 1,000 individuals) when the count is over the threshold, with the count as rationale.
 * An asserted count-case stays (a person may assert "おそれ" before there is a count); when the count also passes the
 * threshold, the derived one replaces it. A case whose threshold the count does not pass is not derived.
 */
export function applicableCases(pack: RulePack, asserted: readonly AssertedCase[], individuals: IndividualsCount): AppliedCase[] {
  const counted = countedIndividuals(individuals);
  const out: AppliedCase[] = [];
  for (const c of pack.cases) {
    const derived =
      c.derivedFromCount && counted !== null && counted > c.minIndividualsAbove
        ? `本人の数 ${counted.toLocaleString('en-US')} 人（${individuals.confirmed !== null ? '確定' : '推計'}）が ${c.minIndividualsAbove.toLocaleString('en-US')} 人を超える`
        : null;
    const mine = asserted.find((a) => a.code === c.code);
    if (derived) out.push({ code: c.code, no: c.no, nameJa: c.ja, rationale: derived, derived: true });
    else if (mine) out.push({ code: c.code, no: c.no, nameJa: c.ja, rationale: mine.rationale.trim(), derived: false });
  }
  return out;
}

export interface Mandatory {
  mandatory: boolean;
  reasonJa: string;
  reasonEn: string;
}

/** Whether reporting to the authority and notifying the individuals is mandatory, with the reason shown to users. */
export function reportMandatory(pack: RulePack, applied: readonly AppliedCase[]): Mandatory {
  if (applied.length === 0) {
    return {
      mandatory: false,
      reasonJa: `${pack.id} の報告対象事態（${pack.cases.map((c) => c.no).join('・')}号）のいずれにも該当するとの記録はありません。`,
      reasonEn: `No mandatory case of ${pack.id} is recorded as applying.`,
    };
  }
  const nos = applied.map((c) => `${c.no}号`).join('・');
  return {
    mandatory: true,
    reasonJa: `施行規則7条${nos}に該当するため、報告及び本人への通知が義務となります（${pack.id}）。`,
    reasonEn: `Case${applied.length > 1 ? 's' : ''} ${applied.map((c) => c.no).join(', ')} of ${pack.id} appl${applied.length > 1 ? 'y' : 'ies'}: reporting and notice to the individuals are mandatory.`,
  };
}

/** The limit in days of a filing of `kind` given the applying cases (the largest case-specific limit wins); null: none. */
export function filingDays(pack: RulePack, kind: FilingKind, applied: readonly AppliedCase[]): number | null {
  const rule = pack.filings[kind];
  if (rule.days === null) return null;
  let days = rule.days;
  for (const c of applied) {
    const special = rule.daysWhenCase[c.code];
    if (special !== undefined && special > days) days = special;
  }
  return days;
}

export interface Deadline {
  kind: FilingKind;
  /** The last day (YYYY-MM-DD, the pack's zone); null for a kind without deadline. */
  dueOn: string | null;
  days: number | null;
  /** A statutory limit, or the regulator's guidance (the preliminary report's 3-5 days). */
  binding: boolean;
}

/** A filing's due day from the pack, the knowledge time and the applying cases. */
export function deadlineOf(pack: RulePack, kind: FilingKind, knownAt: Date, applied: readonly AppliedCase[]): Deadline {
  const days = filingDays(pack, kind, applied);
  return {
    kind,
    days,
    dueOn: days === null ? null : dueDay(knownAt, days, dayRuleOf(pack)),
    binding: pack.filings[kind].binding,
  };
}

/** The pack's way of counting days, for day-count.ts. */
export function dayRuleOf(pack: RulePack): DayCountRule {
  return { timeZone: pack.timeZone, knowledgeDayNumber: pack.dayCount.knowledgeDayNumber };
}

/** A deadline not yet met, seen at `now`: its due day, the days left (negative once late), OPEN or LATE. */
export interface OpenDeadlineState {
  dueOn: string;
  daysLeft: number;
  state: 'OPEN' | 'LATE';
  lateDays: number;
}

/** How a report not yet submitted stands at `now` (null: a kind without deadline). The record view and the reminders read it. */
export function openDeadlineState(deadline: Deadline, now: Date, pack: RulePack): OpenDeadlineState | null {
  if (deadline.dueOn === null) return null;
  const left = daysLeft(deadline.dueOn, now, pack);
  return { dueOn: deadline.dueOn, daysLeft: left, state: left < 0 ? 'LATE' : 'OPEN', lateDays: left < 0 ? -left : 0 };
}
