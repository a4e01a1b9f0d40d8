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
import { throttleStoreProvider } from './throttle-store';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';
import { AuthSessionEntity } from './sessions/auth-session.entity';
import { RefreshTokenEntity } from './sessions/refresh-token.entity';
import { SecondFactorPolicyEntity } from './sessions/second-factor-policy.entity';
import { SecondFactorPolicyService } from './sessions/second-factor-policy.service';
import { SessionsService } from './sessions/sessions.service';
import { UserSecondFactorEntity } from './sessions/user-second-factor.entity';
import { OidcClient } from './sso/oidc-client';
import { SsoHandoffEntity, SsoIdentityEntity, SsoSignInStateEntity } from './sso/sso.entities';
import { SsoService } from './sso/sso.service';
import { PasskeysService } from './second-factor/passkeys.service';
import { WebauthnChallengesService } from './second-factor/webauthn-challenges.service';
import { WebauthnChallengeEntity } from './second-factor/webauthn-challenge.entity';
import { WebauthnCredentialEntity } from './second-factor/webauthn-credential.entity';
import { RecoveryCodeEntity } from './second-factor/recovery-code.entity';
import { RecoveryCodesService } from './second-factor/recovery-codes.service';
import { SecondFactorsService } from './second-factor/second-factors.service';
import { TotpSecretEntity } from './second-factor/totp-secret.entity';
import { TotpService } from './second-factor/totp.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      UserEntity,
      ApiKeyEntity,
      AuthSessionEntity,
      RefreshTokenEntity,
      SecondFactorPolicyEntity,
      UserSecondFactorEntity,
      SsoSignInStateEntity,
      SsoHandoffEntity,
      SsoIdentityEntity,
      WebauthnCredentialEntity,
      WebauthnChallengeEntity,
      TotpSecretEntity,
      RecoveryCodeEntity,
    ]),
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
  providers: [
    UsersService,
    AuthService,
    ApiKeysService,
    PasswordHasher,
    LoginThrottle,
    throttleStoreProvider,
    PasswordCheckSlots,
    SessionsService,
    SecondFactorPolicyService,
    OidcClient,
    SsoService,
    PasskeysService,
    WebauthnChallengesService,
    TotpService,
    RecoveryCodesService,
    SecondFactorsService,
  ],
  exports: [
    UsersService,
    AuthService,
    ApiKeysService,
    JwtModule,
    SessionsService,
    SecondFactorPolicyService,
    LoginThrottle,
    SsoService,
    PasskeysService,
    SecondFactorsService,
    RecoveryCodesService,
  ],
})
export class IdentityModule {}
