import { Inject, UseGuards } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import {
  Permission,
  RevocationReason,
  SecondFactorPolicyService,
  SessionsService,
  SignInMethod,
  type AuthSessionEntity,
  type UserEntity,
} from '@app/identity';
import { Allow, CurrentSession, CurrentUser, DuringSignIn, Public, type RequestWithUser } from '../auth/access.decorators';
import { LoginGuard } from '../auth/login.guard';
import { LoginInput } from './dto/login.input';
import { SecondFactorPolicyInput } from './dto/session.inputs';
import { SecondFactorPolicyType, SessionType } from './session.type';
import { LoginPayload, UserType } from './user.type';

/** The device of a request: its User-Agent and client address. */
export function deviceOf(req: RequestWithUser): { userAgent: string | null; address: string | null } {
  const ua = req.headers['user-agent'];
  return { userAgent: typeof ua === 'string' ? ua : null, address: req.ip ?? null };
}

@Resolver()
export class AuthResolver {
  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SecondFactorPolicyService) private readonly policy: SecondFactorPolicyService,
  ) {}

  @Public()
  @UseGuards(LoginGuard)
  @Mutation(() => LoginPayload, {
    description:
      'Sign in with e-mail and password. Returns a short access token and a single-use refresh token. The session is ' +
      'SECOND_FACTOR_PENDING when the user has a second factor (prove it next), ENROLMENT_PENDING when the role requires one ' +
      'and none is enrolled (enrol one next); only then does it do what the roles grant.',
  })
  async login(
    @Args('input') _input: LoginInput,
    @CurrentUser() user: UserEntity,
    @Context('req') req: RequestWithUser,
  ): Promise<LoginPayload> {
    return LoginPayload.from(await this.sessions.signIn(user, { method: SignInMethod.PASSWORD, device: deviceOf(req) }));
  }

  @Public()
  @Mutation(() => LoginPayload, {
    description:
      'Trade the refresh token for a new access token and a new refresh token. Each refresh token works once: one used ' +
      'again ends the whole session (someone holds a copy).',
  })
  async refreshSession(@Args({ name: 'refreshToken', type: () => String }) refreshToken: string): Promise<LoginPayload> {
    return LoginPayload.from(await this.sessions.refresh(refreshToken));
  }

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Mutation(() => SessionType, { description: 'Sign out: ends this session (its access and refresh tokens, its subscriptions)' })
  async signOut(@CurrentUser() user: UserEntity, @CurrentSession() session: AuthSessionEntity): Promise<SessionType> {
    const ended = await this.sessions.revoke(Actor.user(user), session.id, { asAdmin: false, reason: RevocationReason.SIGNED_OUT });
    return SessionType.from(ended, session.id);
  }

  @Allow(Permission.SELF_READ)
  @DuringSignIn()
  @Query(() => UserType, { description: 'The signed-in user' })
  me(@CurrentUser() user: UserEntity): UserType {
    return UserType.from(user);
  }

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Query(() => SessionType, { description: 'The session of this request: its state and its last second-factor proof' })
  currentSession(@CurrentSession() session: AuthSessionEntity): SessionType {
    return SessionType.from(session, session.id);
  }

  @Allow(Permission.SELF_SECURITY)
  @Query(() => [SessionType], { description: 'My open sessions (at most 100), newest first: device, address, last seen' })
  async mySessions(@CurrentUser() user: UserEntity, @CurrentSession() session: AuthSessionEntity): Promise<SessionType[]> {
    return (await this.sessions.activeOf(user.id)).map((s) => SessionType.from(s, session.id));
  }

  @Allow(Permission.SELF_SECURITY)
  @Mutation(() => SessionType, { description: 'End one of my sessions (e.g. a lost laptop): its tokens stop working at once' })
  async revokeSession(
    @Args({ name: 'id', type: () => ID }) id: string,
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: AuthSessionEntity,
  ): Promise<SessionType> {
    return SessionType.from(await this.sessions.revoke(Actor.user(user), id, { asAdmin: false }), session.id);
  }

  @Allow(Permission.USERS_MANAGE)
  @Query(() => [SessionType], { description: "A user's open sessions (admins)" })
  async userSessions(@Args({ name: 'userId', type: () => ID }) userId: string): Promise<SessionType[]> {
    return (await this.sessions.activeOf(userId)).map((s) => SessionType.from(s));
  }

  @Allow(Permission.USERS_MANAGE)
  @Mutation(() => Int, { description: 'End every open session of a user (admins); returns how many were ended' })
  async revokeUserSessions(@Args({ name: 'userId', type: () => ID }) userId: string, @CurrentUser() user: UserEntity): Promise<number> {
    return this.sessions.revokeAllOf(Actor.user(user), userId, RevocationReason.REVOKED_BY_ADMIN);
  }

  @Allow(Permission.USERS_MANAGE)
  @Query(() => [SecondFactorPolicyType], { description: 'Which roles must have a second factor (admins)' })
  async secondFactorPolicy(): Promise<SecondFactorPolicyType[]> {
    return (await this.policy.list()).map((p) => SecondFactorPolicyType.from(p));
  }

  @Allow(Permission.USERS_MANAGE)
  @Mutation(() => SecondFactorPolicyType, {
    description: 'Require (or stop requiring) a second factor for a role (admins); holders without one must enrol at their next sign-in',
  })
  async setSecondFactorPolicy(
    @Args('input') input: SecondFactorPolicyInput,
    @CurrentUser() user: UserEntity,
  ): Promise<SecondFactorPolicyType> {
    return SecondFactorPolicyType.from(await this.policy.set(Actor.user(user), input.role, input.required, input.expectedVersion));
  }
}
