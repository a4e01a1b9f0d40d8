import { Field, ID, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { Role, type ApiKeyEntity, type CreatedApiKey } from '@app/identity';
import { ConnectionType } from '../common/connection.type';

@ObjectType('ApiKey', {
  description:
    "A promotion system's API key (service account, role SERVICE: reads the gates, nothing else). The secret is never shown again after createApiKey.",
})
export class ApiKeyType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Which system holds it, e.g. 販促配信システム (本番)' })
  name!: string;

  @Field({ description: 'The public part of the key (rtk_<prefix>_...), to tell keys apart' })
  prefix!: string;

  @Field(() => Role, { description: 'Always SERVICE' })
  role!: Role;

  @Field(() => ID, { nullable: true, description: 'The admin who created it (null: the system)' })
  createdById!: string | null;

  @Field()
  createdByLabel!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field({ description: 'Not revoked: the key is accepted' })
  active!: boolean;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => ID, { nullable: true })
  revokedById!: string | null;

  @Field(() => String, { nullable: true })
  revokedByLabel!: string | null;

  @Field(() => String, { nullable: true })
  revocationReason!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Last accepted request (to within a minute)' })
  lastUsedAt!: Date | null;

  static from(k: ApiKeyEntity): ApiKeyType {
    return {
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      role: k.role,
      createdById: k.createdById,
      createdByLabel: k.createdByLabel,
      createdAt: k.createdAt,
      active: k.revokedAt === null,
      revokedAt: k.revokedAt,
      revokedById: k.revokedById,
      revokedByLabel: k.revokedByLabel,
      revocationReason: k.revocationReason,
      lastUsedAt: k.lastUsedAt,
    };
  }
}

@ObjectType()
export class ApiKeyConnection extends ConnectionType(ApiKeyType, 'ApiKey') {}

@ObjectType()
export class CreateApiKeyPayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field({ description: 'The whole key, rtk_<prefix>_<secret>: shown this once, never again. Send it as Authorization: Bearer <secret>' })
  secret!: string;

  static from(created: CreatedApiKey): CreateApiKeyPayload {
    return { apiKey: ApiKeyType.from(created.apiKey), secret: created.secret };
  }
}
