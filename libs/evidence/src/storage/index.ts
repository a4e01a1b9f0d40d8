export {
  assertSha256,
  EvidenceStorage,
  type StagedBlob,
  type StageOptions,
  type StoredBlob,
  type StoredBlobInfo,
  type SweepOptions,
} from './evidence-storage';
export { armCrashPoint, type CrashPoint } from './crash-point';
export { evidenceStorageProvider } from './evidence-storage.provider';
export { LocalEvidenceStorage } from './local-evidence-storage';
export { S3EvidenceStorage, type S3EvidenceStorageOptions } from './s3-evidence-storage';
export { UploadInspector } from './upload-inspector';
export { openVerified, type IntegrityFailure, type VerifiedBlob } from './verified-read';
