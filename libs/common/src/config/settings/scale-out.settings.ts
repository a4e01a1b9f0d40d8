import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';
import { emptyToUndefined, toBool, toInt, type SettingsBase } from './conversions';

/** How the app's pool reaches PostgreSQL: directly (or a session pooler), or through a transaction pooler such as PgBouncer. */
export const DATABASE_POOLING_MODES = ['session', 'transaction'] as const;
export type DatabasePooling = (typeof DATABASE_POOLING_MODES)[number];

/**
 * Running several instances of the server on one database (README "Running more
 * than one instance"): what they share (PostgreSQL; optionally Redis; S3 or a
 * shared directory for evidence), how one stops for a rolling restart, and how
 * the pool reaches PostgreSQL through a transaction pooler.
 */
export function ScaleOutSettings<TBase extends SettingsBase>(Base: TBase) {
  class ScaleOutSettings extends Base {
    /**
     * How many instances of the server share this database (a declaration the
     * start-up checks: with more than one, a local evidence store, the embedded
     * database and secrets generated into DATA_DIR are refused).
     */
    @Transform(toInt)
    @IsInt({ message: 'INSTANCES must be a whole number' })
    @Min(1)
    @Max(64)
    INSTANCES = 1;

    /**
     * With INSTANCES > 1 and no S3 bucket: DATA_DIR/evidence is one directory that
     * every instance mounts (NFS or similar), so every instance reads every file.
     */
    @Transform(toBool)
    @IsBoolean({ message: 'EVIDENCE_SHARED_DIRECTORY must be true or false' })
    EVIDENCE_SHARED_DIRECTORY = false;

    /**
     * Redis (redis:// or rediss://): when set, live events between instances go
     * through Redis pub/sub and the sign-in throttle counts there; unset, both
     * use PostgreSQL (LISTEN/NOTIFY and a table).
     */
    @Transform(emptyToUndefined)
    @IsOptional()
    @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
    REDIS_URL?: string = undefined;

    /**
     * What every key and channel this deployment uses in Redis starts with (the
     * sign-in throttle's counts, the live events), so that deployments sharing
     * one Redis never meet.
     */
    @Matches(/^[A-Za-z0-9:._-]{0,64}$/, { message: 'REDIS_KEY_PREFIX must be up to 64 letters, digits or : . _ -' })
    REDIS_KEY_PREFIX = 'remediation-tracker:';

    /**
     * A direct connection to PostgreSQL (not through a transaction pooler), for
     * what needs a session of its own: LISTEN and the migrations' lock (the job
     * queue needs none: pg-boss takes only transaction-scoped locks, through the
     * app's pool). Unset: DATABASE_URL's server.
     */
    @Transform(emptyToUndefined)
    @ValidateIf((c: ScaleOutSettings) => c.DATABASE_POOLING === 'transaction' || c.DATABASE_DIRECT_URL !== undefined)
    @Matches(/^postgres(ql)?:\/\/.+/, {
      message: 'DATABASE_DIRECT_URL must be a postgres:// or postgresql:// URL (required with DATABASE_POOLING=transaction)',
    })
    DATABASE_DIRECT_URL?: string = undefined;

    /**
     * `transaction`: DATABASE_URL is a transaction pooler (PgBouncer pool_mode =
     * transaction): the pool sends no startup options and keeps no session state;
     * DATABASE_DIRECT_URL is then required.
     */
    @IsIn(DATABASE_POOLING_MODES, { message: 'DATABASE_POOLING must be session or transaction' })
    DATABASE_POOLING: DatabasePooling = 'session';

    /**
     * On SIGTERM the server stops taking new connections, says not ready, lets
     * requests and uploads in flight finish for up to this many seconds, closes
     * subscriptions with a code that tells clients to reconnect, then exits.
     */
    @Transform(toInt)
    @IsInt({ message: 'SHUTDOWN_GRACE_SECONDS must be a whole number of seconds' })
    @Min(0)
    @Max(3600)
    SHUTDOWN_GRACE_SECONDS = 25;

    /**
     * false: this instance serves requests but works no job queue (another instance runs the scheduled jobs; its
     * own start-up catch-ups still run). It may still send jobs.
     */
    @Transform(toBool)
    @IsBoolean({ message: 'JOBS_ENABLED must be true or false' })
    JOBS_ENABLED = true;
  }
  return ScaleOutSettings;
}
