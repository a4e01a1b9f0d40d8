import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { s3ClientConfig, type AppConfig } from '@app/common';
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
      ? new S3EvidenceStorage({ client: new S3Client(s3ClientConfig(config)), bucket, tempDir: path.join(root, 'tmp') })
      : new LocalEvidenceStorage(root);
  },
};
