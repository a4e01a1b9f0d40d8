import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { Role, SecondFactorMethod, SessionState, SignInMethod, type AuthSessionEntity, type SecondFactorPolicyEntity } from '@app/identity';

registerEnumType(SessionState, {
  name: 'SessionState',
  description: 'What a session may do',
  valuesMap: {
    ACTIVE: { description: 'Everything its roles grant' },
    SECOND_FACTOR_PENDING: { description: 'Signed in with the password; prove the second factor (verifySecondFactor, or a passkey) first' },
    ENROLMENT_PENDING: { description: 'The role requires a second factor and none is enrolled: enrol one first' },
  },
});
registerEnumType(SignInMethod, { name: 'SignInMethod', description: 'How the session was opened' });
registerEnumType(SecondFactorMethod, {
  name: 'SecondFactorMethod',
  description: 'How a person proved it is them beyond the password',
  valuesMap: {
    TOTP: { description: 'A code from an authenticator app' },
    RECOVERY_CODE: { description: 'A single-use recovery code' },
    PASSKEY: { description: 'A passkey or security key (WebAuthn)' },
    SSO: { description: "The identity provider's multi-factor sign-in (its amr/acr)" },
  },
});

@ObjectType('Session', { description: 'A signed-in session (a browser, a device): ended by signing out, by its user or by an admin' })
export class SessionType {
  @Field(() => ID)
  id!: string;

  @Field(() => SessionState)
  state!: SessionState;

  @Field(() => SignInMethod)
  signInMethod!: SignInMethod;

  @Field(() => SecondFactorMethod, { nullable: true, description: 'The last second factor proved in this session' })
  secondFactorMethod!: SecondFactorMethod | null;

  @Field(() => DateTimeScalar, { nullable: true })
  secondFactorAt!: Date | null;

  @Field(() => String, { nullable: true, description: "The browser's User-Agent at sign-in" })
  userAgent!: string | null;

  @Field(() => String, { nullable: true, description: 'The client address at sign-in' })
  address!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  lastSeenAt!: Date;

  @Field(() => DateTimeScalar, { description: 'The session ends then, however often it is refreshed' })
  expiresAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: Date | null;

  @Field({ description: 'Whether this is the session of the request' })
  current!: boolean;

  static from(s: AuthSessionEntity, currentId?: string | null): SessionType {
    return Object.assign(new SessionType(), {
      id: s.id,
      state: s.state,
      signInMethod: s.signInMethod,
      secondFactorMethod: s.secondFactorMethod,
      secondFactorAt: s.secondFactorAt,
      userAgent: s.userAgent,
      address: s.address,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      expiresAt: s.expiresAt,
      revokedAt: s.revokedAt,
      current: s.id === currentId,
    });
  }
}

@ObjectType('SecondFactorPolicy', { description: 'Whether holders of a role must have a second factor (set by admins)' })
export class SecondFactorPolicyType {
  @Field(() => Role)
  role!: Role;

  @Field()
  required!: boolean;

  @Field(() => Int)
  version!: number;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  @Field()
  updatedBy!: string;

  static from(p: SecondFactorPolicyEntity): SecondFactorPolicyType {
    return Object.assign(new SecondFactorPolicyType(), {
      role: p.role,
      required: p.required,
      version: p.version,
      updatedAt: p.updatedAt,
      updatedBy: p.updatedByLabel,
    });
  }
}
