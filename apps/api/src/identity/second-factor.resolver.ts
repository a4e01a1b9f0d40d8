import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Permission, SecondFactorsService, type AuthSessionEntity, type UserEntity } from '@app/identity';
import { Allow, CurrentSession, CurrentUser, DuringSignIn, StepUp, type RequestWithUser } from '../auth/access.decorators';
import { deviceOf } from './auth.resolver';
import { SecondFactorEnrolledType, SecondFactorType, TotpEnrolmentType } from './second-factor.type';
import { SessionType } from './session.type';

/** The signed-in user's authenticator app and recovery codes: enrol, prove (sign-in and step-up), list, remove. */
@Resolver()
export class SecondFactorResolver {
  constructor(@Inject(SecondFactorsService) private readonly factors: SecondFactorsService) {}

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Mutation(() => TotpEnrolmentType, {
    description:
      'Start enrolling an authenticator app named `label` (1 to 100 characters): returns its secret once. One app per user ' +
      '(SECOND_FACTOR_EXISTS); an earlier unconfirmed enrolment is replaced. A user who already has a second factor must have ' +
      'proved it recently (STEP_UP_REQUIRED).',
  })
  async startTotpEnrolment(
    @Args({ name: 'label', type: () => String }) label: string,
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: AuthSessionEntity,
  ): Promise<TotpEnrolmentType> {
    const started = await this.factors.startTotpEnrolment(session, user, label);
    return Object.assign(new TotpEnrolmentType(), { factorId: started.factor.id, secret: started.secret, otpauthUri: started.otpauthUri });
  }

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Mutation(() => SecondFactorEnrolledType, {
    description:
      'Confirm the enrolment with the code the app shows now. With your first second factor come ten recovery codes (shown ' +
      'only here). Proves the second factor for this session: a session waiting for enrolment becomes ACTIVE. A wrong code: ' +
      'INVALID_SECOND_FACTOR, nothing changed.',
  })
  async confirmTotpEnrolment(
    @Args({ name: 'factorId', type: () => ID }) factorId: string,
    @Args({ name: 'code', type: () => String }) code: string,
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: AuthSessionEntity,
  ): Promise<SecondFactorEnrolledType> {
    const confirmed = await this.factors.confirmTotpEnrolment(session, user, factorId, code);
    return Object.assign(new SecondFactorEnrolledType(), {
      factor: SecondFactorType.from(confirmed.factor),
      recoveryCodes: confirmed.recoveryCodes,
    });
  }

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Mutation(() => SessionType, {
    description:
      'Prove your second factor in this session: the six-digit code of your authenticator app, or one of your recovery codes ' +
      '(xxxx-xxxx-xxxx-xxxx, each works once). Completes a sign-in waiting for it, or renews the proof for operations that ' +
      'sign a record. A wrong, used or expired code: INVALID_SECOND_FACTOR; too many: LOGIN_THROTTLED (retryAfterSeconds); text ' +
      'in the shape of neither: BAD_USER_INPUT (not counted).',
  })
  async verifySecondFactor(
    @Args({ name: 'code', type: () => String }) code: string,
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: AuthSessionEntity,
    @Context('req') req: RequestWithUser,
  ): Promise<SessionType> {
    const proved = await this.factors.verify(session, user, code, deviceOf(req).address ?? 'unknown');
    return SessionType.from(proved, session.id);
  }

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Query(() => [SecondFactorType], { description: 'My enrolled second factors (confirmed, not removed), oldest first' })
  async mySecondFactors(@CurrentUser() user: UserEntity): Promise<SecondFactorType[]> {
    return (await this.factors.list(user.id)).map((f) => SecondFactorType.from(f));
  }

  @Allow(Permission.SELF_SECURITY)
  @Query(() => Int, { description: 'How many of my recovery codes are still unused' })
  recoveryCodesLeft(@CurrentUser() user: UserEntity): Promise<number> {
    return this.factors.recoveryCodesLeft(user.id);
  }

  @Allow(Permission.SELF_SECURITY)
  @StepUp()
  @Mutation(() => SecondFactorType, {
    description:
      'Remove one of my second factors (needs a fresh proof). Not the last one while my role requires a second factor ' +
      '(LAST_SECOND_FACTOR); with the last one go the unused recovery codes.',
  })
  async removeSecondFactor(@Args({ name: 'id', type: () => ID }) id: string, @CurrentUser() user: UserEntity): Promise<SecondFactorType> {
    return SecondFactorType.from(await this.factors.remove(user, id));
  }

  @Allow(Permission.SELF_SECURITY)
  @StepUp()
  @Mutation(() => [String], {
    description: 'Ten new recovery codes, shown only now (needs a fresh proof); the unused old ones stop working',
  })
  regenerateRecoveryCodes(@CurrentUser() user: UserEntity): Promise<string[]> {
    return this.factors.regenerateRecoveryCodes(user);
  }
}
