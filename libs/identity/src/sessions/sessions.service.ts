import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { Propagation, TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Actor, isUuid, type AppConfig } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { NoticeBus, type NoticeListener } from '@app/database';
import { IdentityError, IdentityErrorCode } from '../domain/identity.errors';
import { UserEntity } from '../user.entity';
import { AuthSessionEntity } from './auth-session.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { SecondFactorPolicyService } from './second-factor-policy.service';
import {
  endSessions,
  endSessionsWhere,
  RevocationReason,
  SESSIONS_REVOKED_CHANNEL,
  type SessionsRevokedNotice,
} from './session-revocation';
import { initialSessionState, isFreshProof, proofRecord, SessionState, type SecondFactorProof, type SignInMethod } from './second-factor';

export interface DeviceInfo {
  userAgent?: string | null;
  address?: string | null;
}

export interface IssuedSession {
  accessToken: string;
  expiresAt: Date;
  refreshToken: string;
  refreshExpiresAt: Date;
  session: AuthSessionEntity;
  user: UserEntity;
}

export interface SessionAccessClaims {
  sub: string;
  sid: string;
}

export { RevocationReason } from './session-revocation';

/** Listeners told when sessions end, on any instance, once committed (the WebSocket server closes their connections). */
export type SessionsRevokedListener = (sessionIds: readonly string[]) => void;

const REFRESH_PREFIX = 'rtr_';

/**
 * The comment on the session's "last seen" mark (`/* session-seen *\/`): sent at most once a minute by whichever
 * request comes first, so a spec that counts a request's statements leaves it out.
 */
export const SESSION_SEEN = 'session-seen';

/**
 * Sessions run on the wall clock, not the app's Clock: the access tokens' `exp`, the TOTP windows and WebAuthn's
 * challenges are wall time, and a session must not end (or a step-up proof go stale) because a test or the demo's
 * replay reads another "now" for the records.
 */
export function wallClock(): Date {
  return new Date();
}

export function refreshTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Sessions: signing in opens one (and its first refresh token), every request
 * checks it, a refresh rotates its token, a revocation ends it. Access tokens
 * are short (JWT_TTL_SECONDS) and name the session (`sid`); the session, not
 * the token, decides: a revoked session's token is refused at its next request.
 */
@Injectable()
export class SessionsService implements OnModuleDestroy {
  /** Ended sessions as every instance announces them at commit (SESSIONS_REVOKED_CHANNEL); listened to once asked. */
  private readonly revoked: NoticeListener<SessionsRevokedNotice>;
  private listening: Promise<void> | null = null;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly jwt: JwtService,
    private readonly trail: AuditTrailService,
    private readonly policy: SecondFactorPolicyService,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(NoticeBus) private readonly notices: NoticeBus,
  ) {
    this.revoked = notices.listen<SessionsRevokedNotice>(SESSIONS_REVOKED_CHANNEL);
  }

  async onModuleDestroy(): Promise<void> {
    await this.listening?.catch(() => undefined);
    await this.revoked.stop();
  }

  private get sessions() {
    return this.txHost.tx.getRepository(AuthSessionEntity);
  }

  private get refreshTokens() {
    return this.txHost.tx.getRepository(RefreshTokenEntity);
  }

  /** Calls `listener` with the ids of sessions ended from now on, by any instance, once committed; returns the unsubscribe function. */
  onRevoked(listener: SessionsRevokedListener): () => void {
    const unsubscribe = this.revoked.subscribe((notice) => {
      if (Array.isArray(notice.sessionIds) && notice.sessionIds.length > 0) listener(notice.sessionIds);
    });
    this.listening ??= this.revoked.start();
    return unsubscribe;
  }

  /**
   * Opens a session for `user`, who has just proved their password (or signed in through the identity provider).
   * `proof`: a second factor proved by the sign-in itself (an IdP's MFA). The session's state follows the user's
   * factors and the role policy (initialSessionState). A trail entry `auth.signed-in`.
   */
  @Transactional()
  async signIn(
    user: UserEntity,
    how: { method: SignInMethod; proof?: SecondFactorProof | null; device: DeviceInfo },
  ): Promise<IssuedSession> {
    const now = wallClock();
    const [hasSecondFactor, required] = await Promise.all([this.hasSecondFactor(user.id), this.policy.requiredFor(user.roles)]);
    const state = initialSessionState({ proved: !!how.proof, hasSecondFactor, secondFactorRequired: required });
    const session = this.sessions.create({
      userId: user.id,
      state,
      signInMethod: how.method,
      secondFactorMethod: how.proof?.method ?? null,
      secondFactorAt: how.proof?.at ?? null,
      secondFactorAmr: how.proof?.amr ? [...how.proof.amr] : null,
      secondFactorAcr: how.proof?.acr ?? null,
      userAgent: how.device.userAgent?.slice(0, 300) ?? null,
      address: how.device.address ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.get('SESSION_MAX_SECONDS', { infer: true }) * 1000),
      revokedAt: null,
      revokedById: null,
      revokedByLabel: null,
      revocationReason: null,
    });
    await this.sessions.insert(session);
    await this.trail.append({
      actor: Actor.user(user),
      action: 'auth.signed-in',
      entityType: 'AuthSession',
      entityId: session.id,
      after: {
        userId: user.id,
        method: how.method,
        state,
        secondFactor: how.proof ? proofRecord(how.proof) : null,
        address: session.address,
        userAgent: session.userAgent,
      },
    });
    return this.issue(user, session, now);
  }

  /**
   * A refused sign-in or second factor, as a trail entry of its own transaction (the request itself fails and
   * writes nothing else). `userId` when the account is known; otherwise the entry names the SHA-256 of the e-mail
   * typed (never the text: it may be a mistyped password). Refusals by the throttle itself are not recorded: they
   * are counted there, and recording them would let a flood write to the trail.
   */
  async recordFailure(what: {
    action: 'auth.sign-in-failed' | 'auth.second-factor-failed' | 'auth.sso-refused';
    userId?: string | null;
    email?: string | null;
    reason: string;
    address?: string | null;
    details?: Record<string, unknown>;
  }): Promise<void> {
    await this.txHost.withTransaction(Propagation.RequiresNew, async () => {
      const entityId = what.userId ?? (what.email ? `sha256:${createHash('sha256').update(what.email, 'utf8').digest('hex')}` : 'unknown');
      await this.trail.append({
        actor: Actor.system('sign-in'),
        action: what.action,
        entityType: what.userId ? 'User' : 'SignInAttempt',
        entityId,
        after: { reason: what.reason, address: what.address ?? null, ...(what.details ?? {}) },
      });
    });
  }

  /** The session's next access token and refresh token (in the caller's transaction). */
  private async issue(user: UserEntity, session: AuthSessionEntity, now: Date): Promise<IssuedSession> {
    const claims: SessionAccessClaims = { sub: user.id, sid: session.id };
    const accessToken = await this.jwt.signAsync(claims);
    const { exp } = this.jwt.decode<{ exp?: number }>(accessToken);
    const refreshToken = `${REFRESH_PREFIX}${randomBytes(32).toString('base64url')}`;
    const idle = this.config.get('REFRESH_TTL_SECONDS', { infer: true }) * 1000;
    const refreshExpiresAt = new Date(Math.min(now.getTime() + idle, session.expiresAt.getTime()));
    await this.refreshTokens.insert({
      sessionId: session.id,
      tokenHash: refreshTokenHash(refreshToken),
      createdAt: now,
      expiresAt: refreshExpiresAt,
      usedAt: null,
    });
    return { accessToken, expiresAt: new Date((exp ?? 0) * 1000), refreshToken, refreshExpiresAt, session, user };
  }

  /**
   * Trades a refresh token for a new access token and a new refresh token. The token is used up; presenting a
   * used one again revokes the session (someone holds a copy), with a trail entry. Refused (INVALID_TOKEN) when the
   * token is unknown or expired, the session revoked or past its end, or the user deactivated.
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    const outcome = await this.refreshInTransaction(refreshToken);
    if (outcome.kind === 'reused') {
      throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'This refresh token was already used: the session is ended; sign in again');
    }
    return outcome.issued;
  }

  @Transactional()
  private async refreshInTransaction(
    refreshToken: string,
  ): Promise<{ kind: 'issued'; issued: IssuedSession } | { kind: 'reused'; sessionId: string }> {
    const refused = () => new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'The refresh token is not valid; sign in again');
    if (typeof refreshToken !== 'string' || !refreshToken.startsWith(REFRESH_PREFIX) || refreshToken.length > 100) throw refused();
    const now = wallClock();
    const row = await this.refreshTokens
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.token_hash = :h', { h: refreshTokenHash(refreshToken) })
      .getOne();
    if (!row) throw refused();
    const session = await this.sessions
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.id = :id', { id: row.sessionId })
      .getOne();
    if (!session || session.revokedAt) throw refused();
    if (row.usedAt) {
      await endSessions(
        this.txHost.tx,
        this.trail,
        [session],
        Actor.system('refresh-token-reuse'),
        RevocationReason.REFRESH_TOKEN_REUSED,
        now,
        this.notices,
      );
      return { kind: 'reused', sessionId: session.id };
    }
    if (row.expiresAt <= now || session.expiresAt <= now) throw refused();
    const user = await this.txHost.tx.getRepository(UserEntity).findOneBy({ id: session.userId });
    if (!user?.active) throw new IdentityError(IdentityErrorCode.ACCOUNT_DEACTIVATED, 'This account is deactivated; ask an admin');
    await this.refreshTokens.update({ id: row.id }, { usedAt: now });
    await this.sessions.update({ id: session.id }, { lastSeenAt: now });
    session.lastSeenAt = now;
    return { kind: 'issued', issued: await this.issue(user, session, now) };
  }

  /**
   * The user and session behind already-verified access-token claims, in one query, on every request: a revoked
   * or ended session, or a deactivated user, is refused at once. Marks the session seen (at most once a minute).
   */
  async authenticate(claims: { sub: string; sid?: unknown }): Promise<{ user: UserEntity; session: AuthSessionEntity }> {
    if (typeof claims.sid !== 'string') {
      throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'The access token is not valid; sign in again');
    }
    const session = await this.sessions
      .createQueryBuilder('s')
      .innerJoinAndMapOne('s.user', UserEntity, 'u', 'u.id = s.user_id')
      .where('s.id = :sid AND s.user_id = :sub', { sid: claims.sid, sub: claims.sub })
      .getOne();
    const user = (session as (AuthSessionEntity & { user?: UserEntity }) | null)?.user;
    if (!session || !user) throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'The access token names no session; sign in again');
    delete (session as AuthSessionEntity & { user?: UserEntity }).user;
    if (!user.active) throw new IdentityError(IdentityErrorCode.ACCOUNT_DEACTIVATED, 'This account is deactivated; ask an admin');
    const now = wallClock();
    if (session.revokedAt) throw new IdentityError(IdentityErrorCode.SESSION_REVOKED, 'This session was ended; sign in again');
    if (session.expiresAt <= now) throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, 'This session has ended; sign in again');
    if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
      // Not awaited into the answer's path: a lost update of "last seen" costs nothing.
      void this.sessions
        .createQueryBuilder()
        .update()
        .set({ lastSeenAt: now })
        .where('id = :id AND last_seen_at < :t', { id: session.id, t: new Date(now.getTime() - 60_000) })
        .comment(SESSION_SEEN)
        .execute()
        .catch(() => undefined);
    }
    return { user, session };
  }

  /**
   * Records a second factor proved in `session` (a code, a recovery code, a passkey): the session becomes ACTIVE
   * and its proof fresh for step-up. A trail entry `auth.second-factor-proved`.
   */
  @Transactional()
  async recordSecondFactor(session: AuthSessionEntity, user: UserEntity, proof: SecondFactorProof): Promise<AuthSessionEntity> {
    if (session.state === SessionState.ENROLMENT_PENDING && !(await this.hasSecondFactor(user.id))) {
      throw new IdentityError(IdentityErrorCode.SECOND_FACTOR_REQUIRED, 'Enrol a second factor first', { next: 'ENROL' });
    }
    const changes = {
      state: SessionState.ACTIVE,
      secondFactorMethod: proof.method,
      secondFactorAt: proof.at,
      secondFactorAmr: proof.amr ? [...proof.amr] : null,
      secondFactorAcr: proof.acr ?? null,
    };
    await this.sessions.update({ id: session.id }, changes);
    await this.trail.append({
      actor: Actor.user(user),
      action: 'auth.second-factor-proved',
      entityType: 'AuthSession',
      entityId: session.id,
      after: { state: SessionState.ACTIVE, secondFactor: proofRecord(proof) },
    });
    return Object.assign(session, changes);
  }

  /**
   * Whether `session` proved a second factor recently enough for a step-up (STEP_UP_MAX_AGE_SECONDS, on the wall
   * clock): the one freshness rule of the guard and of enrolling a further factor.
   */
  hasFreshProof(session: AuthSessionEntity): boolean {
    return isFreshProof(this.proofOf(session), wallClock(), this.config.get('STEP_UP_MAX_AGE_SECONDS', { infer: true }));
  }

  /** The proof recorded in `session`, or null. */
  proofOf(session: AuthSessionEntity): SecondFactorProof | null {
    if (!session.secondFactorMethod || !session.secondFactorAt) return null;
    return { method: session.secondFactorMethod, at: session.secondFactorAt, amr: session.secondFactorAmr, acr: session.secondFactorAcr };
  }

  /** Whether the user has a confirmed, not removed second factor. */
  async hasSecondFactor(userId: string): Promise<boolean> {
    const rows: unknown[] = await this.txHost.tx.query(
      `SELECT 1 FROM user_second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL AND removed_at IS NULL LIMIT 1`,
      [userId],
    );
    return rows.length > 0;
  }

  /** A user's sessions that are still open (not revoked, not past their end), newest first. */
  async activeOf(userId: string): Promise<AuthSessionEntity[]> {
    await this.assertUser(userId);
    return this.sessions
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.revoked_at IS NULL AND s.expires_at > :now', { userId, now: wallClock() })
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .limit(100)
      .getMany();
  }

  /**
   * Ends one session: one's own (any user), or anyone's (an admin: `asAdmin`). NOT_FOUND for a session that is not
   * the caller's and the caller is no admin (its existence is not disclosed); CONFLICT when already ended.
   */
  @Transactional()
  async revoke(actor: Actor, sessionId: string, opts: { asAdmin: boolean; reason?: RevocationReason }): Promise<AuthSessionEntity> {
    if (!isUuid(sessionId))
      throw new IdentityError(IdentityErrorCode.SESSION_NOT_FOUND, `Session ${sessionId} does not exist`, { id: sessionId });
    const session = await this.sessions
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.id = :id', { id: sessionId })
      .getOne();
    if (!session || (session.userId !== actor.id && !opts.asAdmin)) {
      throw new IdentityError(IdentityErrorCode.SESSION_NOT_FOUND, `Session ${sessionId} does not exist`, { id: sessionId });
    }
    if (session.revokedAt) throw new IdentityError(IdentityErrorCode.ALREADY_IN_STATE, 'This session is already ended');
    const reason = opts.reason ?? (session.userId === actor.id ? RevocationReason.REVOKED : RevocationReason.REVOKED_BY_ADMIN);
    await endSessions(this.txHost.tx, this.trail, [session], actor, reason, wallClock(), this.notices);
    return session;
  }

  /** Ends every open session of a user (an admin; and when the user is deactivated). Returns how many. */
  @Transactional()
  async revokeAllOf(actor: Actor, userId: string, reason: RevocationReason): Promise<number> {
    await this.assertUser(userId);
    const where = { sql: 's.user_id = :userId', params: { userId } };
    return (await endSessionsWhere(this.txHost.tx, this.trail, actor, reason, where, wallClock(), this.notices)).length;
  }

  private async assertUser(userId: string): Promise<void> {
    const found = isUuid(userId) && (await this.txHost.tx.getRepository(UserEntity).existsBy({ id: userId }));
    if (!found) throw new IdentityError(IdentityErrorCode.USER_NOT_FOUND, `User ${userId} does not exist`, { id: userId });
  }
}
