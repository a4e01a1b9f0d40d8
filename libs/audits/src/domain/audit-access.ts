import { isSystem, type Actor } from '@app/common';
import { actorMay, Permission } from '@app/identity';
import { AuditError, AuditErrorCode } from './audit.errors';

/**
 * Record-level rules of the external audit (the global guard has already checked
 * the role-level permission: AUDIT_CONDUCT for auditors, RISK_ACCEPT for
 * executives, REMEDIATION_WRITE for planning):
 * - the task-force chief or an admin commissions an engagement and creates a
 *   countermeasure from a finding (like every countermeasure);
 * - the engagement's lead auditor edits it, moves it and clears it;
 * - the lead or a team member raises findings;
 * - the lead or the finding's author resolves and reopens it;
 * - executives accept and revoke risks.
 * The system (jobs, the sweep) may do what it is asked to.
 */
export interface EngagementParties {
  leadAuditorId: string;
  teamIds: readonly string[];
}

function refuse(actor: Actor, what: string): never {
  throw new AuditError(AuditErrorCode.NOT_PERMITTED, `You may not ${what}`, { actor: actor.label, what });
}

export function assertMayCommission(
  actor: Actor,
  chiefId: string | null,
  what = 'commission an external audit: only the task-force chief or an admin may',
): void {
  if (isSystem(actor) || actorMay(actor, Permission.PLANS_MANAGE) || (chiefId !== null && actor.id === chiefId)) return;
  refuse(actor, what);
}

export function assertIsLead(actor: Actor, e: EngagementParties, what: string): void {
  if (isSystem(actor) || actor.id === e.leadAuditorId) return;
  refuse(actor, `${what}: only the engagement's lead auditor may`);
}

export function assertMayRaiseFinding(actor: Actor, e: EngagementParties): void {
  if (isSystem(actor) || actor.id === e.leadAuditorId || e.teamIds.includes(actor.id!)) return;
  refuse(actor, "raise a finding: only the engagement's lead auditor and team may");
}

export function assertMayCloseFinding(actor: Actor, e: EngagementParties, raisedById: string | null, what: string): void {
  if (isSystem(actor) || actor.id === e.leadAuditorId || (raisedById !== null && actor.id === raisedById)) return;
  refuse(actor, `${what}: only the engagement's lead auditor or the finding's author may`);
}

export function assertMayAcceptRisk(actor: Actor, what = 'accept a risk'): void {
  if (isSystem(actor) || actorMay(actor, Permission.RISK_ACCEPT)) return;
  refuse(actor, `${what}: only an executive may`);
}
