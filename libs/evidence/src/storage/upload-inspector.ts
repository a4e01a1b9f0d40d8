import { createHash, type Hash } from 'node:crypto';
import { EvidenceError, EvidenceErrorCode } from '../domain/evidence.errors';
import { MediaTypeSniffer } from '../file-type/media-type-sniffer';
import type { ReadAt } from '../file-type/zip-entries';
import type { StageOptions } from './evidence-storage';

/**
 * Watches the bytes of one upload as they stream to any store: SHA-256, size
 * (FILE_TOO_LARGE the moment the limit is passed) and type (FILE_TYPE_NOT_ALLOWED
 * the moment no allowed type remains possible, e.g. after the first bytes of an
 * executable). Every storage implementation uses it, so the rules are one.
 */
export class UploadInspector {
  private readonly hash: Hash = createHash('sha256');
  private readonly sniffer = new MediaTypeSniffer();
  private size = 0;

  constructor(private readonly options: StageOptions) {}

  get sizeBytes(): number {
    return this.size;
  }

  /** Takes the next chunk, or throws the reason the upload must stop now. */
  take(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.options.maxBytes) {
      throw new EvidenceError(EvidenceErrorCode.FILE_TOO_LARGE, `The file is larger than the limit of ${this.options.maxBytes} bytes`, {
        limitBytes: this.options.maxBytes,
      });
    }
    this.hash.update(chunk);
    this.sniffer.update(chunk);
    if (!this.sniffer.candidates.some((t) => this.options.allowedTypes.includes(t))) this.refuse(this.sniffer.refusedAs);
  }

  /** At the end of the bytes: their hash and type, or FILE_EMPTY / FILE_TYPE_NOT_ALLOWED. */
  async finish(readAt: ReadAt): Promise<{ sha256: string; sizeBytes: number; mediaType: string }> {
    if (this.size === 0) throw new EvidenceError(EvidenceErrorCode.FILE_EMPTY, 'The file is empty');
    const mediaType = await this.sniffer.finish(this.size, readAt);
    if (!this.options.allowedTypes.includes(mediaType)) this.refuse(mediaType);
    return { sha256: this.hash.digest('hex'), sizeBytes: this.size, mediaType };
  }

  private refuse(detected: string): never {
    throw new EvidenceError(
      EvidenceErrorCode.FILE_TYPE_NOT_ALLOWED,
      `The file's bytes are ${detected}, which is not an allowed evidence type (allowed: ${this.options.allowedTypes.join(', ')})`,
      { detected, allowed: [...this.options.allowedTypes] },
    );
  }
}
