import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { emptyToUndefined, toInt, type RunsIn, type SettingsBase } from './conversions';

/** Signing in: tokens, the first administrator, password hashing and the limits on failed and concurrent sign-ins. */
export function SignInSettings<TBase extends SettingsBase>(Base: TBase) {
  class SignInSettings extends Base {
    /** Required in production (at least 32 characters); generated once in DATA_DIR otherwise. */
    @Transform(emptyToUndefined)
    @ValidateIf((c: RunsIn & SignInSettings) => c.NODE_ENV === 'production' || c.JWT_SECRET !== undefined)
    @IsString({ message: 'JWT_SECRET is required when NODE_ENV=production' })
    @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
    JWT_SECRET?: string;

    /** Access-token lifetime in seconds (15 minutes): the page renews it with its refresh token (REFRESH_TTL_SECONDS). */
    @Transform(toInt)
    @IsInt()
    @Min(60)
    @Max(7 * 24 * 3600)
    JWT_TTL_SECONDS = 900;

    @Transform(emptyToUndefined)
    @IsOptional()
    @IsEmail({}, { message: 'ADMIN_EMAIL must be an e-mail address' })
    ADMIN_EMAIL?: string;

    @Transform(emptyToUndefined)
    @ValidateIf((c: SignInSettings) => c.ADMIN_EMAIL !== undefined || c.ADMIN_PASSWORD !== undefined)
    @IsString({ message: 'ADMIN_PASSWORD is required when ADMIN_EMAIL is set' })
    @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
    @MaxLength(256, { message: 'ADMIN_PASSWORD must be at most 256 characters' })
    ADMIN_PASSWORD?: string;

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

    /**
     * How new passwords are hashed. `standard`: argon2id with the library's
     * defaults (64 MiB, 3 passes; about 0.5 s on this kind of machine). `fast`:
     * argon2id with the smallest cost (1 MiB, 1 pass), for test runs that make
     * hundreds of users; refused unless NODE_ENV=test. Verifying reads the cost
     * from each stored hash, so either setting checks every password ever stored.
     */
    @IsIn(['standard', 'fast'], { message: 'PASSWORD_HASHING must be standard or fast' })
    @ValidateBy(
      {
        name: 'fastOnlyInTests',
        validator: { validate: (value: unknown, args) => value !== 'fast' || (args?.object as RunsIn).NODE_ENV === 'test' },
      },
      { message: 'PASSWORD_HASHING=fast is for test runs: it is refused unless NODE_ENV=test' },
    )
    PASSWORD_HASHING: 'standard' | 'fast' = 'standard';
  }
  return SignInSettings;
}
