import { addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { describeBlocker, withMessage, type BlockerCode, type BlockerParams } from './blocker-text';

/**
 * The sales-promotion gate (新規顧客向け販売促進の再開判定) as pure functions:
 * no I/O, no clock (the instant they judge at is an argument). The service gathers the facts under the incident lock,
 * asks `evaluateGate`, and stores the state `deriveGateState` returns, in the
 * transaction of the change that made it re-evaluate.
 *
 * ## The rules (the gate may open only when all hold)
 * 1. every countermeasure marked "required before promotion may resume" is
 *    VERIFIED — decision: an ongoing measure that was signed off and is
 *    OPERATING counts as verified; DEGRADED does not (its evidence went stale);
 *    a CANCELLED required measure blocks too (a promise dropped is not kept:
 *    unmark it first, with the chief's decision in the trail);
 * 2. the external audit is CLEARED and its clearance still stands;
 * 3. no CRITICAL or HIGH finding is open (an unexpired risk acceptance closes it
 *    for this purpose, as the audits context decides);
 * 4. an executive (the task-force chief, or one of the users the gate names)
 *    authorizes the reopening with a statement, and is not the auditor whose
 *    clearance stands.
 *
 * ## States
 * - SUSPENDED: some rule 1-3 is broken, or an executive holds the gate by hand.
 * - ELIGIBLE: rules 1-3 hold; waiting for rule 4 (an authorization).
 * - OPEN: authorized while eligible, and nothing broke since.
 * Any broken rule returns an OPEN or ELIGIBLE gate to SUSPENDED at once; an
 * authorization is spent when the gate leaves OPEN (reopening needs a new one).
 *
 * ## Rules with a date (they hold at the moment the gate is read)
 * Some inputs stop holding by the calendar alone, with no change to any row:
 * a risk acceptance that closes a blocking finding (it holds through its last
 * day, Asia/Tokyo), the freshness of an OPERATING ongoing measure's recurring
 * evidence (fresh through effective day + period), a requirement's risk
 * acceptance that covers verified work. Each is a `DateRule`: the instant it
 * lapses and the blocker it becomes then. The gate row stores the pending ones
 * (`date_rules`, and their earliest instant `reevaluate_at`); `gateAsOf` turns
 * those whose instant has come into blockers on every read, so no read answers
 * OPEN past a lapse even when no sweep ran (server down at midnight, failed
 * job). A re-evaluation (`evaluateGate`) counts a lapsed rule as a blocker too,
 * until the sweep that applies it (expiry, freshness) has moved the rows.
 */

export const GATE_STATES = ['SUSPENDED', 'ELIGIBLE', 'OPEN'] as const;
export type GateState = (typeof GATE_STATES)[number];

export const BLOCKER_KINDS = ['COUNTERMEASURE_NOT_VERIFIED', 'NO_AUDIT_CLEARANCE', 'OPEN_FINDING', 'MANUAL_HOLD'] as const;
export type BlockerKind = (typeof BLOCKER_KINDS)[number];

export interface RequiredCountermeasureFacts {
  id: string;
  key: string;
  title: string;
  status: string;
  ownerId: string;
  ownerName: string | null;
  /** While BLOCKED: the status it returns to. */
  resumeStatus: string | null;
}

export interface BlockingFindingFacts {
  id: string;
  key: string;
  title: string;
  severity: string;
  countermeasureKey: string | null;
}

export interface GateFacts {
  required: readonly RequiredCountermeasureFacts[];
  /** The standing clearance of the incident's audit, or null when none stands. */
  clearance: { id: string; clearedById: string | null; clearedByLabel: string; clearedAt: Date } | null;
  /** Engagement status when there is no standing clearance (for the sentence), or null when no engagement exists. */
  auditStatus: string | null;
  openBlockingFindings: readonly BlockingFindingFacts[];
  /** Set when an executive holds the gate by hand. */
  hold: { byLabel: string; at: Date; reason: string } | null;
  /** Inputs that stop holding at a known instant (see "Rules with a date"), lapsed or not. */
  dateRules: readonly DateRule[];
  /** The instant the rules are judged at (the app Clock). */
  now: Date;
}

/**
 * One thing that stands in the way. Stored as data (`code` and its parameters,
 * blocker-text.ts); `message`, the sentence, is made from them on every read
 * (`withMessage`) and never stored.
 */
export interface Blocker extends BlockerParams {
  code: BlockerCode;
  kind: BlockerKind;
  /** The item it concerns (a countermeasure, a finding, the clearance), if any. */
  itemId: string | null;
  itemKey: string | null;
  itemTitle: string | null;
  ownerId: string | null;
  ownerName: string | null;
  /** A sentence a person can act on (describeBlocker, made on read). */
  message: string;
}

/**
 * An input of the gate that stops holding at `at` (ISO-8601 UTC) by the
 * calendar alone; from then on it is the blocker it carries. Stored on the
 * gate row as JSON (`date_rules`), so `at` is text.
 */
export interface DateRule extends Blocker {
  at: string;
}

/** The instant a rule that holds through `lastDay` (YYYY-MM-DD, Asia/Tokyo) lapses: the start of the next day in Japan. */
export function lapsesAfter(lastDay: string): Date {
  // Asia/Tokyo keeps +09:00 all year (no daylight saving).
  return new Date(`${addDays(lastDay, 1)}T00:00:00.000+09:00`);
}

/** A day as Japanese readers write it (YYYY-MM-DD in Asia/Tokyo), for messages. */
export function dayInJapan(at: Date): string {
  return todayIn(CASE_TIME_ZONE, at);
}

function isLapsed(rule: Pick<DateRule, 'at'>, now: Date): boolean {
  return Date.parse(rule.at) <= now.getTime();
}

function toBlocker(r: DateRule): Blocker {
  const { at: _at, ...blocker } = r;
  return withMessage(blocker);
}

function byInstant(a: DateRule, b: DateRule): number {
  return (
    Date.parse(a.at) - Date.parse(b.at) ||
    (a.itemKey ?? '').localeCompare(b.itemKey ?? '') ||
    describeBlocker(a).localeCompare(describeBlocker(b))
  );
}

/** The rules still to lapse after `now`, earliest first: what the gate row keeps (and `reevaluate_at`, the first instant). */
export function pendingDateRules(f: Pick<GateFacts, 'dateRules' | 'now'>): DateRule[] {
  return f.dateRules.filter((r) => !isLapsed(r, f.now)).sort(byInstant);
}

export interface StoredGate {
  state: GateState;
  /** As stored (data; a sentence, if present, is made again). */
  blockers: readonly (Omit<Blocker, 'message'> & { message?: string })[];
  dateRules: readonly DateRule[];
  updatedAt: Date;
}

export interface GateView {
  state: GateState;
  blockers: Blocker[];
  /** When the state read now began: the row's last change, or the instant a rule lapsed since. */
  since: Date;
  /** The stored rules that have lapsed by `now` (empty when the row is current). */
  lapsed: DateRule[];
}

/**
 * The gate as it stands at `now`, from its stored row alone (no I/O): the
 * stored state, unless a date rule it relies on has lapsed since it was
 * evaluated — then SUSPENDED, with that rule's blocker. Every read goes
 * through this (canPromote, gate, gates, GET /gates/:key, the dashboard).
 */
export function gateAsOf(g: StoredGate, now: Date): GateView {
  const lapsed = g.dateRules.filter((r) => isLapsed(r, now)).sort(byInstant);
  if (lapsed.length === 0) return { state: g.state, blockers: g.blockers.map(withMessage), since: g.updatedAt, lapsed: [] };
  const first = new Date(Math.max(Date.parse(lapsed[0]!.at), g.updatedAt.getTime()));
  return {
    state: 'SUSPENDED',
    blockers: [...g.blockers.map(withMessage), ...lapsed.map(toBlocker)],
    since: g.state === 'SUSPENDED' ? g.updatedAt : first,
    lapsed,
  };
}

const VERIFIED_FOR_GATE = new Set(['VERIFIED', 'OPERATING']);

export function isVerifiedForGate(status: string): boolean {
  return VERIFIED_FOR_GATE.has(status);
}

/** Everything that stands between the company and reopening, in a stable order. */
export function evaluateGate(f: GateFacts): Blocker[] {
  const blockers: Blocker[] = [];
  if (f.hold) {
    blockers.push(
      withMessage({
        code: 'MANUAL_HOLD',
        kind: 'MANUAL_HOLD',
        itemId: null,
        itemKey: null,
        itemTitle: null,
        ownerId: null,
        ownerName: null,
        by: f.hold.byLabel,
        // The day as the company reads it (Asia/Tokyo): a hold at 08:30 JST is that day, not the UTC day before.
        on: dayInJapan(f.hold.at),
        reason: f.hold.reason,
      }),
    );
  }
  for (const c of [...f.required].sort((a, b) => a.key.localeCompare(b.key))) {
    if (isVerifiedForGate(c.status)) continue;
    blockers.push(
      withMessage({
        code: 'COUNTERMEASURE_NOT_VERIFIED',
        kind: 'COUNTERMEASURE_NOT_VERIFIED',
        itemId: c.id,
        itemKey: c.key,
        itemTitle: c.title,
        ownerId: c.ownerId,
        ownerName: c.ownerName,
        status: c.status,
        ...(c.status === 'BLOCKED' ? { resumeStatus: c.resumeStatus } : {}),
      }),
    );
  }
  if (!f.clearance) {
    const item = { kind: 'NO_AUDIT_CLEARANCE', itemId: null, itemKey: null, itemTitle: null, ownerId: null, ownerName: null } as const;
    blockers.push(
      withMessage(
        f.auditStatus === null
          ? { ...item, code: 'NO_AUDIT_ENGAGEMENT' }
          : { ...item, code: 'AUDIT_NOT_CLEARED', auditStatus: f.auditStatus },
      ),
    );
  }
  for (const x of [...f.openBlockingFindings].sort((a, b) => a.key.localeCompare(b.key))) {
    blockers.push(
      withMessage({
        code: 'OPEN_FINDING',
        kind: 'OPEN_FINDING',
        itemId: x.id,
        itemKey: x.key,
        itemTitle: x.title,
        ownerId: null,
        ownerName: null,
        severity: x.severity,
        countermeasureKey: x.countermeasureKey,
      }),
    );
  }
  // A rule whose date has passed blocks until the sweep that applies it has moved the rows.
  for (const r of f.dateRules.filter((x) => isLapsed(x, f.now)).sort(byInstant)) blockers.push(toBlocker(r));
  return blockers;
}

/**
 * The state the gate must have now. `authorizedWhileEligible` is true when an
 * executive authorized the reopening and the gate has not left OPEN since.
 */
export function deriveGateState(blockers: readonly Blocker[], current: GateState): GateState {
  if (blockers.length > 0) return 'SUSPENDED';
  return current === 'OPEN' ? 'OPEN' : 'ELIGIBLE';
}

export type AuthorizationRefusal = 'NOT_ELIGIBLE' | 'ALREADY_OPEN' | 'NOT_AN_AUTHORIZER' | 'CLEARING_AUDITOR';

/**
 * Whether `actorId` may authorize the reopening now. Authorizers: the
 * task-force chief, or the users the gate names (when it names any, only
 * they). Never the auditor whose clearance stands (two different people).
 */
export function authorizationRefusal(input: {
  state: GateState;
  actorId: string;
  isExecutive: boolean;
  chiefId: string | null;
  namedAuthorizerIds: readonly string[];
  clearingAuditorId: string | null;
}): AuthorizationRefusal | null {
  const { state, actorId } = input;
  if (!input.isExecutive) return 'NOT_AN_AUTHORIZER';
  const authorizers = input.namedAuthorizerIds.length > 0 ? input.namedAuthorizerIds : input.chiefId ? [input.chiefId] : [];
  if (!authorizers.includes(actorId)) return 'NOT_AN_AUTHORIZER';
  if (input.clearingAuditorId !== null && actorId === input.clearingAuditorId) return 'CLEARING_AUDITOR';
  if (state === 'OPEN') return 'ALREADY_OPEN';
  if (state !== 'ELIGIBLE') return 'NOT_ELIGIBLE';
  return null;
}
