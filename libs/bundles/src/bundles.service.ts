import * as fs from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Clock, decodeCursor, isUuid, pageOf, pageSize, type Actor, type Page, type PageRequest } from '@app/common';
import { uniqueViolationOf } from '@app/database';
import { BundleBuilder } from './bundle-builder';
import { BundleRecordsReader } from './bundle-records.sql';
import { BundleWorker } from './bundle-worker';
import { BundleError, BundleErrorCode } from './bundle.errors';
import { BUNDLE_SCOPES, EvidenceBundleEntity, type BundleScope } from './evidence-bundle.entity';

export interface ExportBundleCommand {
  scope: BundleScope;
  /** The incident, engagement or countermeasure. */
  id: string;
  /** The instant the bundle shows (default: now); never in the future. */
  asOf?: Date | null;
}

/** A READY bundle's zip, opened for the download. */
export interface BundleDownload {
  bundle: EvidenceBundleEntity;
  size: number;
  stream: fs.ReadStream;
}

/**
 * Evidence bundle exports (docs/proofs.md, "The evidence bundle"): the request
 * (a row, QUEUED, answered at once; the worker builds it in the background), the
 * list and one bundle with its progress, and the download of a READY zip.
 * Who may export is the role-level permission (bundles:export: auditors,
 * executives, admins), for every incident, as for the status report.
 */
@Injectable()
export class BundlesService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(BundleRecordsReader) private readonly records: BundleRecordsReader,
    @Inject(BundleWorker) private readonly worker: BundleWorker,
    @Inject(BundleBuilder) private readonly builder: BundleBuilder,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(EvidenceBundleEntity);
  }

  async requestExport(actor: Actor, cmd: ExportBundleCommand): Promise<EvidenceBundleEntity> {
    if (!(BUNDLE_SCOPES as readonly string[]).includes(cmd.scope)) {
      throw new BundleError(BundleErrorCode.INVALID_FIELD, `scope must be one of ${BUNDLE_SCOPES.join(', ')}`, { field: 'scope' });
    }
    if (!isUuid(cmd.id)) throw new BundleError(BundleErrorCode.INVALID_FIELD, 'id must be a UUID', { field: 'id' });
    const id = cmd.id.toLowerCase();
    const now = this.clock.now();
    const asOf = cmd.asOf ?? now;
    if (Number.isNaN(asOf.getTime())) throw new BundleError(BundleErrorCode.INVALID_FIELD, 'asOf must be an instant', { field: 'asOf' });
    if (asOf.getTime() > now.getTime()) {
      throw new BundleError(
        BundleErrorCode.INVALID_FIELD,
        `asOf ${asOf.toISOString()} is in the future: a bundle shows what has happened`,
        {
          field: 'asOf',
          asOf: asOf.toISOString(),
          now: now.toISOString(),
        },
      );
    }
    const incidentId = await this.records.incidentOf(cmd.scope, id);
    if (!incidentId) {
      throw new BundleError(BundleErrorCode.SCOPE_NOT_FOUND, `${cmd.scope.toLowerCase()} ${id} does not exist`, { scope: cmd.scope, id });
    }
    let row: EvidenceBundleEntity;
    try {
      row = await this.repo.save(
        this.repo.create({
          scope: cmd.scope,
          scopeId: id,
          incidentId,
          asOf,
          status: 'QUEUED',
          requestedById: actor.id,
          requestedByLabel: actor.label,
          requestedAt: now,
        }),
      );
    } catch (err) {
      if (uniqueViolationOf(err)?.constraint !== 'UQ_evidence_bundles_in_progress') throw err;
      const current = await this.repo.findOne({
        where: [
          { scope: cmd.scope, scopeId: id, status: 'QUEUED' },
          { scope: cmd.scope, scopeId: id, status: 'BUILDING' },
        ],
      });
      throw new BundleError(
        BundleErrorCode.EXPORT_IN_PROGRESS,
        `An export of ${cmd.scope.toLowerCase()} ${id} is already ${current?.status.toLowerCase() ?? 'under way'}: wait for it to finish`,
        { bundleId: current?.id ?? null },
      );
    }
    // The row as asked (QUEUED), read before the worker is woken: the answer never races the build.
    const asked = await this.getById(row.id);
    void this.worker.kick();
    return asked;
  }

  async getById(id: string): Promise<EvidenceBundleEntity> {
    const found = isUuid(id) ? await this.repo.findOneBy({ id: id.toLowerCase() }) : null;
    if (!found) throw new BundleError(BundleErrorCode.BUNDLE_NOT_FOUND, `Evidence bundle ${id} does not exist`, { id });
    return found;
  }

  /** Every export, newest request first (keyset on requested_at, id). */
  async list(page: PageRequest): Promise<Page<EvidenceBundleEntity>> {
    const size = pageSize(page.first);
    const qb = this.repo.createQueryBuilder('b');
    const totalCount = await qb.clone().getCount();
    if (page.after) {
      const [at, id] = decodeCursor(page.after, 2);
      qb.where('(b.requestedAt, b.id) < (:at, :id)', { at: new Date(String(at)), id: String(id) });
    }
    const rows = await qb
      .orderBy('b.requestedAt', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (b) => [b.requestedAt.toISOString(), b.id]);
  }

  /** A READY bundle's zip for the download; BUNDLE_NOT_FOUND for an unknown id, one not READY, or a zip gone from the disk. */
  async openDownload(id: string): Promise<BundleDownload> {
    const bundle = await this.getById(id);
    const notReady = () =>
      new BundleError(BundleErrorCode.BUNDLE_NOT_FOUND, `Evidence bundle ${id} is ${bundle.status.toLowerCase()}: nothing to download`, {
        id,
        status: bundle.status,
      });
    if (bundle.status !== 'READY') throw notReady();
    const file = this.builder.pathOf(bundle.id);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat?.isFile()) throw notReady();
    return { bundle, size: stat.size, stream: fs.createReadStream(file) };
  }
}
