import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Actor, Clock, parseOidcRoleMapping, Slots, type AppConfig, type OidcMappedRole } from '@app/common';
import { uniqueViolationOf } from '@app/database';
import { AuditTrailService } from '@app/audit-trail';
import { IdentityError, IdentityErrorCode } from '../domain/identity.errors';
import { normalizeEmail } from '../domain/user-rules';
import { UserEntity } from '../user.entity';
import { UsersService } from '../users.service';
import { amrShowsSecondFactor, SecondFactorMethod, SignInMethod, type SecondFactorProof } from '../sessions/second-factor';
import { SessionsService, type DeviceInfo, type IssuedSession } from '../sessions/sessions.service';
import { OidcAnswerRefused, OidcClient, type ValidatedClaims } from './oidc-client';
import { decideSsoAccess, groupsFromClaim, rolesForGroups, SsoRefusalReason } from './sso-access';
import { SsoHandoffEntity, SsoIdentityEntity, SsoSignInStateEntity } from './sso.entities';

const STATE_TTL_MS = 10 * 60_000;
const HANDOFF_TTL_MS = 60_000;
/** A state, nonce or code longer than this is no answer of ours or of the provider. */
const MAX_PARAM_LENGTH = 2048;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A refusal on its way to its trail entry: what is known of the person when it happened. */
class Refusal extends Error {
  constructor(
    readonly reason: SsoRefusalReason,
    readonly known: { subject?: string | null; userId?: string | null; address?: string | null } = {},
  ) {
    super(reason);
  }
}

/**
 * Another sign-in of the same person at the same moment committed the link or the account this one was about to make
 * (it read before that commit): the hand-off is done again, once, in a new transaction that sees what was committed.
 */
class LostRace extends Error {}

/** A hand-off that lost a race for the person's link or account (above, or the unique indexes deciding). */
function lostRace(err: unknown): boolean {
  return (
    err instanceof LostRace ||
    (err instanceof IdentityError && err.code === IdentityErrorCode.EMAIL_TAKEN) ||
    uniqueViolationOf(err) !== null
  );
}

/**
 * Refusals of what anyone can send without having started a sign-in (an unknown state, an unknown hand-off code) are
 * not recorded: a flood of them would write to the trail. Every other refusal follows a sign-in started here.
 */
const NOT_RECORDED: ReadonlySet<SsoRefusalReason> = new Set([SsoRefusalReason.STATE_INVALID, SsoRefusalReason.HANDOFF_INVALID]);

/**
 * Single sign-on through an OpenID Connect provider.
 * 1. `start`: a state, nonce and PKCE verifier kept in sso_sign_in_states (the state by its hash); the browser goes
 *    to the provider.
 * 2. `callback`: the state used up (once, within 10 minutes, by a conditional UPDATE), the code exchanged and the ID
 *    token validated; the person matched to an account (by subject, else a verified e-mail, else created when
 *    OIDC_CREATE_USERS); the roles checked (sso-access.ts); a one-minute, one-time hand-off code kept with the ID
 *    token's amr/acr/auth_time. A refusal writes `auth.sso-refused` in its own transaction and changes nothing else.
 * 3. `completeSignIn`: the page trades the hand-off code once for a session (SessionsService.signIn, method SSO; the
 *    provider's MFA counts as the second factor when its amr/acr say so).
 * No token or secret travels in a URL, and none goes into the trail.
 */
@Injectable()
export class SsoService {
  private readonly logger = new Logger(SsoService.name);
  private readonly mapping: ReadonlyMap<string, readonly OidcMappedRole[]>;
  /** Anyone can start and call back: at most 8 sign-ins talk to the provider at once, 32 wait, the rest are told to retry. */
  private readonly providerCalls = new Slots(8, 32);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(OidcClient) private readonly client: OidcClient,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    const parsed = parseOidcRoleMapping(this.config.get('OIDC_ROLE_MAPPING', { infer: true }));
    this.mapping = 'mapping' in parsed ? parsed.mapping : new Map(); // validated at start (sso.settings.ts)
  }

  /** Whether single sign-on is configured (OIDC_ISSUER set). */
  get enabled(): boolean {
    return this.client.configured;
  }

  private assertEnabled(): void {
    if (!this.enabled)
      throw new IdentityError(IdentityErrorCode.SSO_NOT_CONFIGURED, 'Single sign-on is not configured here; sign in with your password');
  }

  private async bounded<T>(work: () => Promise<T>): Promise<T> {
    const slot = this.providerCalls.take();
    if (!slot) throw new IdentityError(IdentityErrorCode.SIGN_IN_BUSY, 'Too many sign-ins at once; try again in a moment');
    const release = await slot;
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * Begins a sign-in: the provider's authorization URL to send the browser to, and a secret for the browser to keep
   * (a cookie) and show at the callback: an answer delivered to another browser is refused (login CSRF).
   */
  async start(): Promise<{ url: string; browserBinding: string }> {
    this.assertEnabled();
    return this.bounded(() => this.startNow());
  }

  private async startNow(): Promise<{ url: string; browserBinding: string }> {
    const secrets = OidcClient.secrets();
    let url: URL;
    try {
      url = await this.client.authorizationUrl(secrets);
    } catch (err) {
      this.logger.warn(`The identity provider cannot be reached: ${(err as Error).message}`);
      throw new IdentityError(IdentityErrorCode.SSO_REFUSED, 'The identity provider cannot be reached; try again later', {
        reason: SsoRefusalReason.PROVIDER_UNAVAILABLE,
      });
    }
    const browserBinding = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const states = this.txHost.tx.getRepository(SsoSignInStateEntity);
    // Sign-ins abandoned more than a day ago are forgotten (any stranger can start one).
    await states
      .createQueryBuilder()
      .delete()
      .where('expires_at < :old', { old: new Date(now.getTime() - 24 * 3600_000) })
      .execute();
    await states.insert({
      stateHash: sha256Hex(secrets.state),
      nonce: secrets.nonce,
      codeVerifier: secrets.codeVerifier,
      browserHash: sha256Hex(browserBinding),
      createdAt: now,
      expiresAt: new Date(now.getTime() + STATE_TTL_MS),
      usedAt: null,
    });
    return { url: url.href, browserBinding };
  }

  /**
   * The provider's answer (the callback's query string). Returns the one-time hand-off code; refuses with SSO_REFUSED
   * and `details.reason` (SsoRefusalReason).
   */
  async callback(query: URLSearchParams, device: DeviceInfo, browserBinding: string | null): Promise<string> {
    this.assertEnabled();
    return this.bounded(() => this.callbackNow(query, device, browserBinding));
  }

  private async callbackNow(query: URLSearchParams, device: DeviceInfo, browserBinding: string | null): Promise<string> {
    try {
      const state = query.get('state');
      const stored = state && state.length <= MAX_PARAM_LENGTH ? await this.useState(state) : null;
      if (!stored) throw new Refusal(SsoRefusalReason.STATE_INVALID);
      const where = { address: device.address ?? null };
      if (!browserBinding || sha256Hex(browserBinding) !== stored.browserHash) throw new Refusal(SsoRefusalReason.BROWSER_MISMATCH, where);
      if ((query.get('code')?.length ?? 0) > MAX_PARAM_LENGTH) throw new Refusal(SsoRefusalReason.CODE_REJECTED, where);
      let claims: ValidatedClaims;
      try {
        claims = await this.client.exchange(query, { state: state!, nonce: stored.nonce, codeVerifier: stored.codeVerifier });
      } catch (err) {
        if (err instanceof OidcAnswerRefused) throw new Refusal(SsoRefusalReason[err.failure], where);
        throw err;
      }
      return await this.handOffOnce(claims, device);
    } catch (err) {
      if (err instanceof Refusal) throw await this.refused(err);
      throw err;
    }
  }

  /** Trades a hand-off code, once, for a session. */
  async completeSignIn(code: string): Promise<IssuedSession> {
    this.assertEnabled();
    try {
      return await this.completeInTransaction(code);
    } catch (err) {
      if (err instanceof Refusal) throw await this.refused(err);
      throw err;
    }
  }

  @Transactional()
  private async completeInTransaction(code: string): Promise<IssuedSession> {
    const now = this.clock.now();
    if (typeof code !== 'string' || code.length === 0 || code.length > 100) throw new Refusal(SsoRefusalReason.HANDOFF_INVALID);
    const [rows]: [
      {
        user_id: string;
        amr: string[] | null;
        acr: string | null;
        auth_time: Date | null;
        user_agent: string | null;
        address: string | null;
      }[],
      number,
    ] = await this.txHost.tx.query(
      `UPDATE sso_handoffs SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING user_id, amr, acr, auth_time, user_agent, address`,
      [sha256Hex(code), now],
    );
    const handoff = rows[0];
    if (!handoff) throw new Refusal(SsoRefusalReason.HANDOFF_INVALID);
    const user = await this.users.lockForShare(handoff.user_id);
    if (!user?.active) throw new Refusal(SsoRefusalReason.USER_DEACTIVATED, { userId: handoff.user_id, address: handoff.address });
    const mfa = amrShowsSecondFactor(handoff.amr, handoff.acr, this.config.get('OIDC_MFA_ACR_VALUES', { infer: true }));
    // The proof's time is when the person authenticated at the provider (auth_time): without it the provider's MFA
    // may be days old (a silent sign-in), so it proves nothing now and the tracker's own policy applies.
    const proof: SecondFactorProof | null =
      mfa && handoff.auth_time ? { method: SecondFactorMethod.SSO, at: handoff.auth_time, amr: handoff.amr, acr: handoff.acr } : null;
    return this.sessions.signIn(user, {
      method: SignInMethod.SSO,
      proof,
      device: { userAgent: handoff.user_agent, address: handoff.address },
    });
  }

  /** Uses up a started sign-in's state (once, unexpired); its nonce and verifier, or null. Committed at once. */
  private async useState(state: string): Promise<{ nonce: string; codeVerifier: string; browserHash: string } | null> {
    const [rows]: [{ nonce: string; code_verifier: string; browser_hash: string }[], number] = await this.txHost.tx.query(
      `UPDATE sso_sign_in_states SET used_at = $2 WHERE state_hash = $1 AND used_at IS NULL AND expires_at > $2
       RETURNING nonce, code_verifier, browser_hash`,
      [sha256Hex(state), this.clock.now()],
    );
    const row = rows[0];
    return row ? { nonce: row.nonce, codeVerifier: row.code_verifier, browserHash: row.browser_hash } : null;
  }

  /**
   * handOff, and again once if it lost a race with a sign-in of the same person at the same moment (two browsers, a
   * double click): the second try finds the link the first committed. Losing twice (three at once): try again later.
   */
  private async handOffOnce(claims: ValidatedClaims, device: DeviceInfo): Promise<string> {
    try {
      return await this.handOff(claims, device);
    } catch (err) {
      if (!lostRace(err)) throw err;
    }
    try {
      return await this.handOff(claims, device);
    } catch (err) {
      if (!lostRace(err)) throw err;
      throw new IdentityError(IdentityErrorCode.SIGN_IN_BUSY, 'Another sign-in of this person is under way; try again in a moment');
    }
  }

  /** The account for these claims, checked, linked (or created), and a hand-off code for it: one transaction. */
  @Transactional()
  private async handOff(claims: ValidatedClaims, device: DeviceInfo): Promise<string> {
    const now = this.clock.now();
    const refuse = (reason: SsoRefusalReason, userId?: string) =>
      new Refusal(reason, { subject: claims.subject, userId, address: device.address ?? null });
    const identities = this.txHost.tx.getRepository(SsoIdentityEntity);
    const linked = await identities.findOneBy({ issuer: claims.issuer, subject: claims.subject });
    let account: UserEntity | null = linked ? await this.users.lockForShare(linked.userId) : null;
    let matchedBy: 'SUBJECT' | 'EMAIL' | 'CREATED' = 'SUBJECT';
    if (!linked && claims.email && claims.emailVerified) {
      const byEmail = await this.users.findByEmail(claims.email);
      if (byEmail) {
        // One account, one person at this provider: an account already linked to another subject is not taken over.
        // Linked to this subject: this person's other sign-in linked it since the lookup above.
        const held = await identities.findOneBy({ issuer: claims.issuer, userId: byEmail.id });
        if (held && held.subject !== claims.subject) throw refuse(SsoRefusalReason.UNKNOWN_USER);
        if (held) throw new LostRace();
        account = await this.users.lockForShare(byEmail.id);
        matchedBy = 'EMAIL';
      }
    }
    const decision = decideSsoAccess({
      account,
      mappedRoles: rolesForGroups(groupsFromClaim(claims.groups), this.mapping),
      createUsers: this.config.get('OIDC_CREATE_USERS', { infer: true }),
      emailVerified: !!claims.email && claims.emailVerified,
    });
    if (decision.kind === 'REFUSE') throw refuse(decision.reason, account?.id);
    if (decision.kind === 'CREATE') {
      // Found now but not above: a sign-in of this person at the same moment created it.
      if (await this.users.findByEmail(claims.email!)) throw new LostRace();
      account = await this.users.create(Actor.system('sso'), {
        email: claims.email!,
        displayName: claims.name ?? normalizeEmail(claims.email!),
        // Nobody knows it: the account signs in through the provider (an admin may set a password later).
        password: randomBytes(48).toString('base64url'),
        roles: decision.roles,
      });
      matchedBy = 'CREATED';
    }
    if (!account) throw refuse(SsoRefusalReason.UNKNOWN_USER);
    // Two first sign-ins of one person at the same moment: the first link stands, the second adds nothing.
    const inserted = linked
      ? null
      : await identities
          .createQueryBuilder()
          .insert()
          .values({ issuer: claims.issuer, subject: claims.subject, userId: account.id, createdAt: now })
          .orIgnore()
          .returning('user_id')
          .execute();
    if (inserted && (inserted.raw as unknown[]).length === 0) {
      // Not linked: either this person's first sign-in at the same moment linked it (fine), or another subject of
      // the provider took this account meanwhile (UQ_sso_identities_issuer_user): one account, one person.
      const existing = await identities.findOneBy({ issuer: claims.issuer, subject: claims.subject });
      if (existing?.userId !== account.id) throw refuse(SsoRefusalReason.UNKNOWN_USER, account.id);
    }
    if (inserted && (inserted.raw as unknown[]).length > 0) {
      await this.trail.append({
        actor: Actor.system('sso'),
        action: 'auth.sso-linked',
        entityType: 'User',
        entityId: account.id,
        after: { issuer: claims.issuer, subject: claims.subject, matchedBy },
      });
    }
    const code = randomBytes(32).toString('base64url');
    await this.txHost.tx.getRepository(SsoHandoffEntity).insert({
      codeHash: sha256Hex(code),
      userId: account.id,
      amr: claims.amr,
      acr: claims.acr,
      authTime: claims.authTime,
      userAgent: device.userAgent?.slice(0, 300) ?? null,
      address: device.address ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + HANDOFF_TTL_MS),
      usedAt: null,
    });
    return code;
  }

  /**
   * Writes `auth.sso-refused` (reason, issuer, subject, address; the user when known) in its own transaction, except
   * for NOT_RECORDED, and returns the error to throw.
   */
  private async refused(refusal: Refusal): Promise<IdentityError> {
    if (!NOT_RECORDED.has(refusal.reason)) {
      await this.sessions.recordFailure({
        action: 'auth.sso-refused',
        userId: refusal.known.userId ?? null,
        reason: refusal.reason,
        address: refusal.known.address ?? null,
        details: { issuer: this.config.get('OIDC_ISSUER', { infer: true }) ?? null, subject: refusal.known.subject ?? null },
      });
    }
    return new IdentityError(IdentityErrorCode.SSO_REFUSED, `Single sign-on refused (${refusal.reason})`, { reason: refusal.reason });
  }
}
