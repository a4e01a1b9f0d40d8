import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Propagation, TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type VerifiedRegistrationResponse,
} from '@simplewebauthn/server';
import { Actor, Clock, type AppConfig } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { IdentityError, IdentityErrorCode } from '../domain/identity.errors';
import { LoginThrottle } from '../login-throttle';
import { AuthSessionEntity } from '../sessions/auth-session.entity';
import { SecondFactorKind, SecondFactorMethod } from '../sessions/second-factor';
import { SessionsService, wallClock } from '../sessions/sessions.service';
import { UserSecondFactorEntity } from '../sessions/user-second-factor.entity';
import type { UserEntity } from '../user.entity';
import {
  challengeRefusal,
  isChallengeId,
  knownTransports,
  parsePasskeyResponse,
  PASSKEY_CHALLENGE_SECONDS,
  PasskeyChallengePurpose,
  relyingParty,
  type RelyingParty,
} from './domain/passkey-rules';
import { assertMayEnrol as assertMayEnrolFactor, normalizeFactorLabel } from './domain/second-factor-rules';
import { RecoveryCodesService } from './recovery-codes.service';
import { WebauthnChallengesService } from './webauthn-challenges.service';
import { WebauthnCredentialEntity } from './webauthn-credential.entity';

export interface PasskeyChallenge<TOptions> {
  challengeId: string;
  /** For navigator.credentials.create()/get(), as JSON (binary fields base64url). */
  options: TOptions;
}

export interface PasskeyEnrolment {
  factor: UserSecondFactorEntity;
  /** Ten recovery codes, shown once: only when this is the user's first second factor. */
  recoveryCodes: string[] | null;
}

interface Passkey {
  factor: UserSecondFactorEntity;
  credential: WebauthnCredentialEntity;
}

/**
 * Passkeys (WebAuthn) as a second factor: registering one (which also proves it in the session, so an
 * ENROLMENT_PENDING session becomes ACTIVE) and proving one at sign-in or for a step-up.
 *
 * Every ceremony is two calls. `start*` stores a challenge bound to the asking session (two minutes, once);
 * `finish*` first takes the challenge with one conditional UPDATE (used_at IS NULL AND expires_at > now)
 * committed on its own, so two concurrent answers cannot both pass and a refused answer cannot be retried
 * against the same challenge; then checks the answer (@simplewebauthn/server: challenge, origin and relying party
 * from the settings, signature, counter); then writes the result and its trail entry in one transaction.
 * A refused proof counts against the second-factor throttle (LoginThrottle, key `second-factor:<userId>`)
 * and leaves a trail entry `auth.second-factor-failed` in its own transaction. No key material beyond the
 * credential id goes into the trail.
 */
@Injectable()
export class PasskeysService {
  private readonly logger = new Logger(PasskeysService.name);
  private readonly rp: RelyingParty;
  private readonly stepUpMaxAge: number;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly trail: AuditTrailService,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottle,
    private readonly recovery: RecoveryCodesService,
    private readonly challenges: WebauthnChallengesService,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    this.rp = relyingParty({
      rpId: config.get('WEBAUTHN_RP_ID', { infer: true }),
      rpName: config.get('WEBAUTHN_RP_NAME', { infer: true }),
      origins: config.get('WEBAUTHN_ORIGINS', { infer: true }),
      port: config.get('PORT', { infer: true }),
    });
    this.stepUpMaxAge = config.get('STEP_UP_MAX_AGE_SECONDS', { infer: true });
  }

  private get credentials() {
    return this.txHost.tx.getRepository(WebauthnCredentialEntity);
  }

  private get factors() {
    return this.txHost.tx.getRepository(UserSecondFactorEntity);
  }

  /** The user's passkeys that count (confirmed, not removed), oldest first. */
  async passkeysOf(userId: string): Promise<Passkey[]> {
    const factors = await this.factors
      .createQueryBuilder('f')
      .where(`f.user_id = :userId AND f.kind = :kind AND f.confirmed_at IS NOT NULL AND f.removed_at IS NULL`, {
        userId,
        kind: SecondFactorKind.PASSKEY,
      })
      .orderBy('f.created_at')
      .addOrderBy('f.id')
      .getMany();
    if (factors.length === 0) return [];
    const credentials = await this.credentials
      .createQueryBuilder('c')
      .where('c.factor_id = ANY(:ids)', { ids: factors.map((f) => f.id) })
      .getMany();
    return factors.flatMap((factor) => {
      const credential = credentials.find((c) => c.factorId === factor.id);
      return credential ? [{ factor, credential }] : [];
    });
  }

  /**
   * Starts registering a passkey named `label` (NFC, 1 to 100 characters). Allowed while the session must enrol,
   * or in an ACTIVE session: with a fresh proof (STEP_UP_MAX_AGE_SECONDS) when the user already has a second
   * factor, so that a stolen session cannot add the thief's key. Never while the session has still to prove its
   * factor (SECOND_FACTOR_REQUIRED: the password alone does not add a factor).
   */
  @Transactional()
  async startRegistration(
    user: UserEntity,
    session: AuthSessionEntity,
    label: string,
  ): Promise<PasskeyChallenge<PublicKeyCredentialCreationOptionsJSON>> {
    const clean = normalizeFactorLabel(label);
    await this.assertMayEnrol(user, session);
    const existing = await this.passkeysOf(user.id);
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName: user.email,
      userDisplayName: user.displayName,
      // The same user handle for every passkey of the user: an authenticator replaces, not adds, its own.
      userID: new Uint8Array(Buffer.from(user.id.replace(/-/g, ''), 'hex')),
      timeout: PASSKEY_CHALLENGE_SECONDS * 1000,
      attestationType: 'none',
      excludeCredentials: existing.map(({ credential }) => ({
        id: credential.credentialId,
        transports: knownTransports(credential.transports),
      })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    const challengeId = await this.challenges.save(user, session, PasskeyChallengePurpose.REGISTER, options.challenge, clean);
    return { challengeId, options };
  }

  /**
   * Finishes a registration with the browser's answer: a new factor (kind PASSKEY, confirmed now) and its public
   * key, a trail entry `auth.second-factor-enrolled`, and the factor proved in the session (ACTIVE).
   */
  async finishRegistration(user: UserEntity, session: AuthSessionEntity, challengeId: string, input: unknown): Promise<PasskeyEnrolment> {
    const response = parsePasskeyResponse('registration', input);
    if (!isChallengeId(challengeId))
      throw challengeRefusal(null, { userId: user.id, sessionId: session.id, purpose: 'REGISTER' }, this.clock.now());
    await this.assertMayEnrol(user, session);
    const taken = await this.challenges.take(user, session, challengeId, PasskeyChallengePurpose.REGISTER);
    let verified: VerifiedRegistrationResponse = { verified: false };
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: taken.challenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.id,
        requireUserVerification: false,
      });
    } catch (err) {
      this.logger.warn(`passkey registration refused for user ${user.id}: ${(err as Error).message}`);
    }
    if (!verified.verified) {
      await this.recordFailure(user, session, { reason: 'REGISTRATION_NOT_VERIFIED', credentialId: response.id, factorId: null });
      throw new IdentityError(IdentityErrorCode.INVALID_SECOND_FACTOR, "The passkey's registration was not accepted; start again");
    }
    return this.enrol(user, session, taken.label ?? '', response, verified.registrationInfo);
  }

  /** Starts proving a passkey (at sign-in, or for a step-up): the user's passkeys are offered. */
  @Transactional()
  async startVerification(user: UserEntity, session: AuthSessionEntity): Promise<PasskeyChallenge<PublicKeyCredentialRequestOptionsJSON>> {
    const passkeys = await this.passkeysOf(user.id);
    if (passkeys.length === 0) {
      throw new IdentityError(IdentityErrorCode.SECOND_FACTOR_NOT_FOUND, 'No passkey is registered for this account', { kind: 'PASSKEY' });
    }
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      allowCredentials: passkeys.map(({ credential }) => ({
        id: credential.credentialId,
        transports: knownTransports(credential.transports),
      })),
      userVerification: 'preferred',
      timeout: PASSKEY_CHALLENGE_SECONDS * 1000,
    });
    const challengeId = await this.challenges.save(user, session, PasskeyChallengePurpose.AUTHENTICATE, options.challenge, null);
    return { challengeId, options };
  }

  /**
   * Finishes proving a passkey: the assertion is checked against the user's own, not removed passkey it names;
   * its counter and last use are written and the factor recorded in the session (ACTIVE, fresh for step-up).
   * Throttled like passwords (LOGIN_THROTTLED) from `address`.
   */
  async finishVerification(
    user: UserEntity,
    session: AuthSessionEntity,
    challengeId: string,
    input: unknown,
    address: string,
  ): Promise<AuthSessionEntity> {
    const response = parsePasskeyResponse('authentication', input);
    const attempt = await this.throttle.admit(`second-factor:${user.id}`, address);
    const asker = { userId: user.id, sessionId: session.id, purpose: PasskeyChallengePurpose.AUTHENTICATE };
    if (!isChallengeId(challengeId)) throw challengeRefusal(null, asker, this.clock.now());
    const taken = await this.challenges.take(user, session, challengeId, PasskeyChallengePurpose.AUTHENTICATE);
    const passkey = (await this.passkeysOf(user.id)).find((p) => p.credential.credentialId === response.id);
    const refuse = async (reason: string) => {
      await this.recordFailure(user, session, { reason, credentialId: response.id, factorId: passkey?.factor.id ?? null });
      return new IdentityError(IdentityErrorCode.INVALID_SECOND_FACTOR, 'The passkey was not accepted; start again');
    };
    if (!passkey) throw await refuse('UNKNOWN_CREDENTIAL');
    let newCounter: number | null = null;
    try {
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: taken.challenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.id,
        credential: {
          id: passkey.credential.credentialId,
          publicKey: new Uint8Array(passkey.credential.publicKey),
          counter: passkey.credential.counter,
          transports: knownTransports(passkey.credential.transports),
        },
        requireUserVerification: false,
      });
      if (verified.verified) newCounter = verified.authenticationInfo.newCounter;
    } catch (err) {
      this.logger.warn(`passkey assertion refused for user ${user.id}: ${(err as Error).message}`);
    }
    if (newCounter === null) throw await refuse('NOT_VERIFIED');
    const proved = await this.acceptAssertion(user, session, passkey, newCounter);
    if (!proved) throw await refuse('COUNTER_NOT_ADVANCED');
    await attempt.succeeded();
    return proved;
  }

  /**
   * The same rule as for an authenticator app (second-factor-rules.ts): a user who has a factor adds another only
   * from an ACTIVE session with a fresh proof, whatever state the session started in (one opened before the first
   * enrolment and kept alive by refreshes must not add a factor with the password alone).
   */
  private async assertMayEnrol(user: UserEntity, session: AuthSessionEntity): Promise<void> {
    assertMayEnrolFactor({
      state: session.state,
      hasFactor: await this.sessions.hasSecondFactor(user.id),
      proofFresh: this.sessions.hasFreshProof(session),
      maxAgeSeconds: this.stepUpMaxAge,
    });
  }

  @Transactional()
  private async enrol(
    user: UserEntity,
    session: AuthSessionEntity,
    label: string,
    response: RegistrationResponseJSON,
    info: NonNullable<VerifiedRegistrationResponse['registrationInfo']>,
  ): Promise<PasskeyEnrolment> {
    const now = this.clock.now();
    // One enrolment of a user at a time (as for an authenticator app): "the first factor" is decided once.
    await this.txHost.tx.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [user.id]);
    // Again under the lock: a factor enrolled meanwhile (by another session) changes what this one may do.
    await this.assertMayEnrol(user, session);
    const credentialId = info.credential.id;
    const taken: unknown[] = await this.credentials.query(`SELECT 1 FROM webauthn_credentials WHERE credential_id = $1`, [credentialId]);
    if (taken.length > 0) {
      throw new IdentityError(IdentityErrorCode.SECOND_FACTOR_EXISTS, 'This passkey is already registered', { kind: 'PASSKEY' });
    }
    const first = !(await this.sessions.hasSecondFactor(user.id));
    const factor = this.factors.create({
      userId: user.id,
      kind: SecondFactorKind.PASSKEY,
      label,
      createdAt: now,
      confirmedAt: now,
      lastUsedAt: now,
      removedAt: null,
      removedByLabel: null,
    });
    await this.factors.insert(factor);
    const transports = knownTransports(response.response.transports ?? info.credential.transports);
    await this.credentials.insert({
      factorId: factor.id,
      credentialId,
      publicKey: Buffer.from(info.credential.publicKey),
      counter: info.credential.counter,
      transports,
      createdAt: now,
    });
    const issued = first ? await this.recovery.issue(user.id, now) : null;
    await this.trail.append({
      actor: Actor.user(user),
      action: 'auth.second-factor-enrolled',
      entityType: 'UserSecondFactor',
      entityId: factor.id,
      after: {
        userId: user.id,
        kind: SecondFactorKind.PASSKEY,
        label,
        credentialId,
        transports,
        sessionId: session.id,
        recoveryCodesIssued: issued?.codes.length ?? 0,
        recoveryCodesInvalidated: issued?.invalidated ?? 0,
      },
    });
    await this.sessions.recordSecondFactor(session, user, { method: SecondFactorMethod.PASSKEY, at: wallClock() });
    return { factor, recoveryCodes: issued?.codes ?? null };
  }

  /** The assertion's counter and use, and the proof in the session; null when the counter went backwards meanwhile. */
  @Transactional()
  private async acceptAssertion(
    user: UserEntity,
    session: AuthSessionEntity,
    passkey: Passkey,
    newCounter: number,
  ): Promise<AuthSessionEntity | null> {
    const now = this.clock.now();
    const counted = await this.credentials
      .createQueryBuilder()
      .update()
      .set({ counter: newCounter })
      .where('factor_id = :id AND (counter < :n OR (counter = 0 AND :n = 0))', { id: passkey.factor.id, n: newCounter })
      .execute();
    if (counted.affected !== 1) return null;
    const used = await this.factors
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: now })
      .where('id = :id AND removed_at IS NULL', { id: passkey.factor.id })
      .execute();
    if (used.affected !== 1) return null;
    return this.sessions.recordSecondFactor(session, user, { method: SecondFactorMethod.PASSKEY, at: wallClock() });
  }

  /** A refused passkey answer, kept even though the request fails (its own transaction). */
  @Transactional(Propagation.RequiresNew)
  private async recordFailure(
    user: UserEntity,
    session: AuthSessionEntity,
    what: { reason: string; credentialId: string; factorId: string | null },
  ): Promise<void> {
    await this.trail.append({
      actor: Actor.user(user),
      action: 'auth.second-factor-failed',
      entityType: 'AuthSession',
      entityId: session.id,
      after: { method: SecondFactorMethod.PASSKEY, ...what },
    });
  }
}
