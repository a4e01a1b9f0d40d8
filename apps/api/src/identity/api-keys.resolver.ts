import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { ApiKeysService, Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { ApiKeyConnection, ApiKeyType, CreateApiKeyPayload } from './api-key.type';
import { ApiKeysArgs, CreateApiKeyInput, RevokeApiKeyInput } from './dto/api-key.inputs';

/** Admins manage the promotion systems' API keys. */
@Resolver(() => ApiKeyType)
export class ApiKeysResolver {
  constructor(@Inject(ApiKeysService) private readonly keys: ApiKeysService) {}

  @Allow(Permission.INTEGRATIONS_MANAGE)
  @Query(() => ApiKeyConnection, { description: 'Admins: every API key, newest first, revoked ones too' })
  async apiKeys(@Args() args: ApiKeysArgs): Promise<ApiKeyConnection> {
    return toConnection(await this.keys.list(args), ApiKeyType.from);
  }

  @Allow(Permission.INTEGRATIONS_MANAGE)
  @Mutation(() => CreateApiKeyPayload, { description: 'Admins: a key for a promotion system (role SERVICE); the secret is returned once' })
  async createApiKey(@Args('input') input: CreateApiKeyInput, @CurrentUser() user: UserEntity): Promise<CreateApiKeyPayload> {
    return CreateApiKeyPayload.from(await this.keys.create(Actor.user(user), { name: input.name }));
  }

  @Allow(Permission.INTEGRATIONS_MANAGE)
  @Mutation(() => ApiKeyType, { description: 'Admins: refuse the key from now on, with a reason; revoking twice is CONFLICT' })
  async revokeApiKey(@Args('input') input: RevokeApiKeyInput, @CurrentUser() user: UserEntity): Promise<ApiKeyType> {
    return ApiKeyType.from(await this.keys.revoke(Actor.user(user), input.id, input.reason));
  }
}
