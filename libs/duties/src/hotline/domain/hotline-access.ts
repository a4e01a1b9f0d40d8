import { isSystem, type Actor } from '@app/common';
import { actorMay, Permission } from '@app/identity';
import { DutyError, DutyErrorCode } from '../../domain/duties.errors';

/**
 * Who may log the hotline's figures and read its notable cases, per incident. The guard has already checked the
 * operation's permission (HOTLINE_LOG to log, DUTIES_READ to read cases; the aggregates need only REMEDIATION_READ,
 * they are not personal data). These rules decide per incident:
 *
 * | what                                  | who                                                                      |
 * |---------------------------------------|--------------------------------------------------------------------------|
 * | record a day's counts, add a case     | executives (every incident); a HOTLINE_LOG holder on the incident's     |
 * |                                       | task force (a current member, the chief included)                       |
 * | read the notable cases                | executives and auditors (every incident); the incident's current chief; |
 * |                                       | whoever may log for that incident (the logger reads what they log)      |
 *
 * Why: a notable case may describe one customer's situation (a suspicious call to a named household), so it is read
 * by those who answer for the incident, those who audit it, and those who write it down, not by every task-force
 * member of every incident. HOTLINE_LOG is granted to the TASK_FORCE role as a whole; the standing for one incident
 * is membership of its task force. Executives are recognised by BREACH_REPORTS_FILE (they file any incident's PPC
 * report, whose item 5 quotes these cases), auditors by AUDIT_CONDUCT (they audit everything): the permission map,
 * never a role's name. A member who left has no standing. The system (demo loader, CLI) may do what it is asked.
 */
export interface HotlineStanding {
  /** The user id of the incident's current chief, if any. */
  chiefId: string | null;
  /** Whether the actor is a current member of the incident's task force. */
  actorIsMember: boolean;
}

const filesReports = (a: Actor) => actorMay(a, Permission.BREACH_REPORTS_FILE);
const audits = (a: Actor) => actorMay(a, Permission.AUDIT_CONDUCT);
const isChief = (a: Actor, s: HotlineStanding) => s.chiefId !== null && a.id === s.chiefId;

function mayLog(actor: Actor, standing: HotlineStanding): boolean {
  if (isSystem(actor)) return true;
  if (!actorMay(actor, Permission.HOTLINE_LOG)) return false;
  return filesReports(actor) || standing.actorIsMember || isChief(actor, standing);
}

function refuse(actor: Actor, what: string, who: string): never {
  throw new DutyError(DutyErrorCode.NOT_PERMITTED, `You may not ${what}: only ${who} may`, { actor: actor.label, what });
}

export function assertMayLogHotline(actor: Actor, standing: HotlineStanding, what: string): void {
  if (mayLog(actor, standing)) return;
  refuse(actor, what, "an executive, or a member of the incident's task force who logs the hotline");
}

export function mayReadHotlineCases(actor: Actor, standing: HotlineStanding): boolean {
  return isSystem(actor) || filesReports(actor) || audits(actor) || isChief(actor, standing) || mayLog(actor, standing);
}

export function assertMayReadHotlineCases(actor: Actor, standing: HotlineStanding): void {
  if (mayReadHotlineCases(actor, standing)) return;
  refuse(
    actor,
    "read this incident's notable hotline cases",
    "an executive, an auditor, the incident's chief, or a member of its task force who logs the hotline",
  );
}
