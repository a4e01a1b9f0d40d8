import { Inject, UseGuards } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuthService, Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser, Public } from '../auth/access.decorators';
import { LoginGuard } from '../auth/login.guard';
import { LoginInput } from './dto/login.input';
import { LoginPayload, UserType } from './user.type';

@Resolver()
export class AuthResolver {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Public()
  @UseGuards(LoginGuard)
  @Mutation(() => LoginPayload, { description: 'Sign in with e-mail and password; returns a bearer token' })
  async login(@Args('input') _input: LoginInput, @CurrentUser() user: UserEntity): Promise<LoginPayload> {
    const issued = await this.auth.issueToken(user);
    return { accessToken: issued.accessToken, tokenType: 'Bearer', expiresAt: issued.expiresAt, user: UserType.from(user) };
  }

  @Allow(Permission.SELF_READ)
  @Query(() => UserType, { description: 'The signed-in user' })
  me(@CurrentUser() user: UserEntity): UserType {
    return UserType.from(user);
  }
}
