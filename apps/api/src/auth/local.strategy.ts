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

  /**
   * `req.ip` is the client's address as Express sees it: the socket's, or with
   * TRUST_PROXY_HOPS > 0 (`trust proxy`, set in bootstrap.ts) the one that many
   * trusted proxies put in X-Forwarded-For. The sign-in limits count by it.
   */
  validate(req: RequestWithUser, email: string, password: string): Promise<UserEntity> {
    return this.auth.verifyCredentials(email, password, req.ip ?? 'unknown');
  }
}
