import { Inject } from '@nestjs/common';
import { Args, Field, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { SsoService } from '@app/identity';
import { Public } from '../auth/access.decorators';
import { LoginPayload } from './user.type';

/** Path of the route that starts a single sign-on (sso.controller.ts). */
const SSO_START_PATH = '/auth/sso/start';

@ObjectType('SignInOptions', { description: 'How one may sign in here (asked before signing in)' })
export class SignInOptionsType {
  @Field({ description: 'Whether single sign-on through the organisation’s identity provider is offered' })
  sso!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Where to send the browser to sign in with the identity provider (null without SSO)',
  })
  ssoStartUrl!: string | null;
}

@Resolver()
export class SsoResolver {
  constructor(@Inject(SsoService) private readonly sso: SsoService) {}

  /** Anyone: the sign-in page asks it before anyone is signed in (password sign-in is always offered as well). */
  @Public()
  @Query(() => SignInOptionsType, { description: 'How one may sign in: password always; single sign-on when configured' })
  signInOptions(): SignInOptionsType {
    return { sso: this.sso.enabled, ssoStartUrl: this.sso.enabled ? SSO_START_PATH : null };
  }

  /**
   * Anyone holding a hand-off code: the code itself is the credential (one minute, once, made only after the
   * identity provider's answer was validated).
   */
  @Public()
  @Mutation(() => LoginPayload, {
    description:
      'Finish a single sign-on: trade the one-time code the page received in its address (#sso=<code>, valid one minute) for ' +
      'an access token and a refresh token. The session is ACTIVE with an SSO proof when the identity provider signed the ' +
      "person in with several factors (its amr/acr); otherwise the tracker's own second-factor rules apply. SSO_REFUSED when " +
      'the code is unknown, used or expired.',
  })
  async completeSsoSignIn(@Args({ name: 'code', type: () => String }) code: string): Promise<LoginPayload> {
    return LoginPayload.from(await this.sso.completeSignIn(code));
  }
}
