import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { emptyToUndefined, toInt, type SettingsBase } from './conversions';

/** The database: which server, the pool, and the limits on every app connection. */
export function DatabaseSettings<TBase extends SettingsBase>(Base: TBase) {
  class DatabaseSettings extends Base {
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
  }
  return DatabaseSettings;
}
