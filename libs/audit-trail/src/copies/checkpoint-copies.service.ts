import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import {
  Clock,
  decodeTimeIdCursor,
  isUuid,
  notFound,
  pageOf,
  pageSize,
  type Actor,
  type AppConfig,
  type Page,
  type PageRequest,
} from '@app/common';
import { NoticeBus } from '@app/database';
import { AuditTrailService } from '../audit-trail.service';
import { TrailCheckpointCopyEntity } from './checkpoint-copy.entity';
import { copyTargetsFor } from './domain/checkpoint-copy-rules';

/** Announced (NoticeBus, so only on commit) when copies are planned or made due: the worker wakes. */
export const CHECKPOINT_COPIES_CHANNEL = 'trail_checkpoint_copies_due';

/**
 * A PENDING copy counts as a problem once it has failed a try (it waits for a
 * retry) or when it has been due this long without a worker taking it (no
 * server running, or a worker stuck).
 */
export const COPY_OVERDUE_AFTER_MS = 60_000;

/**
 * The copies of trail checkpoints outside the database (table
 * trail_checkpoint_copies): planning them in the checkpoint's transaction, the
 * reads behind the API, and an admin's retry. Delivering them is
 * CheckpointCopyWorker's (in the API server only).
 */
@Injectable()
export class CheckpointCopies {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(ConfigService) private readonly config: ConfigService<AppConfig, true>,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(NoticeBus) private readonly notices: NoticeBus,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(TrailCheckpointCopyEntity);
  }

  /**
   * One PENDING copy per configured target (DIRECTORY always, S3 with
   * CHECKPOINT_S3_BUCKET, WEBHOOK with CHECKPOINT_WEBHOOK_URL), due now. Call it
   * in the transaction that stores the checkpoint (after its row is inserted):
   * the copies commit with it or not at all, and the worker is woken on commit.
   * Planning a checkpoint twice adds nothing.
   */
  async planFor(checkpoint: { treeSize: string }): Promise<TrailCheckpointCopyEntity[]> {
    const targets = copyTargetsFor({
      s3Bucket: this.config.get('CHECKPOINT_S3_BUCKET', { infer: true }),
      webhookUrl: this.config.get('CHECKPOINT_WEBHOOK_URL', { infer: true }),
    });
    const em = this.txHost.tx;
    await em.query(
      // created_at from the app's clock, in ms (the problems list's cursor holds it in ms).
      `INSERT INTO trail_checkpoint_copies (tree_size, target, next_attempt_at, created_at)
       SELECT $1::bigint, t, $3, $3 FROM unnest($2::text[]) AS t
       ON CONFLICT (tree_size, target) DO NOTHING`,
      [checkpoint.treeSize, targets, this.clock.now()],
    );
    await this.notices.announce(em, CHECKPOINT_COPIES_CHANNEL, { treeSize: checkpoint.treeSize });
    return this.repo.find({ where: { treeSize: checkpoint.treeSize }, order: { target: 'ASC' } });
  }

  /** The copies of these checkpoints, by tree size (each list in target order), in one statement. */
  async copiesOf(treeSizes: readonly string[]): Promise<Map<string, TrailCheckpointCopyEntity[]>> {
    const bySize = new Map<string, TrailCheckpointCopyEntity[]>(treeSizes.map((s) => [s, []]));
    if (treeSizes.length === 0) return bySize;
    const rows = await this.repo
      .createQueryBuilder('c')
      .where('c.treeSize = ANY(CAST(:sizes AS bigint[]))', { sizes: [...new Set(treeSizes)] })
      .orderBy('c.treeSize', 'DESC')
      .addOrderBy('c.target', 'ASC')
      .getMany();
    for (const r of rows) bySize.get(r.treeSize)?.push(r);
    return bySize;
  }

  /**
   * The copies that need a look, newest first: FAILED ones, PENDING ones that
   * failed a try and wait for a retry, and PENDING ones overdue (due for more
   * than a minute: no worker took them).
   */
  async problems(page: PageRequest): Promise<Page<TrailCheckpointCopyEntity>> {
    const size = pageSize(page.first);
    const overdueBefore = new Date(this.clock.now().getTime() - COPY_OVERDUE_AFTER_MS);
    const qb = this.repo
      .createQueryBuilder('c')
      .where(`c.status <> 'DONE'`)
      .andWhere(`(c.status = 'FAILED' OR c.lastError IS NOT NULL OR c.nextAttemptAt < :overdueBefore)`, { overdueBefore });
    const totalCount = await qb.clone().getCount();
    if (page.after) {
      const { at, id } = decodeTimeIdCursor(page.after);
      qb.andWhere('(c.createdAt, c.id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))', { at, id });
    }
    const rows = await qb
      .orderBy('c.createdAt', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (c) => [c.createdAt.toISOString(), c.id]);
  }

  /**
   * An admin's retry: a FAILED (or waiting) copy becomes PENDING, due now, with
   * a fresh count of tries (its last error is kept until a try succeeds or
   * fails anew); recorded in the trail. A DONE copy is returned as it is.
   */
  @Transactional()
  async retry(actor: Actor, id: string): Promise<TrailCheckpointCopyEntity> {
    if (!isUuid(id)) throw notFound('Checkpoint copy', id);
    const copy = await this.repo.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id }).getOne();
    if (!copy) throw notFound('Checkpoint copy', id);
    if (copy.status === 'DONE') return copy;
    const before = snapshot(copy);
    const now = this.clock.now();
    await this.repo.update({ id }, { status: 'PENDING', attempts: 0, nextAttemptAt: now });
    const after = { ...before, status: 'PENDING', attempts: 0, nextAttemptAt: now.toISOString() };
    await this.trail.append({
      actor,
      action: 'trail_checkpoint_copy.retried',
      entityType: 'TrailCheckpointCopy',
      entityId: id,
      before,
      after,
    });
    await this.notices.announce(this.txHost.tx, CHECKPOINT_COPIES_CHANNEL, { treeSize: copy.treeSize });
    return this.repo.findOneByOrFail({ id });
  }
}

function snapshot(c: TrailCheckpointCopyEntity) {
  return {
    treeSize: c.treeSize,
    target: c.target,
    status: c.status,
    attempts: c.attempts,
    lastError: c.lastError,
    nextAttemptAt: c.nextAttemptAt.toISOString(),
  };
}
