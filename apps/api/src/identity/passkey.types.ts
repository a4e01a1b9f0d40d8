import { Field, ID, ObjectType } from '@nestjs/graphql';
import { JSONObjectResolver } from 'graphql-scalars';

@ObjectType('PasskeyChallenge', {
  description:
    'A WebAuthn ceremony started for this session: pass `options` to navigator.credentials.create() (registration) or .get() ' +
    '(verification), then send the answer with `challengeId` within two minutes. Answered once.',
})
export class PasskeyChallengeType {
  @Field(() => ID)
  challengeId!: string;

  @Field(() => JSONObjectResolver, {
    description:
      'PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON (binary fields base64url), as ' +
      'PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON read them',
  })
  options!: Record<string, unknown>;

  static from(started: { challengeId: string; options: object }): PasskeyChallengeType {
    return Object.assign(new PasskeyChallengeType(), { challengeId: started.challengeId, options: { ...started.options } });
  }
}
