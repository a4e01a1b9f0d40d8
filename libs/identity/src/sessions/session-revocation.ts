import type { Actor } from '@app/common';
import type { AuditTrailService } from '@app/audit-trail';
import type { EntityManager } from 'typeorm';
import { AuthSessionEntity } from './auth-session.entity';

/** Revocation reasons kept on the session. */
export const RevocationReason = {
  SIGNED_OUT: 'SIGNED_OUT',
  REVOKED: 'REVOKED',
  REVOKED_BY_ADMIN: 'REVOKED_BY_ADMIN',
  REFRESH_TOKEN_REUSED: 'REFRESH_TOKEN_REUSED',
  USER_DEACTIVATED: 'USER_DEACTIVATED',
  /** The user's roles changed: a session decided (second factor or not) under the old roles does not go on. */
  ROLES_CHANGED: 'ROLES_CHANGED',
  /** The policy now requires a second factor for a role the user holds, and this session never proved one. */
  SECOND_FACTOR_NOW_REQUIRED: 'SECOND_FACTOR_NOW_REQUIRED',
} as const;
export type RevocationReason = (typeof RevocationReason)[keyof typeof RevocationReason];

/**
 * Ends the open sessions that `where` selects (locked first), in the caller's transaction, each with a trail
 * entry. Returns their ids. Their tokens are refused from the next request; their WebSocket subscriptions end at
 * their next event (or at once when the caller announces them: SessionsService.onRevoked).
 */
export async function endSessionsWhere(
  tx: EntityManager,
  trail: AuditTrailService,
  actor: Actor,
  reason: RevocationReason,
  where: { sql: string; params: Record<string, unknown> },
  now: Date,
): Promise<string[]> {
  const open = await tx
    .getRepository(AuthSessionEntity)
    .createQueryBuilder('s')
    .setLock('pessimistic_write')
    .where(`s.revoked_at IS NULL AND (${where.sql})`, where.params)
    .orderBy('s.id')
    .getMany();
  await endSessions(tx, trail, open, actor, reason, now);
  return open.map((s) => s.id);
}

/** Ends these (locked) sessions, each with a trail entry `auth.session-revoked`. */
export async function endSessions(
  tx: EntityManager,
  trail: AuditTrailService,
  sessions: AuthSessionEntity[],
  actor: Actor,
  reason: RevocationReason,
  now: Date,
): Promise<void> {
  for (const session of sessions) {
    const changes = { revokedAt: now, revokedById: actor.id, revokedByLabel: actor.label, revocationReason: reason };
    await tx.getRepository(AuthSessionEntity).update({ id: session.id }, changes);
    Object.assign(session, changes);
    await trail.append({
      actor,
      action: 'auth.session-revoked',
      entityType: 'AuthSession',
      entityId: session.id,
      after: { userId: session.userId, reason },
    });
  }
}
