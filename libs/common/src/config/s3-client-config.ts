import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { ConfigService } from '@nestjs/config';
import type { AppConfig } from './app-config';

/**
 * The S3 client options of the EVIDENCE_S3_* settings, for every bucket the
 * tracker writes (the evidence store, the checkpoint copies): the endpoint,
 * region, credentials (or the SDK's defaults) and path style. Our own SHA-256
 * is sent instead of the SDK's default checksums (aws-chunked CRC32 trailers on
 * a streamed body), which some S3-compatible servers store verbatim.
 */
export function s3ClientConfig(config: Pick<ConfigService<AppConfig, true>, 'get'>): S3ClientConfig {
  const endpoint = config.get('EVIDENCE_S3_ENDPOINT', { infer: true });
  const accessKeyId = config.get('EVIDENCE_S3_ACCESS_KEY_ID', { infer: true });
  const secretAccessKey = config.get('EVIDENCE_S3_SECRET_ACCESS_KEY', { infer: true });
  return {
    region: config.get('EVIDENCE_S3_REGION', { infer: true }),
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: config.get('EVIDENCE_S3_FORCE_PATH_STYLE', { infer: true }) ?? endpoint !== undefined,
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}
