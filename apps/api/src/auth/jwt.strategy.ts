import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '@app/common';
import { AuthService, resolveJwtSecret, type AccessTokenClaims, type UserEntity } from '@app/identity';

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
      secretOrKey: resolveJwtSecret({
        JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
        DATA_DIR: config.get('DATA_DIR', { infer: true }),
      }),
    });
  }

  validate(claims: AccessTokenClaims): Promise<UserEntity> {
    return this.auth.userForClaims(claims);
  }
}
