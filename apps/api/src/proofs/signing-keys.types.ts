import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import type { KeysDocument, KeysDocumentKey, SigningKeyInfo, SigningKeyPurpose } from '@app/signing-keys';

/** GraphQL's names of the two purposes (the keys document writes them in lower case). */
export enum SigningKeyPurposeEnum {
  TRAIL = 'trail',
  BUNDLE = 'bundle',
}
registerEnumType(SigningKeyPurposeEnum, {
  name: 'SigningKeyPurpose',
  description: 'TRAIL signs the audit trail’s checkpoints, BUNDLE signs evidence bundles',
});

export enum SigningKeyStatus {
  ACTIVE = 'ACTIVE',
  RETIRED = 'RETIRED',
}
registerEnumType(SigningKeyStatus, {
  name: 'SigningKeyStatus',
  description: 'ACTIVE signs from now on; RETIRED signed before it was replaced',
});

@ObjectType('SigningKey', {
  description: 'The public half of one of the tracker’s Ed25519 signing keys (the private halves never leave the server)',
})
export class SigningKeyType {
  @Field(() => SigningKeyPurposeEnum)
  purpose!: SigningKeyPurpose;

  @Field({ description: 'The C2SP signed-note key name: <PROOF_ORIGIN>/trail or <PROOF_ORIGIN>/bundles' })
  name!: string;

  @Field({ description: 'Always Ed25519' })
  algorithm!: string;

  @Field({ description: 'The C2SP note key id (8 hex characters)' })
  keyId!: string;

  @Field({ description: 'SHA256:<hex of the raw public key>: what an auditor pins (remediation-verify --key)' })
  fingerprint!: string;

  @Field({ description: 'The raw 32-byte public key, base64' })
  publicKey!: string;

  @Field({ description: 'The C2SP verifier key: <name>+<key id>+<base64(0x01 || public key)>' })
  vkey!: string;

  @Field({ description: 'The public key as SPKI PEM' })
  publicKeyPem!: string;

  @Field(() => SigningKeyStatus)
  status!: SigningKeyStatus;

  @Field(() => DateTimeScalar)
  activatedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  retiredAt!: Date | null;

  static from(k: KeysDocumentKey): SigningKeyType {
    return {
      ...k,
      status: k.status as SigningKeyStatus,
      activatedAt: new Date(k.activatedAt),
      retiredAt: k.retiredAt ? new Date(k.retiredAt) : null,
    };
  }

  static fromActive(k: SigningKeyInfo, vkey: string): SigningKeyType {
    return {
      purpose: k.purpose,
      name: k.name,
      algorithm: 'Ed25519',
      keyId: k.keyId,
      fingerprint: k.fingerprint,
      publicKey: Buffer.from(k.publicKey).toString('base64'),
      vkey,
      publicKeyPem: k.publicKeyPem,
      status: SigningKeyStatus.ACTIVE,
      activatedAt: k.activatedAt,
      retiredAt: null,
    };
  }
}

@ObjectType('SigningKeys', {
  description: 'The keys document (GET /.well-known/remediation-tracker/keys): every key the tracker has signed with, active and retired',
})
export class SigningKeysType {
  @Field({ description: 'remediation-tracker-keys/v1' })
  format!: string;

  @Field({ description: 'PROOF_ORIGIN' })
  origin!: string;

  @Field(() => [SigningKeyType], {
    description: 'Trail keys first, then bundle keys; each purpose newest first (a handful: one per rotation)',
  })
  keys!: SigningKeyType[];

  static from(doc: KeysDocument): SigningKeysType {
    return { format: doc.format, origin: doc.origin, keys: doc.keys.map((k) => SigningKeyType.from(k)) };
  }
}
