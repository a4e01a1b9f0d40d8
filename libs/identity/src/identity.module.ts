import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '@app/common';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { AuthService } from './auth.service';
import { jwtKey } from './jwt-secret';
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
        secret: jwtKey({
          JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
          DATA_DIR: config.get('DATA_DIR', { infer: true }),
        }) as unknown as Buffer, // a KeyObject made once (jwt-secret.ts)
        signOptions: { expiresIn: config.get('JWT_TTL_SECONDS', { infer: true }), algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [UsersService, AuthService, ApiKeysService, PasswordHasher, LoginThrottle, PasswordCheckSlots],
  exports: [UsersService, AuthService, ApiKeysService, JwtModule],
})
export class IdentityModule {}
