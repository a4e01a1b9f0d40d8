import { Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { emptyToUndefined, toBool, toInt, toList, type RunsIn, type SettingsBase } from './conversions';

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

/** The evidence store: what a file may be, where files are kept (DATA_DIR/evidence or S3), and its reconciliation. */
export function EvidenceStoreSettings<TBase extends SettingsBase>(Base: TBase) {
  class EvidenceStoreSettings extends Base {
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
    @ValidateIf((c: EvidenceStoreSettings) => c.TEST_CRASH_AT !== undefined)
    @IsIn(['upload-staged', 'upload-stored'], { message: 'TEST_CRASH_AT must be upload-staged or upload-stored' })
    @ValidateBy(
      { name: 'onlyInTests', validator: { validate: (_: unknown, args) => (args?.object as RunsIn).NODE_ENV === 'test' } },
      { message: 'TEST_CRASH_AT is a test hook: it is refused unless NODE_ENV=test' },
    )
    TEST_CRASH_AT?: 'upload-staged' | 'upload-stored' = undefined;

    /** Evidence files in this S3 bucket instead of DATA_DIR/evidence (unset: the local directory). */
    @Transform(emptyToUndefined)
    @IsOptional()
    @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
      message: 'EVIDENCE_S3_BUCKET must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)',
    })
    EVIDENCE_S3_BUCKET?: string = undefined;

    /** The endpoint of an S3-compatible server (http:// or https://); unset: AWS S3 of the region. */
    @Transform(emptyToUndefined)
    @IsOptional()
    @Matches(/^https?:\/\/[^/?#\s]+\/?$/, {
      message: 'EVIDENCE_S3_ENDPOINT must be an http:// or https:// URL without a path, e.g. http://127.0.0.1:9000',
    })
    EVIDENCE_S3_ENDPOINT?: string = undefined;

    @IsString()
    @Matches(/^[a-z0-9-]+$/, { message: 'EVIDENCE_S3_REGION must be a region name such as us-east-1' })
    EVIDENCE_S3_REGION = 'us-east-1';

    /** Both or neither; unset: the AWS SDK's default credentials (AWS_* variables, instance role...). */
    @Transform(emptyToUndefined)
    @ValidateIf((c: EvidenceStoreSettings) => c.EVIDENCE_S3_ACCESS_KEY_ID !== undefined || c.EVIDENCE_S3_SECRET_ACCESS_KEY !== undefined)
    @IsString({ message: 'EVIDENCE_S3_ACCESS_KEY_ID is required when EVIDENCE_S3_SECRET_ACCESS_KEY is set' })
    @MinLength(1)
    EVIDENCE_S3_ACCESS_KEY_ID?: string = undefined;

    @Transform(emptyToUndefined)
    @ValidateIf((c: EvidenceStoreSettings) => c.EVIDENCE_S3_ACCESS_KEY_ID !== undefined || c.EVIDENCE_S3_SECRET_ACCESS_KEY !== undefined)
    @IsString({ message: 'EVIDENCE_S3_SECRET_ACCESS_KEY is required when EVIDENCE_S3_ACCESS_KEY_ID is set' })
    @MinLength(1)
    EVIDENCE_S3_SECRET_ACCESS_KEY?: string = undefined;

    /** Path-style URLs (endpoint/bucket/key); unset: true when EVIDENCE_S3_ENDPOINT is set, false otherwise. */
    @Transform(({ value }) => (value === '' ? undefined : toBool({ value })))
    @IsOptional()
    @IsBoolean({ message: 'EVIDENCE_S3_FORCE_PATH_STYLE must be true or false' })
    EVIDENCE_S3_FORCE_PATH_STYLE?: boolean = undefined;
  }
  return EvidenceStoreSettings;
}
