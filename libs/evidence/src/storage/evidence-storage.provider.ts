import * as path from 'node:path';
import type { Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '@app/common';
import { EvidenceStorage } from './evidence-storage';
import { LocalEvidenceStorage } from './local-evidence-storage';

/** Temp files older than this at start-up were left by a crash mid-upload. */
const STALE_UPLOAD_MS = 60 * 60 * 1000;

/**
 * `EvidenceStorage` for Nest: the local content-addressed directory
 * `DATA_DIR/evidence` (the only implementation so far). At start-up it drops
 * uploads a crash left half-written.
 */
export const evidenceStorageProvider: Provider = {
  provide: EvidenceStorage,
  inject: [ConfigService],
  useFactory: async (config: ConfigService<AppConfig, true>): Promise<EvidenceStorage> => {
    const storage = new LocalEvidenceStorage(path.resolve(config.get('DATA_DIR', { infer: true }), 'evidence'));
    await storage.sweepTemp(STALE_UPLOAD_MS);
    return storage;
  },
};
