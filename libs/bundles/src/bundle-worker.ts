import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ClsService } from 'nestjs-cls';
import { Actor, Clock } from '@app/common';
import { AuditTrailService } from '@app/audit-trail';
import { BundleBuilder, type BuildPlan, type BuiltBundle } from './bundle-builder';
import type { ZipProgress } from './bundle-zip';
import { EvidenceBundleEntity } from './evidence-bundle.entity';

/** Thrown into a build by its progress once the process is stopping: the build goes back to the queue. */
class BuildStopped extends Error {
  constructor() {
    super('the process is stopping');
  }
}

/** A claimed build: the row and the lease it holds. */
interface Lease {
  id: string;
  lease_owner: string;
}

/** Progress is written at most this often (and at the end of each file). */
const PROGRESS_EVERY_MS = 500;
/** How long a claimed build is held by its instance without a renewal (database time). */
export const BUILD_LEASE_SECONDS = 120;
/** How often a running build renews its lease, and how often every instance looks for builds whose lease ran out. */
const LEASE_RENEW_MS = 30_000;

/**
 * Builds the queued bundles in the background, in this process, one at a time
 * (oldest request first). A row is claimed QUEUED → BUILDING with SKIP LOCKED
 * (two processes never build the same one); when built it becomes READY with
 * its SHA-256 and size, and the export goes on the trail
 * (`evidence_bundle.exported`, with the SHA-256) in the same transaction; a
 * failure makes it FAILED with the reason. (The trail's checkpoint job makes a
 * checkpoint after each export's entry, reason BUNDLE.) A claimed build is
 * leased to this instance (BUILD_LEASE_SECONDS of database time, renewed every
 * 30 s while it runs): several instances share BUNDLE_DIR, and one instance's
 * start must not take back another's build in progress. Rows left BUILDING by
 * a crash or a stop (lease run out, or none) go back to QUEUED and are built
 * again, at start-up and by every instance's look each 30 s; only their temp
 * files are removed (the zip is written to a temp file and renamed, so a crash
 * leaves no half bundle under its name). A stop ends the build in progress at
 * its next step (its plan, a file's next chunk) and queues it again (it is not
 * waited for to the end).
 */
@Injectable()
export class BundleWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BundleWorker.name);
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(BundleBuilder) private readonly builder: BundleBuilder,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ClsService) private readonly cls: ClsService,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(EvidenceBundleEntity);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.requeueAbandoned();
    this.timer = setInterval(() => void this.requeueAbandoned().catch((err) => this.lookFailed(err)), LEASE_RENEW_MS);
    this.timer.unref();
    void this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Builds whose instance is gone (lease run out, or none) go back to QUEUED, and their temp files are removed. */
  async requeueAbandoned(): Promise<void> {
    const rows: { id: string }[] = await this.txHost.tx.query(
      `UPDATE evidence_bundles SET status = 'QUEUED', started_at = NULL, files_done = 0, bytes_done = 0, lease_expires_at = NULL,
              lease_owner = NULL
        WHERE status = 'BUILDING' AND (lease_expires_at IS NULL OR lease_expires_at < now())
        RETURNING id`,
    );
    const ids = (Array.isArray(rows[0]) ? (rows[0] as { id: string }[]) : rows).map((r) => r.id);
    if (ids.length === 0) return;
    this.logger.warn(`${ids.length} bundle build(s) interrupted by a stop: queued again`);
    const swept = await this.builder.sweepPartials(ids);
    if (swept) this.logger.warn(`${swept} half-written bundle file(s) of interrupted builds removed`);
    void this.kick();
  }

  private lookFailed(err: unknown): void {
    this.logger.error(`bundle lease look failed: ${(err as Error)?.message ?? String(err)}`);
  }

  /** Builds whatever is queued; resolves when the queue is empty. Safe to call any time. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    // In a context of its own: the request that kicked the worker is over long before its
    // bundles are built (and the trail entry of an export names no request id).
    this.running = this.cls.run(async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.buildNext()));
        } while (this.again && !this.stopped);
      } catch (err) {
        this.logger.error(`bundle worker stopped: ${(err as Error)?.message ?? String(err)}`);
      } finally {
        this.running = null;
      }
    });
    return this.running;
  }

  /** Claims and builds the oldest queued bundle; false when none is queued. */
  private async buildNext(): Promise<boolean> {
    const rows: { id: string }[] = await this.txHost.tx.query(
      `UPDATE evidence_bundles SET status = 'BUILDING', started_at = $1, lease_expires_at = now() + make_interval(secs => $2),
              lease_owner = gen_random_uuid()
        WHERE id = (SELECT id FROM evidence_bundles WHERE status = 'QUEUED' ORDER BY requested_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, lease_owner`,
      [this.clock.now(), BUILD_LEASE_SECONDS],
    );
    const claimed = (Array.isArray(rows[0]) ? (rows[0] as Lease[])[0] : rows[0]) as Lease | undefined;
    if (!claimed) return false;
    const lease: Lease & { lost: boolean } = { ...claimed, lost: false };
    const bundle = await this.repo.findOneByOrFail({ id: lease.id });
    const renewal = setInterval(() => void this.renewLease(lease), LEASE_RENEW_MS);
    renewal.unref();
    try {
      const built = await this.builder.build(
        bundle,
        (plan) => this.planned(lease, plan),
        (p) => this.progress(lease, p),
      );
      await this.ready(bundle, lease, built);
      this.logger.log(`bundle ${bundle.id} (${bundle.scope} ${bundle.scopeId}) READY: ${built.size} bytes, SHA-256 ${built.sha256}`);
    } catch (err) {
      if (err instanceof BuildStopped) {
        // Back to the queue at once (while still this build's), not left for its lease to run out: another instance,
        // or this one's next start, builds it. The half-written zip is gone with the zip's failure.
        await this.repo.update(
          { id: bundle.id, status: 'BUILDING', leaseOwner: lease.lease_owner },
          { status: 'QUEUED', startedAt: null, filesDone: 0, bytesDone: 0, leaseExpiresAt: null, leaseOwner: null },
        );
        this.logger.warn(`bundle ${bundle.id} (${bundle.scope} ${bundle.scopeId}): build stopped by the shutdown; queued again`);
        return false;
      }
      const message = (err as Error)?.message ?? String(err);
      this.logger.error(`bundle ${bundle.id} (${bundle.scope} ${bundle.scopeId}) FAILED: ${message}`);
      // Only while this build still holds the lease: one taken over (queued again, built elsewhere) is not ours to fail.
      await this.repo.update(
        { id: bundle.id, status: 'BUILDING', leaseOwner: lease.lease_owner },
        { status: 'FAILED', error: message.slice(0, 2000), finishedAt: this.clock.now(), leaseExpiresAt: null },
      );
    } finally {
      clearInterval(renewal);
    }
    return true;
  }

  /** Renews the lease; a lease found taken over (the row queued again by a look that saw it run out) marks the build lost. */
  private async renewLease(lease: Lease & { lost: boolean }): Promise<void> {
    const result = await this.repo
      .update(
        { id: lease.id, status: 'BUILDING', leaseOwner: lease.lease_owner },
        { leaseExpiresAt: () => `now() + make_interval(secs => ${BUILD_LEASE_SECONDS})` },
      )
      .catch((err: unknown) => this.lookFailed(err));
    if (result && result.affected === 0) {
      lease.lost = true;
      this.logger.warn(`bundle ${lease.id}: its lease was taken over; this build stops and writes nothing more`);
    }
  }

  private async planned(lease: Lease & { lost: boolean }, plan: BuildPlan): Promise<void> {
    const result = await this.repo.update(
      { id: lease.id, status: 'BUILDING', leaseOwner: lease.lease_owner },
      { incidentId: plan.incidentId, checkpointSize: plan.checkpointSize, filesTotal: plan.files, bytesTotal: plan.bytes },
    );
    if (result.affected === 0) lease.lost = true;
    if (lease.lost) throw new Error('the build lost its lease to another instance');
    if (this.stopped) throw new BuildStopped();
  }

  private lastWrite = 0;
  private writing: Promise<unknown> = Promise.resolve();

  private progress(lease: Lease & { lost: boolean }, p: ZipProgress): void {
    if (lease.lost) throw new Error('the build lost its lease to another instance');
    // A stop does not wait for a whole build (minutes for a large case, past the service manager's stop timeout).
    if (this.stopped) throw new BuildStopped();
    const now = Date.now();
    if (now - this.lastWrite < PROGRESS_EVERY_MS) return;
    this.lastWrite = now;
    const { files, bytes } = p;
    this.writing = this.writing
      .then(() =>
        this.repo.update({ id: lease.id, status: 'BUILDING', leaseOwner: lease.lease_owner }, { filesDone: files, bytesDone: bytes }),
      )
      .catch(() => undefined);
  }

  @Transactional()
  private async ready(bundle: EvidenceBundleEntity, lease: Lease, built: BuiltBundle): Promise<void> {
    await this.writing;
    const finishedAt = this.clock.now();
    const fileName = `evidence-bundle-${bundle.scope.toLowerCase()}-${bundle.asOf.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z.zip`;
    // Only while this build holds the lease: otherwise nothing is written, the export is not on the trail (rolled back).
    const result = await this.repo.update(
      { id: bundle.id, status: 'BUILDING', leaseOwner: lease.lease_owner },
      {
        status: 'READY',
        leaseExpiresAt: null,
        sha256: built.sha256,
        size: built.size,
        fileName,
        finishedAt,
        filesDone: () => 'files_total',
        bytesDone: () => 'bytes_total',
        checkpointSize: built.checkpointSize,
      },
    );
    if (result.affected === 0) throw new Error('the build lost its lease to another instance: nothing written');
    await this.trail.append({
      actor: bundle.requestedById
        ? { id: bundle.requestedById, label: bundle.requestedByLabel, roles: [] }
        : Actor.system('evidence-bundles'),
      action: 'evidence_bundle.exported',
      entityType: 'EvidenceBundle',
      entityId: bundle.id,
      after: {
        scope: bundle.scope,
        scopeId: bundle.scopeId,
        incidentId: built.incidentId,
        asOf: bundle.asOf.toISOString(),
        checkpointSize: built.checkpointSize,
        sizeBytes: built.size,
        sha256: built.sha256,
      },
    });
  }
}
