import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { AuthService, type UserEntity } from '@app/identity';
import type { RequestWithUser } from './access.decorators';

/** E-mail and password, for the `login` mutation. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  validate(req: RequestWithUser, email: string, password: string): Promise<UserEntity> {
    return this.auth.verifyCredentials(email, password, req.ip ?? 'unknown');
  }
}
