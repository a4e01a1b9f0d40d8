import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  MinLength,
  Min,
  validateSync,
  ValidateBy,
  ValidateIf,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value; // left as a string: @IsBoolean reports it
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);
const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .filter((v) => v !== '')
    : value;

/**
 * An http:// or https:// URL with a host, optionally a path, and no user,
 * password, query or fragment (a base that paths and queries are appended to).
 */
function isHttpBaseUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !/^https?:\/\/[^/?#\s]/i.test(value) || /[?#\s]/.test(value)) return false;
  try {
    const url = new URL(value);
    return url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** The media types an evidence file may have (detected from its bytes); EVIDENCE_ALLOWED_TYPES picks among them. */
export const EVIDENCE_MEDIA_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/csv',
  'text/plain',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/json',
] as const;
export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[number];

/**
 * Every setting the server reads, validated once at start-up. `.env.example`
 * lists the same variables; a wrong value stops the process with a message
 * that names the variable.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** Where the embedded database, its password and the dev JWT secret live. */
  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  /** A real PostgreSQL server; unset means the embedded one under DATA_DIR/pg. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /**
   * Limits on every app connection (README "Database timeouts"), in ms; 0 turns one off.
   * A statement running longer is cancelled (57014); a lock not granted in time is
   * refused (55P03); a session idle inside an open transaction longer is ended by
   * the server (25P03), its locks (the audit trail's, which every write waits on)
   * released. Migrations run on a connection of their own without these limits.
   */
  @Transform(toInt)
  @IsInt({ message: 'DB_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds (0: no limit)' })
  @Min(0)
  @Max(86_400_000)
  DB_STATEMENT_TIMEOUT_MS = 30_000;

  @Transform(toInt)
  @IsInt({ message: 'DB_LOCK_TIMEOUT_MS must be a whole number of milliseconds (0: no limit)' })
  @Min(0)
  @Max(86_400_000)
  DB_LOCK_TIMEOUT_MS = 10_000;

  @Transform(toInt)
  @IsInt({ message: 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS must be a whole number of milliseconds (0: no limit)' })
  @Min(0)
  @Max(86_400_000)
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

  /** Required in production (at least 32 characters); generated once in DATA_DIR otherwise. */
  @Transform(emptyToUndefined)
  @ValidateIf((c: AppConfig) => c.NODE_ENV === 'production' || c.JWT_SECRET !== undefined)
  @IsString({ message: 'JWT_SECRET is required when NODE_ENV=production' })
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Access-token lifetime in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  JWT_TTL_SECONDS = 3600;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an e-mail address' })
  ADMIN_EMAIL?: string;

  @Transform(emptyToUndefined)
  @ValidateIf((c: AppConfig) => c.ADMIN_EMAIL !== undefined || c.ADMIN_PASSWORD !== undefined)
  @IsString({ message: 'ADMIN_PASSWORD is required when ADMIN_EMAIL is set' })
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  @MaxLength(256, { message: 'ADMIN_PASSWORD must be at most 256 characters' })
  ADMIN_PASSWORD?: string;

  /** Load the demo case into an empty database (never in production). */
  @Transform(toBool)
  @IsBoolean({ message: 'DEMO must be true or false' })
  DEMO = true;

  @IsString()
  @MinLength(8, { message: 'DEMO_PASSWORD must be at least 8 characters' })
  DEMO_PASSWORD = 'demo-password-2026';

  /**
   * Wrong passwords for one account from one client address that cost no wait
   * (the free failures); after them each further attempt of that pair waits a
   * delay that doubles from 1 s up to LOGIN_WINDOW_SECONDS. A success clears it.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES = 5;

  /**
   * The longest delay between two attempts of one account from one address,
   * and the window of the per-address and per-account counts below. A pair's
   * failures are forgotten 4 such windows after its delays last moved on.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400, { message: 'LOGIN_WINDOW_SECONDS must be at most 86400 (a day)' })
  LOGIN_WINDOW_SECONDS = 900;

  /** Failed sign-ins from one client address, whatever the accounts, before it is refused for LOGIN_WINDOW_SECONDS. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_ADDRESS_MAX_FAILURES = 50;

  /**
   * Failed sign-ins for one account, from addresses it has not signed in from
   * in the last 14 days, per LOGIN_WINDOW_SECONDS; past it only those addresses
   * are refused (an address the account signed in from keeps working).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_ACCOUNT_MAX_FAILURES = 100;

  /**
   * Sign-ins checking a password (argon2, on libuv's thread pool, which files
   * and DNS share: 4 threads unless UV_THREADPOOL_SIZE says otherwise) at once
   * in this process; a sign-in finding them all busy waits in a short queue
   * (LOGIN_MAX_QUEUED_HASHES), or is refused at once with SIGN_IN_BUSY when
   * that is full too. Keep it at most half the pool, so downloads keep threads.
   */
  @Transform(toInt)
  @IsInt({ message: 'LOGIN_MAX_CONCURRENT_HASHES must be a whole number' })
  @Min(1, { message: 'LOGIN_MAX_CONCURRENT_HASHES must be at least 1' })
  LOGIN_MAX_CONCURRENT_HASHES = 2;

  /** Sign-ins that may wait for a free password-check slot; beyond, SIGN_IN_BUSY at once. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  LOGIN_MAX_QUEUED_HASHES = 8;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  /** Trust X-Forwarded-For from this many proxies (0: use the socket address). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  TRUST_PROXY_HOPS = 0;

  /**
   * GraphQL limits (README "Security"). Before parsing: the request body
   * (GRAPHQL_MAX_BODY_BYTES, else 413) and the document's tokens. Before
   * execution: depth, aliases and fields with fragments expanded, then the
   * static cost (page sizes multiplied through nesting) and each caller's cost
   * budget per minute. After execution: the answer's size.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  GRAPHQL_MAX_BODY_BYTES = 102_400;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  GRAPHQL_MAX_TOKENS = 2_000;

  @Transform(toInt)
  @IsInt()
  @Min(2)
  GRAPHQL_MAX_DEPTH = 12;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  GRAPHQL_MAX_ALIASES = 30;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  GRAPHQL_MAX_FIELDS = 2_000;

  @Transform(toInt)
  @IsInt()
  @Min(2)
  GRAPHQL_MAX_SAME_NAME = 10;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  GRAPHQL_MAX_COST = 50_000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  GRAPHQL_COST_PER_MINUTE = 1_000_000;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  GRAPHQL_MAX_RESPONSE_BYTES = 8_388_608;

  /** Status reports rendered at once (CSV/PDF read the whole incident); a few more wait, beyond that SERVER_BUSY. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  REPORTS_MAX_CONCURRENT = 2;

  /** Evidence uploads received at once, and at once per user; beyond either, SERVER_BUSY (nothing read, nothing stored). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  EVIDENCE_MAX_CONCURRENT_UPLOADS = 4;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  EVIDENCE_MAX_UPLOADS_PER_USER = 2;

  /** Largest evidence file accepted, in bytes (an upload is stopped as soon as it passes this). */
  @Transform(toInt)
  @IsInt({ message: 'EVIDENCE_MAX_BYTES must be a whole number of bytes' })
  @Min(1, { message: 'EVIDENCE_MAX_BYTES must be positive' })
  EVIDENCE_MAX_BYTES = 52_428_800;

  /** Comma-separated media types an evidence file may have (decided from its bytes). */
  @Transform(toList)
  @ArrayNotEmpty({ message: 'EVIDENCE_ALLOWED_TYPES must name at least one media type' })
  @IsIn(EVIDENCE_MEDIA_TYPES, { each: true, message: `EVIDENCE_ALLOWED_TYPES may only name ${EVIDENCE_MEDIA_TYPES.join(', ')}` })
  EVIDENCE_ALLOWED_TYPES: EvidenceMediaType[] = [...EVIDENCE_MEDIA_TYPES];

  /**
   * A stored evidence file that no evidence refers to is removed by the store's
   * reconciliation (at start-up, hourly, `npm run cli -- reconcile-evidence-store`)
   * once it is older than this: a file just stored by an upload whose evidence is
   * not yet committed is younger, and kept.
   */
  @Transform(toInt)
  @IsInt({ message: 'EVIDENCE_ORPHAN_GRACE_SECONDS must be a whole number of seconds' })
  @Min(0)
  EVIDENCE_ORPHAN_GRACE_SECONDS = 3600;

  /**
   * Tests only: the server kills itself (SIGKILL) when an upload reaches this
   * point, to prove what a crash there leaves behind. Refused unless NODE_ENV=test.
   */
  @Transform(emptyToUndefined)
  @ValidateIf((c: AppConfig) => c.TEST_CRASH_AT !== undefined)
  @IsIn(['upload-staged', 'upload-stored'], { message: 'TEST_CRASH_AT must be upload-staged or upload-stored' })
  @ValidateBy(
    { name: 'onlyInTests', validator: { validate: (_: unknown, args) => (args?.object as AppConfig).NODE_ENV === 'test' } },
    { message: 'TEST_CRASH_AT is a test hook: it is refused unless NODE_ENV=test' },
  )
  TEST_CRASH_AT?: 'upload-staged' | 'upload-stored' = undefined;

  /**
   * How new passwords are hashed. `standard`: argon2id with the library's
   * defaults (64 MiB, 3 passes; about 0.5 s on this kind of machine). `fast`:
   * argon2id with the smallest cost (1 MiB, 1 pass), for test runs that make
   * hundreds of users; refused unless NODE_ENV=test. Verifying reads the cost
   * from each stored hash, so either setting checks every password ever stored.
   */
  @IsIn(['standard', 'fast'], { message: 'PASSWORD_HASHING must be standard or fast' })
  @ValidateBy(
    { name: 'fastOnlyInTests', validator: { validate: (value: unknown, args) => value !== 'fast' || (args?.object as AppConfig).NODE_ENV === 'test' } },
    { message: 'PASSWORD_HASHING=fast is for test runs: it is refused unless NODE_ENV=test' },
  )
  PASSWORD_HASHING: 'standard' | 'fast' = 'standard';

  /** Evidence files in this S3 bucket instead of DATA_DIR/evidence (unset: the local directory). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'EVIDENCE_S3_BUCKET must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)' })
  EVIDENCE_S3_BUCKET?: string = undefined;

  /** The endpoint of an S3-compatible server (http:// or https://); unset: AWS S3 of the region. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^/?#\s]+\/?$/, { message: 'EVIDENCE_S3_ENDPOINT must be an http:// or https:// URL without a path, e.g. http://127.0.0.1:9000' })
  EVIDENCE_S3_ENDPOINT?: string = undefined;

  @IsString()
  @Matches(/^[a-z0-9-]+$/, { message: 'EVIDENCE_S3_REGION must be a region name such as us-east-1' })
  EVIDENCE_S3_REGION = 'us-east-1';

  /** Both or neither; unset: the AWS SDK's default credentials (AWS_* variables, instance role...). */
  @Transform(emptyToUndefined)
  @ValidateIf((c: AppConfig) => c.EVIDENCE_S3_ACCESS_KEY_ID !== undefined || c.EVIDENCE_S3_SECRET_ACCESS_KEY !== undefined)
  @IsString({ message: 'EVIDENCE_S3_ACCESS_KEY_ID is required when EVIDENCE_S3_SECRET_ACCESS_KEY is set' })
  @MinLength(1)
  EVIDENCE_S3_ACCESS_KEY_ID?: string = undefined;

  @Transform(emptyToUndefined)
  @ValidateIf((c: AppConfig) => c.EVIDENCE_S3_ACCESS_KEY_ID !== undefined || c.EVIDENCE_S3_SECRET_ACCESS_KEY !== undefined)
  @IsString({ message: 'EVIDENCE_S3_SECRET_ACCESS_KEY is required when EVIDENCE_S3_ACCESS_KEY_ID is set' })
  @MinLength(1)
  EVIDENCE_S3_SECRET_ACCESS_KEY?: string = undefined;

  /** Path-style URLs (endpoint/bucket/key); unset: true when EVIDENCE_S3_ENDPOINT is set, false otherwise. */
  @Transform(({ value }) => (value === '' ? undefined : toBool({ value })))
  @IsOptional()
  @IsBoolean({ message: 'EVIDENCE_S3_FORCE_PATH_STYLE must be true or false' })
  EVIDENCE_S3_FORCE_PATH_STYLE?: boolean = undefined;

  /** Gate webhook: attempts per delivery before it is given up as FAILED. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  GATE_WEBHOOK_MAX_ATTEMPTS = 12;

  /** Gate webhook: the first retry delay in ms; it doubles per attempt (with jitter) up to 5 minutes. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(300_000)
  GATE_WEBHOOK_RETRY_BASE_MS = 1000;

  /**
   * Gate webhook: may a webhook point at loopback, private (RFC 1918, fc00::/7), link-local,
   * carrier-grade NAT or other non-public addresses (or a name resolving to one)? Off by default:
   * the server must not be made to POST to itself, the database or internal hosts. Turn on only for
   * a receiver on the company network (and in tests with a local receiver).
   */
  @Transform(toBool)
  @IsBoolean({ message: 'GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false' })
  GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS = false;

  /** Notification e-mail: the SMTP server (smtp:// or smtps://, user and password in the URL); unset: inbox only. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^smtps?:\/\/[^/?#\s]+(\/?|\/?\?\S*)$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example:587' })
  SMTP_URL?: string = undefined;

  /** Notification e-mail: the sender, an address or `Name <address>`; required when SMTP_URL is set. */
  @Transform(emptyToUndefined)
  @ValidateIf((c: AppConfig) => c.SMTP_URL !== undefined || c.MAIL_FROM !== undefined)
  @IsString({ message: 'MAIL_FROM is required when SMTP_URL is set' })
  @Matches(/^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, { message: 'MAIL_FROM must be an e-mail address or "Name <address>"' })
  MAIL_FROM?: string = undefined;

  /**
   * The server's address as its users reach it (http:// or https://, optionally
   * with a path, no query or fragment); trailing slashes are dropped. Links in
   * notification e-mail point there; unset: e-mail carries no link.
   */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().replace(/\/+$/, '') || undefined : value))
  @IsOptional()
  @ValidateBy(
    { name: 'isHttpBaseUrl', validator: { validate: (value: unknown) => isHttpBaseUrl(value) } },
    { message: 'PUBLIC_BASE_URL must be an http:// or https:// URL without user, query or fragment, e.g. https://tracker.example.co.jp' },
  )
  PUBLIC_BASE_URL?: string = undefined;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Values never repeated in an error message. */
const SECRET_KEYS = new Set(['JWT_SECRET', 'ADMIN_PASSWORD', 'DEMO_PASSWORD', 'DATABASE_URL', 'SMTP_URL', 'EVIDENCE_S3_ACCESS_KEY_ID', 'EVIDENCE_S3_SECRET_ACCESS_KEY']);

/** Used as @nestjs/config's `validate`, and by the CLI. */
export function validateConfig(env: Record<string, unknown>): AppConfig {
  const known = Object.keys(new AppConfig());
  const picked: Record<string, unknown> = {};
  for (const key of [...known, 'DATABASE_URL', 'JWT_SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD']) {
    if (env[key] !== undefined) picked[key] = env[key];
  }
  const config = plainToInstance(AppConfig, picked, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigValidationError(
      errors.map((e) => {
        // A URL's user and password are never repeated either (PUBLIC_BASE_URL refuses them, but would show them).
        const shown = SECRET_KEYS.has(e.property) ? '' : ` (got ${JSON.stringify(e.value)?.replace(/(\/\/)[^/@\s]*@/g, '$1***@')})`;
        return `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}${shown}`;
      }),
    );
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
