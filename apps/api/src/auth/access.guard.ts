import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AppConfig } from '@app/common';
import { hasPermission, IdentityError, IdentityErrorCode, SessionsService, SessionState } from '@app/identity';
import { ACCESS_RULE, DURING_SIGN_IN, requestOf, STEP_UP, type AccessRule, type RequestWithUser } from './access.decorators';

/** The Passport strategies that authenticate a bearer credential (also run at a WebSocket connection). */
export const BEARER_STRATEGIES: readonly string[] = ['jwt', 'api-key'];

/**
 * The global guard: deny by default. An operation runs only if it is marked
 * @Public, or the caller presents a valid bearer credential whose roles grant
 * the permission named by @Allow: the access token of an active user (the
 * `jwt` strategy), or else a promotion system's API key (`api-key`, role
 * SERVICE, which grants GATE_READ only).
 *
 * A user's session must be ACTIVE (its second factor proved or not required), except for the operations marked
 * @DuringSignIn; an operation marked @StepUp needs a second factor proved in the session within
 * STEP_UP_MAX_AGE_SECONDS (waived only in the demo without DEMO_MFA).
 */
@Injectable()
export class AccessGuard extends AuthGuard([...BEARER_STRATEGIES]) {
  private readonly stepUpMaxAge: number;
  private readonly stepUpWaived: boolean;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
    @Inject(SessionsService) private readonly sessions: SessionsService,
  ) {
    super();
    this.stepUpMaxAge = config.get('STEP_UP_MAX_AGE_SECONDS', { infer: true });
    this.stepUpWaived =
      config.get('DEMO', { infer: true }) &&
      !config.get('DEMO_MFA', { infer: true }) &&
      config.get('NODE_ENV', { infer: true }) !== 'production';
  }

  override getRequest(context: ExecutionContext) {
    return requestOf(context);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (rule?.kind === 'public') return true;
    await super.canActivate(context); // authenticates, or throws UNAUTHENTICATED
    const user = requestOf(context).user!;
    if (!rule) {
      throw new IdentityError(IdentityErrorCode.PERMISSION_DENIED, 'This operation declares no access rule; it is closed to everyone');
    }
    if (!hasPermission(user.roles, rule.permission)) {
      throw new IdentityError(
        IdentityErrorCode.PERMISSION_DENIED,
        `Your roles (${user.roles.join(', ')}) do not allow this (needs ${rule.permission})`,
        { permission: rule.permission },
      );
    }
    this.checkSession(context, requestOf(context));
    return true;
  }

  /** The second-factor rules of a user's session (an API key has none). */
  private checkSession(context: ExecutionContext, req: RequestWithUser): void {
    const session = req.authSession;
    if (!session) return;
    const targets = [context.getHandler(), context.getClass()];
    if (session.state !== SessionState.ACTIVE && !this.reflector.getAllAndOverride<boolean>(DURING_SIGN_IN, targets)) {
      const enrol = session.state === SessionState.ENROLMENT_PENDING;
      throw new IdentityError(
        IdentityErrorCode.SECOND_FACTOR_REQUIRED,
        enrol
          ? 'Your role requires a second factor: enrol an authenticator app (startTotpEnrolment) or a passkey (startPasskeyRegistration) first'
          : 'Prove your second factor first: verifySecondFactor with a code, or a passkey (startPasskeyVerification)',
        { next: enrol ? 'ENROL' : 'VERIFY' },
      );
    }
    if (!this.reflector.getAllAndOverride<boolean>(STEP_UP, targets)) return;
    const proof = this.sessions.proofOf(session);
    if (this.sessions.hasFreshProof(session)) {
      req.stepUpProof = proof;
      return;
    }
    if (this.stepUpWaived) {
      req.stepUpProof = null;
      return;
    }
    throw new IdentityError(
      IdentityErrorCode.STEP_UP_REQUIRED,
      `This signs a record: prove your second factor again (verifySecondFactor with a code, or a passkey through startPasskeyVerification) and send it within ${Math.round(this.stepUpMaxAge / 60)} minutes`,
      { maxAgeSeconds: this.stepUpMaxAge, provedAt: proof?.at.toISOString() ?? null, methods: ['TOTP', 'RECOVERY_CODE', 'PASSKEY'] },
    );
  }

  override handleRequest<T>(err: unknown, user: T, infos: unknown): T {
    if (err) throw err;
    if (!user) {
      // Both strategies failed: passport gives one answer per strategy; the JWT's comes first
      // (the API-key strategy fails quietly unless a key was presented, and then it throws).
      const info: unknown = Array.isArray(infos) ? infos[0] : infos;
      const why =
        info instanceof Error
          ? info.name === 'TokenExpiredError'
            ? 'The access token has expired; sign in again'
            : info.message === 'No auth token'
              ? 'Sign in first: send Authorization: Bearer <accessToken>'
              : 'The access token is not valid'
          : 'Sign in first: send Authorization: Bearer <accessToken>';
      throw new IdentityError(IdentityErrorCode.INVALID_TOKEN, why);
    }
    return user;
  }
}
