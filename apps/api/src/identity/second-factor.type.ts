import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { SecondFactorKind, type UserSecondFactorEntity } from '@app/identity';

registerEnumType(SecondFactorKind, {
  name: 'SecondFactorKind',
  description: 'A kind of second factor a user enrols',
  valuesMap: {
    TOTP: { description: 'An authenticator app (six-digit codes, RFC 6238)' },
    PASSKEY: { description: 'A passkey or security key (WebAuthn)' },
  },
});

@ObjectType('SecondFactor', { description: 'One enrolled second factor of the signed-in user' })
export class SecondFactorType {
  @Field(() => ID)
  id!: string;

  @Field(() => SecondFactorKind)
  kind!: SecondFactorKind;

  @Field({ description: "The user's name for it, e.g. 業務用 iPhone" })
  label!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was last proved (null: not since enrolment)' })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Set once removed (only on the answer of removeSecondFactor)' })
  removedAt!: Date | null;

  static from(f: UserSecondFactorEntity): SecondFactorType {
    return Object.assign(new SecondFactorType(), {
      id: f.id,
      kind: f.kind,
      label: f.label,
      createdAt: f.createdAt,
      lastUsedAt: f.lastUsedAt,
      removedAt: f.removedAt,
    });
  }
}

@ObjectType('TotpEnrolment', {
  description:
    'An authenticator app being enrolled: add it to the app (QR code of otpauthUri, or the secret typed), then confirm with a code',
})
export class TotpEnrolmentType {
  @Field(() => ID, { description: 'The factor to confirm (confirmTotpEnrolment)' })
  factorId!: string;

  @Field({ description: 'The secret in base32, to type into the app by hand. Shown only now' })
  secret!: string;

  @Field({ description: 'otpauth://totp/... URI, to show as a QR code. Shown only now' })
  otpauthUri!: string;
}

@ObjectType('SecondFactorEnrolled', { description: 'A confirmed second factor, with the recovery codes when it is the first one' })
export class SecondFactorEnrolledType {
  @Field(() => SecondFactorType)
  factor!: SecondFactorType;

  @Field(() => [String], {
    nullable: true,
    description: 'Ten single-use recovery codes, shown only now (only their hashes are kept); null unless this is your first second factor',
  })
  recoveryCodes!: string[] | null;
}
