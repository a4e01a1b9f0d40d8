import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { Permission, type SecondFactorProof, type UserEntity } from '@app/identity';
import { SigningKeysService, verifierKey } from '@app/signing-keys';
import { Allow, CurrentUser, StepUp, StepUpProof } from '../auth/access.decorators';
import { SigningKeyPurposeEnum, SigningKeysType, SigningKeyType } from './signing-keys.types';

/** The tracker's signing keys: their public halves, and rotation of the keys it keeps itself. */
@Resolver(() => SigningKeyType)
export class SigningKeysResolver {
  constructor(@Inject(SigningKeysService) private readonly keys: SigningKeysService) {}

  /**
   * Any signed-in user (SELF_READ): the same document is public at
   * /.well-known/remediation-tracker/keys for people without an account;
   * here it serves the page, which only signed-in users see.
   */
  @Allow(Permission.SELF_READ)
  @Query(() => SigningKeysType, { description: 'Every signed-in user: the public signing keys, active and retired, with their dates' })
  async signingKeys(): Promise<SigningKeysType> {
    return SigningKeysType.from(await this.keys.keysDocument());
  }

  @Allow(Permission.SIGNING_KEYS_MANAGE)
  @StepUp()
  @Mutation(() => SigningKeyType, {
    description:
      'Admins: a new key for this purpose signs from now on; the old one is listed as retired and still verifies what it signed. ' +
      'Only for the keys the tracker keeps under DATA_DIR/keys: a key from TRAIL_SIGNING_KEY_FILE / BUNDLE_SIGNING_KEY_FILE is CONFLICT ' +
      '(rotate it by pointing the setting at a new key file and restarting)',
  })
  async rotateSigningKey(
    @Args('purpose', { type: () => SigningKeyPurposeEnum }) purpose: SigningKeyPurposeEnum,
    @CurrentUser() user: UserEntity,
    @StepUpProof() proof: SecondFactorProof | null,
  ): Promise<SigningKeyType> {
    const key = await this.keys.rotate(Actor.user(user, proof), purpose);
    return SigningKeyType.fromActive(key, verifierKey(key.name, key.publicKey));
  }
}
