import { Inject } from '@nestjs/common';
import { Args, Context, ID, Mutation, Resolver } from '@nestjs/graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import { PasskeysService, Permission, type AuthSessionEntity, type UserEntity } from '@app/identity';
import { Allow, CurrentSession, CurrentUser, DuringSignIn, type RequestWithUser } from '../auth/access.decorators';
import { deviceOf } from './auth.resolver';
import { PasskeyChallengeType } from './passkey.types';
import { SecondFactorEnrolledType, SecondFactorType } from './second-factor.type';
import { SessionType } from './session.type';

/** The signed-in user's passkeys (WebAuthn) as a second factor: register one, prove one (sign-in and step-up). */
@Resolver()
export class PasskeysResolver {
  constructor(@Inject(PasskeysService) private readonly passkeys: PasskeysService) {}

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Mutation(() => PasskeyChallengeType, {
    description:
      'Start registering a passkey named `label` (1 to 100 characters). Your passkeys are excluded (an authenticator is ' +
      'registered once). While signing in only if your role requires a second factor you do not have yet; a user who already ' +
      'has one must have proved it recently (STEP_UP_REQUIRED).',
  })
  async startPasskeyRegistration(
    @Args({ name: 'label', type: () => String }) label: string,
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: AuthSessionEntity,
  ): Promise<PasskeyChallengeType> {
    return PasskeyChallengeType.from(await this.passkeys.startRegistration(user, session, label));
  }

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Mutation(() => SecondFactorEnrolledType, {
    description:
      "Finish the registration with the browser's answer (PublicKeyCredential.toJSON()). With your first second factor come " +
      'ten recovery codes (shown only here). Proves the second factor for this session: a session waiting for enrolment ' +
      'becomes ACTIVE. An answer that does not verify: INVALID_SECOND_FACTOR (the challenge is used up; start again).',
  })
  async finishPasskeyRegistration(
    @Args({ name: 'challengeId', type: () => ID }) challengeId: string,
    @Args({ name: 'response', type: () => JSONObjectResolver }) response: Record<string, unknown>,
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: AuthSessionEntity,
  ): Promise<SecondFactorEnrolledType> {
    const enrolled = await this.passkeys.finishRegistration(user, session, challengeId, response);
    return Object.assign(new SecondFactorEnrolledType(), {
      factor: SecondFactorType.from(enrolled.factor),
      recoveryCodes: enrolled.recoveryCodes,
    });
  }

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Mutation(() => PasskeyChallengeType, {
    description: 'Start proving one of your passkeys (to complete a sign-in, or to renew the proof for operations that sign a record).',
  })
  async startPasskeyVerification(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: AuthSessionEntity,
  ): Promise<PasskeyChallengeType> {
    return PasskeyChallengeType.from(await this.passkeys.startVerification(user, session));
  }

  @Allow(Permission.SELF_SECURITY)
  @DuringSignIn()
  @Mutation(() => SessionType, {
    description:
      "Finish proving a passkey with the browser's answer (PublicKeyCredential.toJSON()): completes a sign-in waiting for it, " +
      'or renews the proof for step-up. A refused answer: INVALID_SECOND_FACTOR (start again); too many: LOGIN_THROTTLED.',
  })
  async finishPasskeyVerification(
    @Args({ name: 'challengeId', type: () => ID }) challengeId: string,
    @Args({ name: 'response', type: () => JSONObjectResolver }) response: Record<string, unknown>,
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: AuthSessionEntity,
    @Context('req') req: RequestWithUser,
  ): Promise<SessionType> {
    const proved = await this.passkeys.finishVerification(user, session, challengeId, response, deviceOf(req).address ?? 'unknown');
    return SessionType.from(proved, session.id);
  }
}
