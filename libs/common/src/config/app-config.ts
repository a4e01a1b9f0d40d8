import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DatabaseSettings } from './settings/database.settings';
import { EvidenceStoreSettings } from './settings/evidence-store.settings';
import { LimitSettings } from './settings/limits.settings';
import { MailSettings } from './settings/mail.settings';
import { ProofSettings } from './settings/proofs.settings';
import { ScaleOutSettings } from './settings/scale-out.settings';
import { multiInstanceProblems } from './settings/scale-out.rules';
import { ServerSettings } from './settings/server.settings';
import { SecondFactorSettings } from './settings/second-factor.settings';
import { SignInSettings } from './settings/sign-in.settings';
import { SsoSettings } from './settings/sso.settings';
import { WebhookSettings } from './settings/webhooks.settings';

export { EVIDENCE_MEDIA_TYPES, type EvidenceMediaType } from './settings/evidence-store.settings';
export { parseOidcRoleMapping, type OidcMappedRole } from './settings/sso.settings';
export { DATABASE_POOLING_MODES, type DatabasePooling } from './settings/scale-out.settings';

/**
 * Every setting the server reads, validated once at start-up. `.env.example`
 * lists the same variables; a wrong value stops the process with a message
 * that names the variable.
 *
 * The settings are grouped by concern, one file each in ./settings/ (the
 * process and HTTP server, the database, signing in, limits, the evidence
 * store, webhooks, mail). Each group is a mixin that extends the groups before
 * it, so AppConfig is still one class, validated in one pass, and a rule may
 * consult a setting of another group (e.g. NODE_ENV). A new setting goes into
 * its group's file and into `.env.example`.
 */
export class AppConfig extends ScaleOutSettings(
  SsoSettings(
    SecondFactorSettings(
      ProofSettings(
        MailSettings(
          WebhookSettings(EvidenceStoreSettings(LimitSettings(SignInSettings(DatabaseSettings(ServerSettings(class Settings {})))))),
        ),
      ),
    ),
  ),
) {}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Values never repeated in an error message. */
const SECRET_KEYS = new Set([
  'JWT_SECRET',
  'ADMIN_PASSWORD',
  'DEMO_PASSWORD',
  'DATABASE_URL',
  'SMTP_URL',
  'EVIDENCE_S3_ACCESS_KEY_ID',
  'EVIDENCE_S3_SECRET_ACCESS_KEY',
  'CHECKPOINT_WEBHOOK_SECRET',
  'OIDC_CLIENT_SECRET',
  'SECOND_FACTOR_KEY',
  'REDIS_URL',
  'DATABASE_DIRECT_URL',
]);

/** Used as @nestjs/config's `validate`, and by the CLI. */
export function validateConfig(env: Record<string, unknown>): AppConfig {
  const known = Object.keys(new AppConfig());
  const picked: Record<string, unknown> = {};
  for (const key of [...known, 'DATABASE_URL', 'JWT_SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD']) {
    if (env[key] !== undefined) picked[key] = env[key];
  }
  const config = plainToInstance(AppConfig, picked, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false });
  // Then what several instances cannot each keep to itself (INSTANCES > 1; scale-out.rules.ts).
  const together = errors.some((e) => e.property === 'INSTANCES') ? [] : multiInstanceProblems(config);
  if (errors.length > 0 || together.length > 0) {
    throw new ConfigValidationError([
      ...errors.map((e) => {
        // A URL's user and password are never repeated either (PUBLIC_BASE_URL refuses them, but would show them).
        const shown = SECRET_KEYS.has(e.property) ? '' : ` (got ${JSON.stringify(e.value)?.replace(/(\/\/)[^/@\s]*@/g, '$1***@')})`;
        return `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}${shown}`;
      }),
      ...together,
    ]);
  }
  return config;
}

/**
 * The ConfigModule of the server and the CLI, validated by `validateConfig`.
 * @nestjs/config 12 validates inside its async `forRoot`: a refused setting
 * rejects a promise that Nest awaits only later, so Node reported an unhandled
 * rejection and the process died with a stack trace before main() could say
 * which setting is wrong. A handler attached here marks the rejection handled;
 * Nest still receives it where it awaits the module, and main() prints it.
 */
export function appConfigModule(): Promise<DynamicModule> {
  const module = ConfigModule.forRoot({ isGlobal: true, cache: true, validate: validateConfig });
  module.catch(() => undefined);
  return module;
}
