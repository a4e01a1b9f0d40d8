import { isSystem, type Actor } from '@app/common';
import { actorMay, Permission } from '@app/identity';
import { IncidentError, IncidentErrorCode } from './incident.errors';

/**
 * Record-level rules of who may change an incident and its task force. The
 * global guard has already checked the role-level permission
 * (REMEDIATION_WRITE: TASK_FORCE, EXECUTIVE, ADMIN); these rules decide per
 * incident:
 *
 * | change                                             | who                                                  |
 * |----------------------------------------------------|------------------------------------------------------|
 * | create an incident                                 | ADMIN, EXECUTIVE                                     |
 * | edit title, summary, the four dates                | ADMIN, EXECUTIVE, the incident's chief               |
 * | add, correct, remove a system, a data category,    | ADMIN, EXECUTIVE, the incident's chief               |
 * | a party                                            |                                                      |
 * | add, correct, remove a timeline event              | the above, and any current member of its task force  |
 * | add a member, change a role, remove a member       | ADMIN, the incident's chief                          |
 * | designate the chief                                | ADMIN, EXECUTIVE                                     |
 *
 * Why: the inventory (which systems, which data was leaked) and the parties
 * are what the company states publicly and to the regulator, so governance
 * (executives, the chief, admins) keeps them; members record the timeline as
 * the work happens. Whoever may add an entry may also correct or remove it
 * (with a reason; a removal keeps the entry as history): a correction is the
 * same statement made again, so it needs the same standing. Executives
 * designate the chief (the president chairs the task force); the chief runs
 * the membership. A member who left, or a user of
 * another incident's task force, has no part here. The system (demo loader,
 * CLI, jobs; `isSystem`) may do anything it is asked to. The standing of
 * executives and admins is asked of the permission map (INCIDENTS_GOVERN:
 * executives and admins; PLANS_MANAGE: admins), never of a role's name.
 */
export interface IncidentParties {
  /** The user id of the incident's current chief, if any. */
  chiefId: string | null;
  /** Whether the actor is a current member of this incident's task force. */
  actorIsMember: boolean;
}

/** Executives and admins govern every incident. */
const governs = (a: Actor) => actorMay(a, Permission.INCIDENTS_GOVERN);
/** Admins run any task force as its chief would. */
const managesPlans = (a: Actor) => actorMay(a, Permission.PLANS_MANAGE);
const isChief = (a: Actor, chiefId: string | null) => chiefId !== null && a.id === chiefId;

function refuse(actor: Actor, what: string, who: string): never {
  throw new IncidentError(IncidentErrorCode.NOT_PERMITTED, `You may not ${what}: only ${who} may`, { actor: actor.label, what });
}

export function assertMayCreateIncident(actor: Actor): void {
  if (isSystem(actor) || governs(actor)) return;
  refuse(actor, 'create an incident', 'an admin or an executive');
}

/** Title, summary, dates, and the inventory (systems, data categories, parties): adding, correcting, removing. */
export function assertMayEditIncident(actor: Actor, parties: IncidentParties, what: string): void {
  if (isSystem(actor) || governs(actor) || isChief(actor, parties.chiefId)) return;
  refuse(actor, what, "an admin, an executive or the incident's task-force chief");
}

/** Adding to the timeline, and correcting or removing its events. */
export function assertMayRecordEvent(actor: Actor, parties: IncidentParties, what = 'add to the timeline'): void {
  if (isSystem(actor) || governs(actor) || isChief(actor, parties.chiefId) || parties.actorIsMember) return;
  refuse(actor, what, "an admin, an executive, or a current member of the incident's task force");
}

/** Adding members, changing their roles, removing them. */
export function assertMayManageTaskForce(actor: Actor, parties: IncidentParties, what: string): void {
  if (isSystem(actor) || managesPlans(actor) || isChief(actor, parties.chiefId)) return;
  refuse(actor, what, 'the task-force chief or an admin');
}

export function assertMayDesignateChief(actor: Actor): void {
  if (isSystem(actor) || governs(actor)) return;
  refuse(actor, 'designate the task-force chief', 'an admin or an executive');
}
