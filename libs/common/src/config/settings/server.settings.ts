import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength, ValidateBy } from 'class-validator';
import { isHttpBaseUrl, toBool, toInt, type NodeEnv, type SettingsBase } from './conversions';

/** The process and its HTTP server: mode, port, data directory, logs, proxies, public address, the demo. */
export function ServerSettings<TBase extends SettingsBase>(Base: TBase) {
  class ServerSettings extends Base {
    @IsIn(['development', 'production', 'test'])
    NODE_ENV: NodeEnv = 'development';

    @Transform(toInt)
    @IsInt()
    @Min(0)
    @Max(65535)
    PORT = 3000;

    /** Where the embedded database, its password and the dev JWT secret live. */
    @IsString()
    @MinLength(1)
    DATA_DIR = './data';

    /** Load the demo case into an empty database (never in production). */
    @Transform(toBool)
    @IsBoolean({ message: 'DEMO must be true or false' })
    DEMO = true;

    @IsString()
    @MinLength(8, { message: 'DEMO_PASSWORD must be at least 8 characters' })
    DEMO_PASSWORD = 'demo-password-2026';

    @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

    /** Trust X-Forwarded-For from this many proxies (0: use the socket address). */
    @Transform(toInt)
    @IsInt()
    @Min(0)
    TRUST_PROXY_HOPS = 0;

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
  return ServerSettings;
}
