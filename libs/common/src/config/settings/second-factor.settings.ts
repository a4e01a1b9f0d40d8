import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { emptyToUndefined, toBool, toInt, type RunsIn, type SettingsBase } from './conversions';

/** Sessions, second factors and step-up: how long tokens and sessions live, how fresh a signer's proof must be. */
export function SecondFactorSettings<TBase extends SettingsBase>(Base: TBase) {
  class SecondFactorSettings extends Base {
    /** A refresh token unused this long (seconds) no longer renews its session: the idle limit (default 8 hours). */
    @Transform(toInt)
    @IsInt()
    @Min(300)
    @Max(30 * 24 * 3600)
    REFRESH_TTL_SECONDS = 8 * 3600;

    /** A session ends this long (seconds) after its sign-in however often it is refreshed (default 7 days). */
    @Transform(toInt)
    @IsInt()
    @Min(600)
    @Max(90 * 24 * 3600)
    SESSION_MAX_SECONDS = 7 * 24 * 3600;

    /**
     * How recent (seconds) a second-factor proof must be for the operations that sign a record (a sign-off, a
     * clearance, a risk acceptance, a gate's reopening, a PPC filing, a key rotation): 5 minutes.
     */
    @Transform(toInt)
    @IsInt()
    @Min(30)
    @Max(24 * 3600)
    STEP_UP_MAX_AGE_SECONDS = 300;

    /**
     * The demo's users sign in with their password alone and sign without a step-up, unless DEMO_MFA=true: then the
     * demo keeps the default policy (a second factor required for AUDITOR, EXECUTIVE and ADMIN) and every step-up.
     * Only read when DEMO=true.
     */
    @Transform(toBool)
    @IsBoolean({ message: 'DEMO_MFA must be true or false' })
    DEMO_MFA = false;

    /** The WebAuthn relying party's id: the host name of the page (no scheme, no port), e.g. tracker.example.co.jp. */
    @IsString()
    @MinLength(1)
    WEBAUTHN_RP_ID = 'localhost';

    /** The name an authenticator shows for the relying party. */
    @IsString()
    @MinLength(1)
    WEBAUTHN_RP_NAME = '再発防止策トラッカー';

    /**
     * The origins (scheme, host and port) a passkey's assertion may come from, comma-separated, e.g.
     * https://tracker.example.co.jp. Empty: the server's own http://localhost:<PORT>.
     */
    @IsString()
    WEBAUTHN_ORIGINS = '';

    /**
     * The key that encrypts the authenticator apps' secrets at rest (AES-256-GCM): at least 32 characters; required
     * in production; generated once in DATA_DIR otherwise. Changing or losing it disables every enrolled
     * authenticator app (users then sign in with a recovery code and enrol again).
     */
    @Transform(emptyToUndefined)
    @ValidateIf((c: RunsIn & SecondFactorSettings) => c.NODE_ENV === 'production' || c.SECOND_FACTOR_KEY !== undefined)
    @IsString({ message: 'SECOND_FACTOR_KEY is required when NODE_ENV=production' })
    @MinLength(32, { message: 'SECOND_FACTOR_KEY must be at least 32 characters' })
    SECOND_FACTOR_KEY?: string = undefined;
  }
  return SecondFactorSettings;
}
