import { isSystem, type Actor } from '@app/common';
import { actorMay, Permission } from '@app/identity';
import { CountermeasureError, CountermeasureErrorCode } from './countermeasure.errors';

/**
 * Record-level rules of who may change a countermeasure (the global guard has
 * already checked the role-level permission):
 * - the task-force chief and admins create countermeasures and assign owners;
 * - the owner and contributors edit and move their own items;
 * - re-planning a due date: the owner, a contributor, the chief or an admin;
 * - executives cancel, and reopen verified work (e.g. after an audit finding);
 * - auditors edit nothing here (their sign-off and rejection come with evidence).
 * The system (demo loader, jobs) may do anything it is asked to. The standing
 * of admins and executives is asked of the permission map (PLANS_MANAGE,
 * REMEDIATION_DECIDE), never of a role's name.
 */
export interface ItemParties {
  /** The owner, while a current task-force member (someone who left acts for nobody). */
  ownerId: string | null;
  /** Contributors who are current task-force members. */
  contributorIds: readonly string[];
  /** The user id of the incident's current chief, if any. */
  chiefId: string | null;
}

/** Admins plan any incident as its chief would. */
const isAdmin = (a: Actor) => actorMay(a, Permission.PLANS_MANAGE);
/** Executives cancel and reopen. */
const isExecutive = (a: Actor) => actorMay(a, Permission.REMEDIATION_DECIDE);

function refuse(what: string, actor: Actor): never {
  throw new CountermeasureError(CountermeasureErrorCode.NOT_PERMITTED, `You may not ${what}`, { actor: actor.label, what });
}

export function assertMayPlan(actor: Actor, chiefId: string | null, what: string): void {
  if (isSystem(actor) || isAdmin(actor) || (chiefId !== null && actor.id === chiefId)) return;
  refuse(`${what}: only the task-force chief or an admin may`, actor);
}

export function assertMayEdit(actor: Actor, item: Pick<ItemParties, 'ownerId' | 'contributorIds'>): void {
  if (isSystem(actor) || actor.id === item.ownerId || item.contributorIds.includes(actor.id!)) return;
  refuse('change this countermeasure: only its owner and contributors may', actor);
}

export function assertMayReplan(actor: Actor, item: ItemParties): void {
  if (
    isSystem(actor) ||
    isAdmin(actor) ||
    actor.id === item.ownerId ||
    actor.id === item.chiefId ||
    item.contributorIds.includes(actor.id!)
  )
    return;
  refuse('change the due date: only the owner, a contributor, the chief or an admin may', actor);
}

export function assertMayDecide(actor: Actor, what: string): void {
  if (isSystem(actor) || isExecutive(actor)) return;
  refuse(`${what}: only an executive may`, actor);
}

/**
 * Dependencies ("this item cannot finish before that one") are part of planning
 * the item's own work: its owner and contributors may add and remove them, and
 * so may the chief and admins, who plan the whole incident. Other members,
 * executives who are not the chief, and auditors may not. Only the dependent
 * item (the one whose plan changes, and whose version is bumped) is checked:
 * depending on someone else's item does not change that item.
 */
export function assertMayLinkDependencies(actor: Actor, item: ItemParties): void {
  if (
    isSystem(actor) ||
    isAdmin(actor) ||
    actor.id === item.ownerId ||
    actor.id === item.chiefId ||
    item.contributorIds.includes(actor.id!)
  )
    return;
  refuse('change the dependencies of this countermeasure: only its owner, a contributor, the chief or an admin may', actor);
}
