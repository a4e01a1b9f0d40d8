import { isSystem, type Actor } from '@app/common';
import { actorMay, Permission } from '@app/identity';
import { DutyError, DutyErrorCode } from '../../domain/duties.errors';

/** What the actor is on the incident's task force (IncidentsService.standingOf). */
export interface DutyStanding {
  chief: boolean;
  legalLead: boolean;
}

/**
 * Who prepares and submits an incident's PPC reports and runs its notice campaign: executives (BREACH_REPORTS_FILE),
 * the incident's task-force chief and its legal lead (a member granted the standing by setTaskForceLegalLead), and
 * the system (the demo loader). Everyone else is refused, whatever the operation's permission let through.
 */
export function assertMayPrepareDuties(actor: Actor, standing: DutyStanding, what: string): void {
  if (isSystem(actor) || actorMay(actor, Permission.BREACH_REPORTS_FILE) || standing.chief || standing.legalLead) return;
  throw new DutyError(DutyErrorCode.NOT_PERMITTED, `Only an executive, the task-force chief or the legal lead may ${what}`, {
    needs: 'BREACH_REPORTS_FILE',
  });
}

/** Who reads the record and its filings: executives and auditors (DUTIES_OVERSEE), and those who prepare them. */
export function assertMayReadDuties(actor: Actor, standing: DutyStanding): void {
  if (isSystem(actor) || actorMay(actor, Permission.DUTIES_OVERSEE) || actorMay(actor, Permission.BREACH_REPORTS_FILE)) return;
  if (standing.chief || standing.legalLead) return;
  throw new DutyError(
    DutyErrorCode.NOT_PERMITTED,
    "Only executives, auditors, the task-force chief and the legal lead read the incident's PPC reports",
    {
      needs: 'DUTIES_OVERSEE',
    },
  );
}

/** Whether the actor needs to be looked up on the task force at all (executives, auditors and the system do not). */
export function standingMatters(actor: Actor): boolean {
  return !(isSystem(actor) || actorMay(actor, Permission.DUTIES_OVERSEE) || actorMay(actor, Permission.BREACH_REPORTS_FILE));
}
