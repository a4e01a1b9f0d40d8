import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { emptyToUndefined, isHttpBaseUrl, toInt, type RunsIn, type SettingsBase } from './conversions';

/**
 * Proofs checkable without the server (docs/proofs.md): the two signing keys,
 * the trail checkpoints and their copies outside the database, the evidence bundles.
 */
export function ProofSettings<TBase extends SettingsBase>(Base: TBase) {
  class ProofSettings extends Base {
    /**
     * The name the tracker signs under: checkpoints are signed by `<PROOF_ORIGIN>/trail`,
     * bundles by `<PROOF_ORIGIN>/bundles` (C2SP signed-note key names: no spaces, no '+').
     */
    @IsString()
    @Matches(/^[A-Za-z0-9][A-Za-z0-9.-]*(\/[A-Za-z0-9._-]+)*$/, {
      message: 'PROOF_ORIGIN must be a host-like name such as tracker.example.co.jp (letters, digits, dots, hyphens, optional /path)',
    })
    PROOF_ORIGIN = 'remediation-tracker.localhost';

    /** The trail checkpoint signing key (Ed25519, PKCS#8 PEM). Required in production; generated under DATA_DIR/keys otherwise. */
    @Transform(emptyToUndefined)
    @ValidateIf(
      (c: ProofSettings & RunsIn) =>
        c.NODE_ENV === 'production' || (c as { TRAIL_SIGNING_KEY_FILE?: string }).TRAIL_SIGNING_KEY_FILE !== undefined,
    )
    @IsString({
      message:
        'TRAIL_SIGNING_KEY_FILE is required in production: the path of an Ed25519 private key in PKCS#8 PEM (see README, "Checking our proofs without us")',
    })
    TRAIL_SIGNING_KEY_FILE?: string = undefined;

    /** The evidence bundle signing key (Ed25519, PKCS#8 PEM). Required in production; generated under DATA_DIR/keys otherwise. */
    @Transform(emptyToUndefined)
    @ValidateIf(
      (c: ProofSettings & RunsIn) =>
        c.NODE_ENV === 'production' || (c as { BUNDLE_SIGNING_KEY_FILE?: string }).BUNDLE_SIGNING_KEY_FILE !== undefined,
    )
    @IsString({
      message:
        'BUNDLE_SIGNING_KEY_FILE is required in production: the path of an Ed25519 private key in PKCS#8 PEM (see README, "Checking our proofs without us")',
    })
    BUNDLE_SIGNING_KEY_FILE?: string = undefined;

    /** At most one scheduled checkpoint per this many seconds, and only when the trail grew (events and on-demand ones come on top). */
    @Transform(toInt)
    @IsInt({ message: 'CHECKPOINT_INTERVAL_SECONDS must be a whole number of seconds' })
    @Min(1)
    @Max(86_400)
    CHECKPOINT_INTERVAL_SECONDS = 600;

    /** Where every checkpoint is also written, one file each, never overwritten (default DATA_DIR/checkpoints). */
    @Transform(emptyToUndefined)
    @IsOptional()
    @IsString()
    CHECKPOINT_DIR?: string = undefined;

    /** Also copy every checkpoint into this S3 bucket (the endpoint, region and credentials are the evidence store's EVIDENCE_S3_*). */
    @Transform(emptyToUndefined)
    @IsOptional()
    @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
      message: 'CHECKPOINT_S3_BUCKET must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)',
    })
    CHECKPOINT_S3_BUCKET?: string = undefined;

    /** Also POST every checkpoint to this URL, signed like the gate's webhooks with CHECKPOINT_WEBHOOK_SECRET. */
    @Transform(emptyToUndefined)
    @IsOptional()
    @ValidateBy(
      { name: 'httpUrl', validator: { validate: (v: unknown) => isHttpBaseUrl(v) } },
      { message: 'CHECKPOINT_WEBHOOK_URL must be an http:// or https:// URL' },
    )
    CHECKPOINT_WEBHOOK_URL?: string = undefined;

    @Transform(emptyToUndefined)
    @ValidateIf((c: ProofSettings) => c.CHECKPOINT_WEBHOOK_URL !== undefined)
    @IsString({ message: 'CHECKPOINT_WEBHOOK_SECRET is required when CHECKPOINT_WEBHOOK_URL is set (at least 32 characters)' })
    @MinLength(32, { message: 'CHECKPOINT_WEBHOOK_SECRET must be at least 32 characters' })
    CHECKPOINT_WEBHOOK_SECRET?: string = undefined;

    /** Attempts per checkpoint copy before it is shown as FAILED (it stays listed and can be retried). */
    @Transform(toInt)
    @IsInt()
    @Min(1)
    @Max(100)
    CHECKPOINT_COPY_MAX_ATTEMPTS = 12;

    /** The first retry delay of a failed checkpoint copy in ms; it doubles per attempt up to 5 minutes. */
    @Transform(toInt)
    @IsInt()
    @Min(10)
    @Max(300_000)
    CHECKPOINT_COPY_RETRY_BASE_MS = 1000;

    /** Where built evidence bundles are kept (default DATA_DIR/bundles). */
    @Transform(emptyToUndefined)
    @IsOptional()
    @IsString()
    BUNDLE_DIR?: string = undefined;
  }
  return ProofSettings;
}
