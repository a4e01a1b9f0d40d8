import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { ALL_PERMISSIONS, permissionsOf, Role, type IssuedSession, type UserEntity } from '@app/identity';
import { ConnectionType } from '../common/connection.type';
import { SessionType } from './session.type';

registerEnumType(Role, {
  name: 'Role',
  description: 'What a user does in the remediation',
  valuesMap: {
    ADMIN: { description: 'Manages users and settings' },
    TASK_FORCE: { description: 'Task-force member (情報セキュリティ対策強化の特別チーム): owns countermeasures, attaches evidence' },
    EXECUTIVE: { description: 'Executive; the president chairs the task force (最高責任者)' },
    AUDITOR: { description: 'External auditor: reviews evidence, signs off, clears the audit (外部監査)' },
    SERVICE: { description: "A promotion system's API key, not a person: reads the gates only. No user can hold it (ROLE_NOT_FOR_USERS)" },
  },
});

const SHOWN = new WeakMap<UserEntity, UserType>();

@ObjectType('User')
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field({ description: 'Name as written, e.g. 山田 太郎' })
  displayName!: string;

  @Field(() => String, { nullable: true, description: 'Reading in kana (furigana)' })
  displayNameKana!: string | null;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => [String], { description: `What the roles allow; one of: ${ALL_PERMISSIONS.join(', ')}` })
  permissions!: string[];

  @Field()
  active!: boolean;

  @Field(() => DateTimeScalar, { nullable: true })
  deactivatedAt!: Date | null;

  @Field(() => Int, { description: 'Send it back as expectedVersion when you change this user' })
  version!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  /**
   * The user as the API shows it; one object per loaded user (a page names the
   * same owners and uploaders hundreds of times: each is copied once).
   */
  static from(user: UserEntity): UserType {
    let shown = SHOWN.get(user);
    if (!shown) SHOWN.set(user, (shown = UserType.copy(user)));
    return shown;
  }

  private static copy(user: UserEntity): UserType {
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      displayNameKana: user.displayNameKana,
      roles: user.roles,
      permissions: [...permissionsOf(user.roles)],
      active: user.active,
      deactivatedAt: user.deactivatedAt,
      version: user.version,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }
}

@ObjectType()
export class UserConnection extends ConnectionType(UserType, 'User') {}

@ObjectType()
export class LoginPayload {
  @Field({ description: 'Send as Authorization: Bearer <accessToken>' })
  accessToken!: string;

  @Field()
  tokenType!: string;

  @Field(() => DateTimeScalar, { description: 'When the access token expires: renew it before with refreshSession' })
  expiresAt!: Date;

  @Field({ description: 'Single use: trade it for the next access and refresh tokens (refreshSession); keep it out of URLs and logs' })
  refreshToken!: string;

  @Field(() => DateTimeScalar, { description: 'The refresh token is refused after this (idle limit, or the session’s end)' })
  refreshExpiresAt!: Date;

  @Field(() => SessionType)
  session!: SessionType;

  @Field(() => UserType)
  user!: UserType;

  static from(issued: IssuedSession): LoginPayload {
    return Object.assign(new LoginPayload(), {
      accessToken: issued.accessToken,
      tokenType: 'Bearer',
      expiresAt: issued.expiresAt,
      refreshToken: issued.refreshToken,
      refreshExpiresAt: issued.refreshExpiresAt,
      session: SessionType.from(issued.session, issued.session.id),
      user: UserType.from(issued.user),
    });
  }
}
