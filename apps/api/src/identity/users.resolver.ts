import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '@app/common';
import { Permission, UsersService, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { toConnection } from '../common/connection.type';
import { CreateUserInput, UpdateUserRolesInput, UserArgs, UsersArgs, UserVersionInput } from './dto/user-inputs';
import { UserConnection, UserType } from './user.type';

@Resolver(() => UserType)
export class UsersResolver {
  constructor(@Inject(UsersService) private readonly usersService: UsersService) {}

  @Allow(Permission.USERS_READ)
  @Query(() => UserConnection, { description: 'Users ordered by e-mail' })
  async users(@Args() args: UsersArgs): Promise<UserConnection> {
    const page = await this.usersService.list(args.filter ?? {}, args);
    return toConnection(page, UserType.from);
  }

  @Allow(Permission.USERS_READ)
  @Query(() => UserType)
  async user(@Args() args: UserArgs): Promise<UserType> {
    return UserType.from(await this.usersService.getById(args.id));
  }

  @Allow(Permission.USERS_MANAGE)
  @Mutation(() => UserType)
  async createUser(@Args('input') input: CreateUserInput, @CurrentUser() actor: UserEntity): Promise<UserType> {
    return UserType.from(await this.usersService.create(Actor.user(actor), input));
  }

  @Allow(Permission.USERS_MANAGE)
  @Mutation(() => UserType)
  async updateUserRoles(@Args('input') input: UpdateUserRolesInput, @CurrentUser() actor: UserEntity): Promise<UserType> {
    return UserType.from(await this.usersService.updateRoles(Actor.user(actor), input.id, input.roles, input.expectedVersion));
  }

  @Allow(Permission.USERS_MANAGE)
  @Mutation(() => UserType, { description: 'Deactivated users are refused at once, even with a valid token' })
  async deactivateUser(@Args('input') input: UserVersionInput, @CurrentUser() actor: UserEntity): Promise<UserType> {
    return UserType.from(await this.usersService.deactivate(Actor.user(actor), input.id, input.expectedVersion));
  }

  @Allow(Permission.USERS_MANAGE)
  @Mutation(() => UserType)
  async reactivateUser(@Args('input') input: UserVersionInput, @CurrentUser() actor: UserEntity): Promise<UserType> {
    return UserType.from(await this.usersService.reactivate(Actor.user(actor), input.id, input.expectedVersion));
  }
}
