import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { AppConfig } from '@app/common';
import { EvidenceService } from './evidence.service';
import { EvidenceStorage } from './storage/evidence-storage';

/** Temp files older than this are stale whoever wrote them (an upload in progress keeps writing its file). */
export const STALE_UPLOAD_MS = 60 * 60 * 1000;

export interface EvidenceStoreReport {
  /** Upload temp files deleted (left by a crash, or by a process that is gone). */
  tempFilesRemoved: number;
  /** Blobs found in the store. */
  blobsStored: number;
  /** Blobs no evidence refers to, older than the grace period: removed. */
  orphansRemoved: { sha256: string; storedAt: Date }[];
  /** Blobs no evidence refers to yet, younger than the grace period: kept (an upload may be about to write its row). */
  orphansKept: number;
  /** Evidence whose recorded blob is not in the store: an alarm (the bytes an auditor relies on are gone). */
  missing: { evidenceId: string; sha256: string }[];
}

/**
 * Keeps the evidence store and the evidence rows in step after crashes
 * (README "Evidence files: crashes and reconciliation"):
 *
 *  - temp files: at start-up every one this process did not write and no
 *    running process is writing; otherwise those older than an hour or whose
 *    writer is gone;
 *  - a blob no evidence row refers to, older than EVIDENCE_ORPHAN_GRACE_SECONDS,
 *    is removed, under the same lock on its hash that `submitFile` takes and
 *    after checking the rows again (`EvidenceService.dropFileIfUnreferenced`):
 *    an upload whose blob is stored but whose row is not yet committed holds a
 *    young blob (the grace period keeps it) and, once it has the lock, finds the
 *    blob still there or is told to upload again (UPLOAD_INVALID) — never a row
 *    without bytes;
 *  - evidence whose blob is missing is reported: an error-level log line
 *    `alert: EVIDENCE_BLOB_MISSING` per row (with the evidence id and sha256),
 *    and in the report (the CLI exits 1). Nothing is changed: the row is the
 *    record of what was submitted; the bytes must be restored from a backup.
 *
 * Both storages list the same way: local files by mtime, S3 objects by
 * ListObjectsV2 over `evidence/` with LastModified.
 */
@Injectable()
export class EvidenceStoreReconciler {
  private readonly logger = new Logger(EvidenceStoreReconciler.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(EvidenceStorage) private readonly storage: EvidenceStorage,
    @Inject(EvidenceService) private readonly evidence: EvidenceService,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
  ) {}

  /**
   * `startup`: this process has not begun any upload yet, so every temp file it
   * did not see being written goes (see sweepTempDir).
   */
  async reconcile(options: { startup?: boolean; graceSeconds?: number } = {}): Promise<EvidenceStoreReport> {
    const graceMs = (options.graceSeconds ?? this.config.get('EVIDENCE_ORPHAN_GRACE_SECONDS', { infer: true })) * 1000;
    // Blob times are the file system's or the bucket's: compared with the real time, not the app's Clock.
    const now = Date.now();
    const tempFilesRemoved = await this.storage.sweepTemp(STALE_UPLOAD_MS, now, { startup: options.startup === true });

    const stored = new Map<string, Date>();
    for await (const blob of this.storage.listBlobs()) stored.set(blob.sha256, blob.storedAt);
    const referenced = await this.referencedHashes();

    const orphansRemoved: EvidenceStoreReport['orphansRemoved'] = [];
    let orphansKept = 0;
    for (const [sha256, storedAt] of stored) {
      if (referenced.has(sha256)) continue;
      if (now - storedAt.getTime() < graceMs) {
        orphansKept++;
        continue;
      }
      if (await this.evidence.dropFileIfUnreferenced(sha256)) {
        orphansRemoved.push({ sha256, storedAt });
        this.logger.warn(`removed a stored evidence file that no evidence refers to: ${sha256} (stored ${storedAt.toISOString()})`);
      }
    }

    const missing: EvidenceStoreReport['missing'] = [];
    const unlisted = [...referenced].filter((sha256) => !stored.has(sha256));
    const gone: string[] = [];
    // Asked again one by one: a blob stored (with its row) after the listing is not missing.
    for (const sha256 of unlisted) if (!(await this.storage.exists(sha256))) gone.push(sha256);
    if (gone.length > 0) {
      const rows = (await this.txHost.tx.query(
        `SELECT id::text AS "evidenceId", sha256 FROM evidence WHERE kind = 'FILE' AND sha256 = ANY($1) ORDER BY uploaded_at, id`,
        [gone],
      )) as { evidenceId: string; sha256: string }[];
      for (const row of rows) {
        missing.push(row);
        this.logger.error(
          { alert: 'EVIDENCE_BLOB_MISSING', evidenceId: row.evidenceId, sha256: row.sha256 },
          `alert: EVIDENCE_BLOB_MISSING evidence ${row.evidenceId} sha256 ${row.sha256}: its stored file is missing (restore it from a backup)`,
        );
      }
    }
    const report: EvidenceStoreReport = { tempFilesRemoved, blobsStored: stored.size, orphansRemoved, orphansKept, missing };
    this.logger.log(describeEvidenceStoreReport(report)[0]!);
    return report;
  }

  /** The hash of every file evidence, withdrawn and superseded versions included (their bytes stay the record). */
  private async referencedHashes(): Promise<Set<string>> {
    const rows = (await this.txHost.tx.query(`SELECT DISTINCT sha256 FROM evidence WHERE kind = 'FILE'`)) as { sha256: string }[];
    return new Set(rows.map((r) => r.sha256));
  }
}

/** The report as lines for people: a summary, then one line per removed or missing blob. */
export function describeEvidenceStoreReport(r: EvidenceStoreReport): string[] {
  return [
    `evidence store: ${r.blobsStored} stored files; ${r.tempFilesRemoved} upload temp files removed; ` +
      `${r.orphansRemoved.length} files no evidence refers to removed, ${r.orphansKept} kept (younger than the grace period); ` +
      `${r.missing.length === 0 ? 'no evidence without its file' : `${r.missing.length} evidence MISSING their file`}`,
    ...r.orphansRemoved.map((o) => `removed ${o.sha256} (stored ${o.storedAt.toISOString()}, no evidence refers to it)`),
    ...r.missing.map((m) => `MISSING evidence ${m.evidenceId}: no stored file ${m.sha256}`),
  ];
}
