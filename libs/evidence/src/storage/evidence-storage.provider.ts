import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@app/common';
import { armCrashPoint } from './crash-point';
import { EvidenceStorage } from './evidence-storage';
import { LocalEvidenceStorage } from './local-evidence-storage';
import { S3EvidenceStorage } from './s3-evidence-storage';

/**
 * `EvidenceStorage` for Nest: the bucket `EVIDENCE_S3_BUCKET` when it is set
 * (uploads staged in `DATA_DIR/evidence/tmp`), otherwise the local
 * content-addressed directory `DATA_DIR/evidence`. What a crash left behind
 * (temp files, stored bytes without evidence) is the reconciliation's
 * (EvidenceStoreReconciler: the server's start-up, hourly, and the CLI).
 */
export const evidenceStorageProvider: Provider = {
  provide: EvidenceStorage,
  inject: [ConfigService],
  useFactory: (config: ConfigService<AppConfig, true>): EvidenceStorage => {
    const root = path.resolve(config.get('DATA_DIR', { infer: true }), 'evidence');
    const bucket = config.get('EVIDENCE_S3_BUCKET', { infer: true });
    // Test hook only (the config refuses TEST_CRASH_AT unless NODE_ENV=test): see crash-point.ts.
    if (config.get('NODE_ENV', { infer: true }) === 'test') armCrashPoint(config.get('TEST_CRASH_AT', { infer: true }));
    return bucket
      ? new S3EvidenceStorage({ client: s3Client(config), bucket, tempDir: path.join(root, 'tmp') })
      : new LocalEvidenceStorage(root);
  },
};

function s3Client(config: ConfigService<AppConfig, true>): S3Client {
  const endpoint = config.get('EVIDENCE_S3_ENDPOINT', { infer: true });
  const accessKeyId = config.get('EVIDENCE_S3_ACCESS_KEY_ID', { infer: true });
  const secretAccessKey = config.get('EVIDENCE_S3_SECRET_ACCESS_KEY', { infer: true });
  return new S3Client({
    region: config.get('EVIDENCE_S3_REGION', { infer: true }),
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: config.get('EVIDENCE_S3_FORCE_PATH_STYLE', { infer: true }) ?? endpoint !== undefined,
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    // Our own SHA-256 is sent instead; the SDK default (aws-chunked CRC32 trailers on a
    // streamed body) is stored verbatim by some S3-compatible servers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
