import type { Actor } from '@app/common';
import type { AuditTrailService } from '@app/audit-trail';
import type { NoticeBus } from '@app/database';
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
 * Announced at commit when sessions are ended by SessionsService (signed out,
 * revoked, refresh token reused) — NoticeBus: pg_notify in the transaction, or
 * Redis after it: every instance closes its WebSocket connections of those
 * sessions at once (SessionsService.onRevoked). On PostgreSQL one notice per
 * session, sent by the session's own UPDATE (no statement more); on Redis in
 * chunks of REVOKED_CHUNK ids. Either way a payload stays far below NOTIFY's
 * 8000 bytes. Sessions ended by a deactivation, a change of roles or of the
 * second-factor policy are not announced (as before): their connections are
 * refused at their next event or operation, on whichever instance.
 */
export const SESSIONS_REVOKED_CHANNEL = 'auth_sessions_revoked';
const REVOKED_CHUNK = 100;

export interface SessionsRevokedNotice {
  sessionIds: string[];
}

/**
 * Ends the open sessions that `where` selects (locked first), in the caller's transaction, each with a trail
 * entry. Returns their ids. Their tokens are refused from the next request; their WebSocket subscriptions end at
 * their next event, or, with `announceTo`, on every instance once the transaction commits (SESSIONS_REVOKED_CHANNEL).
 */
export async function endSessionsWhere(
  tx: EntityManager,
  trail: AuditTrailService,
  actor: Actor,
  reason: RevocationReason,
  where: { sql: string; params: Record<string, unknown> },
  now: Date,
  announceTo?: NoticeBus,
): Promise<string[]> {
  const open = await tx
    .getRepository(AuthSessionEntity)
    .createQueryBuilder('s')
    .setLock('pessimistic_write')
    .where(`s.revoked_at IS NULL AND (${where.sql})`, where.params)
    .orderBy('s.id')
    .getMany();
  await endSessions(tx, trail, open, actor, reason, now, announceTo);
  return open.map((s) => s.id);
}

/** Ends these (locked) sessions, each with a trail entry `auth.session-revoked`, announced at commit. */
export async function endSessions(
  tx: EntityManager,
  trail: AuditTrailService,
  sessions: AuthSessionEntity[],
  actor: Actor,
  reason: RevocationReason,
  now: Date,
  announceTo?: NoticeBus,
): Promise<void> {
  for (const session of sessions) {
    const changes = { revokedAt: now, revokedById: actor.id, revokedByLabel: actor.label, revocationReason: reason };
    if (announceTo?.notifiesInSql) {
      // The UPDATE TypeORM's update() sends (the version too), and the session's notice with it.
      await tx.query(
        `WITH s AS (
           UPDATE auth_sessions SET revoked_at = $2, revoked_by_id = $3, revoked_by_label = $4, revocation_reason = $5, version = version + 1
           WHERE id = $1 RETURNING id)
         SELECT pg_notify($6, json_build_object('sessionIds', json_build_array(s.id))::text) FROM s`,
        [session.id, now, actor.id, actor.label, reason, SESSIONS_REVOKED_CHANNEL],
      );
    } else {
      await tx.getRepository(AuthSessionEntity).update({ id: session.id }, changes);
    }
    Object.assign(session, changes);
    await trail.append({
      actor,
      action: 'auth.session-revoked',
      entityType: 'AuthSession',
      entityId: session.id,
      after: { userId: session.userId, reason },
    });
  }
  if (announceTo && !announceTo.notifiesInSql) {
    const ids = sessions.map((s) => s.id);
    const chunks: SessionsRevokedNotice[] = [];
    for (let i = 0; i < ids.length; i += REVOKED_CHUNK) chunks.push({ sessionIds: ids.slice(i, i + REVOKED_CHUNK) });
    await announceTo.announceAll(tx, SESSIONS_REVOKED_CHANNEL, chunks);
  }
}
