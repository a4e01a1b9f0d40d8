import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '@app/common';
import { assertAccessTokenClaims, AuthService, jwtKey, type UserEntity } from '@app/identity';

/** `Authorization: Bearer <jwt>`, checked against the database on every request. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      algorithms: ['HS256'],
      secretOrKey: jwtKey({
        JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
        DATA_DIR: config.get('DATA_DIR', { infer: true }),
      }) as unknown as Buffer, // a KeyObject made once (jwt-secret.ts)
    });
  }

  async validate(claims: unknown): Promise<UserEntity> {
    // jsonwebtoken checks exp only when present (ignoreExpiration: false does not require it).
    return this.auth.userForClaims(assertAccessTokenClaims(claims));
  }
}
