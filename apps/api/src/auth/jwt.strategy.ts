import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '@app/common';
import { assertAccessTokenClaims, AuthService, resolveJwtSecret, type UserEntity } from '@app/identity';

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
      // The key as a KeyObject made once: given a string, jsonwebtoken first tries it as a PEM public key
      // (an exception per request) before making the same secret key, on every request.
      secretOrKey: createSecretKey(
        Buffer.from(
          resolveJwtSecret({
            JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
            DATA_DIR: config.get('DATA_DIR', { infer: true }),
          }),
          'utf8',
        ),
      ) as unknown as Buffer, // passport-jwt hands it to jsonwebtoken.verify, which takes a KeyObject; its typings only name string | Buffer
    });
  }

  async validate(claims: unknown): Promise<UserEntity> {
    // jsonwebtoken checks exp only when present (ignoreExpiration: false does not require it).
    return this.auth.userForClaims(assertAccessTokenClaims(claims));
  }
}
