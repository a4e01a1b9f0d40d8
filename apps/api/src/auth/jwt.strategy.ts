import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '@app/common';
import { assertAccessTokenClaims, jwtKey, SessionsService, type UserEntity } from '@app/identity';
import type { RequestWithUser } from './access.decorators';

/**
 * `Authorization: Bearer <jwt>`, checked against the database on every request: the token names a session
 * (`sid`), which must be open, of an active user. The session goes on the request (`authSession`) for the guard.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
    @Inject(SessionsService) private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      algorithms: ['HS256'],
      passReqToCallback: true,
      secretOrKey: jwtKey({
        JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
        DATA_DIR: config.get('DATA_DIR', { infer: true }),
      }) as unknown as Buffer, // a KeyObject made once (jwt-secret.ts)
    });
  }

  async validate(req: RequestWithUser, claims: unknown): Promise<UserEntity> {
    // jsonwebtoken checks exp only when present (ignoreExpiration: false does not require it).
    const { user, session } = await this.sessions.authenticate(assertAccessTokenClaims(claims));
    req.authSession = session;
    return user;
  }
}
