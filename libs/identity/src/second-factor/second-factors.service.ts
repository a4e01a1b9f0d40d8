import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { IsNull, Not } from 'typeorm';
import { Actor, Clock, CommonError, CommonErrorCode, isUuid, type AppConfig } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { IdentityError, IdentityErrorCode } from '../domain/identity.errors';
import { LoginThrottle } from '../login-throttle';
import { AuthSessionEntity } from '../sessions/auth-session.entity';
import { SecondFactorKind, SecondFactorMethod } from '../sessions/second-factor';
import { SecondFactorPolicyService } from '../sessions/second-factor-policy.service';
import { SessionsService, wallClock } from '../sessions/sessions.service';
import { UserSecondFactorEntity } from '../sessions/user-second-factor.entity';
import { UserEntity } from '../user.entity';
import { classifyCode, type PresentedCode } from './domain/one-time-codes';
import { assertMayEnrol, assertRemovalAllowed, normalizeFactorLabel } from './domain/second-factor-rules';
import { RecoveryCodesService } from './recovery-codes.service';
import { TotpService } from './totp.service';

export interface StartedTotpEnrolment {
  factor: UserSecondFactorEntity;
  /** Base32: typed into an authenticator app by hand. Shown once; only its sealed form is stored. */
  secret: string;
  /** `otpauth://totp/...`: what the page shows as a QR code. */
  otpauthUri: string;
}

export interface ConfirmedEnrolment {
  factor: UserSecondFactorEntity;
  /** The first factor's ten recovery codes, shown once; null when the user already had a factor. */
  recoveryCodes: string[] | null;
  session: AuthSessionEntity;
}

type VerifyOutcome =
  { ok: true; session: AuthSessionEntity } | { ok: false; presented: 'TOTP' | 'RECOVERY_CODE'; reason: 'WRONG' | 'REPLAYED' | 'NO_FACTOR' };

/** What a person typed, or INVALID_INPUT when it has the shape of no code (not a guess: not counted, not trailed). */
function presentedCode(code: string): Exclude<PresentedCode, { kind: 'MALFORMED' }> {
  const presented = classifyCode(code);
  if (presented.kind === 'MALFORMED') {
    throw new CommonError(
      CommonErrorCode.INVALID_INPUT,
      'Type the six digits your authenticator app shows, or a recovery code (xxxx-xxxx-xxxx-xxxx)',
      { field: 'code' },
    );
  }
  return presented;
}

/**
 * A user's second factors (the authenticator app and the recovery codes here; passkeys enrol through their own
 * service into the same list): enrolling, proving in a session (sign-in and step-up), listing, removing. Each
 * change is one transaction with its trail entry; no secret or code ever goes into the trail.
 *
 * Changes to one user's factors take the user's row lock first (FOR NO KEY UPDATE: it does not block the rows
 * that merely reference the user), so "one authenticator app per user" and "never remove the last required
 * factor" hold under parallel requests.
 */
@Injectable()
export class SecondFactorsService {
  private readonly stepUpMaxAge: number;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly totp: TotpService,
    private readonly recovery: RecoveryCodesService,
    private readonly sessions: SessionsService,
    private readonly policy: SecondFactorPolicyService,
    private readonly throttle: LoginThrottle,
    private readonly trail: AuditTrailService,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    this.stepUpMaxAge = config.get('STEP_UP_MAX_AGE_SECONDS', { infer: true });
  }

  private get factors() {
    return this.txHost.tx.getRepository(UserSecondFactorEntity);
  }

  private async lockUser(userId: string): Promise<void> {
    await this.txHost.tx.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId]);
  }

  private confirmedOf(userId: string): Promise<UserSecondFactorEntity[]> {
    return this.factors.find({
      where: { userId, confirmedAt: Not(IsNull()), removedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  private assertMayEnrol(session: AuthSessionEntity, hasFactor: boolean): void {
    assertMayEnrol({ state: session.state, hasFactor, proofFresh: this.sessions.hasFreshProof(session), maxAgeSeconds: this.stepUpMaxAge });
  }

  /**
   * Starts enrolling an authenticator app named `label`: a factor row (unconfirmed) and its new secret. One
   * confirmed app per user (SECOND_FACTOR_EXISTS); an earlier unconfirmed enrolment is replaced (its secret
   * forgotten).
   */
  @Transactional()
  async startTotpEnrolment(session: AuthSessionEntity, user: UserEntity, label: string): Promise<StartedTotpEnrolment> {
    const name = normalizeFactorLabel(label);
    const now = this.clock.now();
    const actor = Actor.user(user);
    await this.lockUser(user.id);
    const open = await this.factors.find({ where: { userId: user.id, removedAt: IsNull() } });
    const confirmed = open.filter((f) => f.confirmedAt);
    this.assertMayEnrol(session, confirmed.length > 0);
    if (confirmed.some((f) => f.kind === SecondFactorKind.TOTP)) {
      throw new IdentityError(
        IdentityErrorCode.SECOND_FACTOR_EXISTS,
        'You already have an authenticator app: remove it first to enrol another',
      );
    }
    const replaced = open.filter((f) => !f.confirmedAt && f.kind === SecondFactorKind.TOTP).map((f) => f.id);
    if (replaced.length > 0) {
      await this.totp.discard(replaced);
      await this.factors
        .createQueryBuilder()
        .update()
        .set({ removedAt: now, removedByLabel: actor.label })
        .where('id = ANY(:ids)', { ids: replaced })
        .execute();
    }
    const factor = this.factors.create({
      userId: user.id,
      kind: SecondFactorKind.TOTP,
      label: name,
      createdAt: now,
      confirmedAt: null,
      lastUsedAt: null,
      removedAt: null,
      removedByLabel: null,
    });
    await this.factors.insert(factor);
    const { secret, uri } = await this.totp.create(factor.id, user.email);
    await this.trail.append({
      actor,
      action: 'auth.second-factor-enrolment-started',
      entityType: 'UserSecondFactor',
      entityId: factor.id,
      after: { userId: user.id, kind: factor.kind, label: name, replaced },
    });
    return { factor, secret, otpauthUri: uri };
  }

  /**
   * Confirms an enrolment with a first code from the app: the factor counts from now; with the user's first
   * factor come ten recovery codes; the session's second factor is proved (an ENROLMENT_PENDING session becomes
   * ACTIVE). A wrong code changes nothing (INVALID_SECOND_FACTOR).
   */
  @Transactional()
  async confirmTotpEnrolment(session: AuthSessionEntity, user: UserEntity, factorId: string, code: string): Promise<ConfirmedEnrolment> {
    const now = this.clock.now();
    await this.lockUser(user.id);
    const factor = isUuid(factorId)
      ? await this.factors.findOneBy({ id: factorId, userId: user.id, kind: SecondFactorKind.TOTP, removedAt: IsNull() })
      : null;
    if (!factor) {
      throw new IdentityError(IdentityErrorCode.SECOND_FACTOR_NOT_FOUND, `No enrolment ${factorId} of yours is pending`, { id: factorId });
    }
    if (factor.confirmedAt) throw new IdentityError(IdentityErrorCode.ALREADY_IN_STATE, 'This authenticator app is already confirmed');
    const confirmed = await this.confirmedOf(user.id);
    this.assertMayEnrol(session, confirmed.length > 0);
    if (confirmed.some((f) => f.kind === SecondFactorKind.TOTP)) {
      throw new IdentityError(
        IdentityErrorCode.SECOND_FACTOR_EXISTS,
        'You already have an authenticator app: remove it first to enrol another',
      );
    }
    const presented = presentedCode(code);
    const check = presented.kind === 'TOTP' ? await this.totp.check(factor.id, presented.code, now) : null;
    if (!check?.ok) {
      throw new IdentityError(
        IdentityErrorCode.INVALID_SECOND_FACTOR,
        'That is not the current code of this authenticator app; try the next one',
      );
    }
    await this.factors.update({ id: factor.id }, { confirmedAt: now, lastUsedAt: now });
    Object.assign(factor, { confirmedAt: now, lastUsedAt: now });
    const issued = confirmed.length === 0 ? await this.recovery.issue(user.id, now) : null;
    await this.trail.append({
      actor: Actor.user(user),
      action: 'auth.second-factor-enrolled',
      entityType: 'UserSecondFactor',
      entityId: factor.id,
      after: {
        userId: user.id,
        kind: factor.kind,
        label: factor.label,
        recoveryCodesIssued: issued?.codes.length ?? 0,
        recoveryCodesInvalidated: issued?.invalidated ?? 0,
      },
    });
    const proved = await this.sessions.recordSecondFactor(session, user, { method: SecondFactorMethod.TOTP, at: wallClock() });
    return { factor, recoveryCodes: issued?.codes ?? null, session: proved };
  }

  /**
   * Proves the second factor in `session`: a six-digit code of the user's authenticator app, or one of their
   * recovery codes (used up). For a SECOND_FACTOR_PENDING session this completes the sign-in; for an ACTIVE one
   * it renews the proof for step-up. Attempts are limited like password sign-ins (LoginThrottle, per user and
   * client address: LOGIN_THROTTLED); a wrong code is INVALID_SECOND_FACTOR and leaves a trail entry
   * `auth.second-factor-failed` (written in its own transaction, as the call fails).
   */
  async verify(session: AuthSessionEntity, user: UserEntity, code: string, address: string): Promise<AuthSessionEntity> {
    const presented = presentedCode(code);
    const attempt = await this.throttle.admit(`second-factor:${user.id}`, address);
    const outcome = await this.verifyInTransaction(session, user, presented);
    if (!outcome.ok) {
      await this.recordFailure(session, user, outcome);
      throw new IdentityError(IdentityErrorCode.INVALID_SECOND_FACTOR, 'That code is not valid (wrong, already used, or expired)');
    }
    await attempt.succeeded();
    return outcome.session;
  }

  @Transactional()
  private async verifyInTransaction(
    session: AuthSessionEntity,
    user: UserEntity,
    presented: Exclude<PresentedCode, { kind: 'MALFORMED' }>,
  ): Promise<VerifyOutcome> {
    const now = this.clock.now();
    let method: SecondFactorMethod;
    if (presented.kind === 'TOTP') {
      const factor = (await this.confirmedOf(user.id)).find((f) => f.kind === SecondFactorKind.TOTP);
      if (!factor) return { ok: false, presented: presented.kind, reason: 'NO_FACTOR' };
      const check = await this.totp.check(factor.id, presented.code, now);
      if (!check.ok) return { ok: false, presented: presented.kind, reason: check.reason };
      await this.factors.update({ id: factor.id }, { lastUsedAt: now });
      method = SecondFactorMethod.TOTP;
    } else {
      if (!(await this.recovery.use(user.id, presented.canonical, now))) return { ok: false, presented: presented.kind, reason: 'WRONG' };
      method = SecondFactorMethod.RECOVERY_CODE;
    }
    return { ok: true, session: await this.sessions.recordSecondFactor(session, user, { method, at: wallClock() }) };
  }

  @Transactional()
  private async recordFailure(session: AuthSessionEntity, user: UserEntity, outcome: VerifyOutcome & { ok: false }): Promise<void> {
    await this.trail.append({
      actor: Actor.user(user),
      action: 'auth.second-factor-failed',
      entityType: 'AuthSession',
      entityId: session.id,
      after: { userId: user.id, presented: outcome.presented, reason: outcome.reason },
    });
  }

  /** The user's confirmed, not removed factors, oldest first. */
  @Transactional()
  list(userId: string): Promise<UserSecondFactorEntity[]> {
    return this.confirmedOf(userId);
  }

  /** How many of the user's recovery codes are still usable. */
  recoveryCodesLeft(userId: string): Promise<number> {
    return this.recovery.countLeft(userId);
  }

  /**
   * Removes one of the user's factors (kept as removed for the record; an app's secret is forgotten). Not the last
   * one while the user's role requires a factor (LAST_SECOND_FACTOR). With the last factor go the unused
   * recovery codes.
   */
  @Transactional()
  async remove(user: UserEntity, factorId: string): Promise<UserSecondFactorEntity> {
    const now = this.clock.now();
    const actor = Actor.user(user);
    await this.lockUser(user.id);
    const confirmed = await this.confirmedOf(user.id);
    const factor = confirmed.find((f) => f.id === factorId);
    if (!factor)
      throw new IdentityError(IdentityErrorCode.SECOND_FACTOR_NOT_FOUND, `You have no second factor ${factorId}`, { id: factorId });
    const remaining = confirmed.length - 1;
    assertRemovalAllowed({ remaining, required: await this.policy.requiredFor(user.roles) });
    await this.factors.update({ id: factor.id }, { removedAt: now, removedByLabel: actor.label });
    Object.assign(factor, { removedAt: now, removedByLabel: actor.label });
    if (factor.kind === SecondFactorKind.TOTP) await this.totp.discard([factor.id]);
    const invalidated = remaining === 0 ? await this.recovery.invalidateUnused(user.id, now) : 0;
    await this.trail.append({
      actor,
      action: 'auth.second-factor-removed',
      entityType: 'UserSecondFactor',
      entityId: factor.id,
      before: { userId: user.id, kind: factor.kind, label: factor.label },
      after: { removedAt: now.toISOString(), recoveryCodesInvalidated: invalidated },
    });
    return factor;
  }

  /** Ten new recovery codes (shown once); the unused old ones stop working. Needs a factor enrolled. */
  @Transactional()
  async regenerateRecoveryCodes(user: UserEntity): Promise<string[]> {
    const now = this.clock.now();
    await this.lockUser(user.id);
    if (!(await this.sessions.hasSecondFactor(user.id))) {
      throw new IdentityError(IdentityErrorCode.SECOND_FACTOR_NOT_FOUND, 'Enrol a second factor first: recovery codes come with it');
    }
    const { codes, invalidated } = await this.recovery.issue(user.id, now);
    await this.trail.append({
      actor: Actor.user(user),
      action: 'auth.recovery-codes-regenerated',
      entityType: 'User',
      entityId: user.id,
      after: { issued: codes.length, invalidated },
    });
    return codes;
  }
}
