import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '@app/common';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { AuthService } from './auth.service';
import { resolveJwtSecret } from './jwt-secret';
import { LoginThrottle } from './login-throttle';
import { PasswordCheckSlots } from './password-check-slots';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, ApiKeyEntity]),
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => ({
        // A KeyObject made once (as in the API's JwtStrategy): given a string, jsonwebtoken first tries it as a
        // PEM key (an exception) before making the same secret key, on every sign and verify. Its typings name
        // only string | Buffer; it takes a KeyObject.
        secret: createSecretKey(
          Buffer.from(
            resolveJwtSecret({
              JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
              DATA_DIR: config.get('DATA_DIR', { infer: true }),
            }),
            'utf8',
          ),
        ) as unknown as Buffer,
        signOptions: { expiresIn: config.get('JWT_TTL_SECONDS', { infer: true }), algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [UsersService, AuthService, ApiKeysService, PasswordHasher, LoginThrottle, PasswordCheckSlots],
  exports: [UsersService, AuthService, ApiKeysService, JwtModule],
})
export class IdentityModule {}
