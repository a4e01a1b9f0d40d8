import { textOf } from '../bag';
import type { Platform } from '../platform';

/** Where the verifier reads a bundle from: the zip, opened by the CLI (yauzl) or the page (File). */
export interface BagSource {
  /** Every file path in the zip (directories excluded), e.g. `bag/bagit.txt`. */
  paths(): string[];
  /** The bytes of a small file (tag files, records, trail, keys). */
  read(path: string): Promise<Uint8Array>;
  /** The SHA-256 (lowercase hex) and size of a file, streamed for large ones. */
  digest(path: string): Promise<{ sha256: string; size: number }>;
}

/** Shared state of one verification: the file list, cached digests and small-file reads. */
export class VerifyContext {
  readonly paths: Set<string>;
  private readonly digests = new Map<string, Promise<{ sha256: string; size: number }>>();

  constructor(
    readonly source: BagSource,
    readonly platform: Platform,
  ) {
    this.paths = new Set(source.paths().filter((p) => !p.endsWith('/')));
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  digest(path: string): Promise<{ sha256: string; size: number }> {
    let d = this.digests.get(path);
    if (!d) {
      d = this.source.digest(path);
      this.digests.set(path, d);
    }
    return d;
  }

  /** The UTF-8 text of a file, or null when absent. Throws on invalid UTF-8. */
  async text(path: string): Promise<string | null> {
    if (!this.has(path)) return null;
    return textOf(await this.source.read(path));
  }

  /** The parsed JSON of a file; null when absent; throws when unreadable. */
  async json(path: string): Promise<unknown> {
    const text = await this.text(path);
    return text === null ? null : (JSON.parse(text) as unknown);
  }
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
