import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import type { DataSource } from 'typeorm';
import { Clock, decodeCursor, pageSize, type Actor, type Page, type PageRequest, pageOf } from '@app/common';
import { TransactionMemo } from '@app/database';
import { AuditTrailEntryEntity } from './audit-trail-entry.entity';
import { checkChain, entryHash, GENESIS_HASH, jsonSnapshot, type ChainBreak } from './domain/audit-hash';

/**
 * Transaction-scoped advisory lock that serializes appends: the chain never forks. A reader
 * that takes it waits for the append in flight (whose time is already set) to commit.
 */
export const CHAIN_LOCK_KEY = 7_264_110_001;

/** The LISTEN channel on which every committed trail entry is announced. */
export const TRAIL_CHANNEL = 'audit_trail_appended';

/** What a committed change announces (no before/after: listeners read what they need). */
export interface TrailAppendedNotice {
  seq: string;
  action: string;
  entityType: string;
  entityId: string;
  at: string;
}

export interface AppendCommand {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string;
  /** The entity's fields before and after the change (no secrets); null for a creation / removal. */
  before?: object | null;
  after?: object | null;
}

export interface AuditTrailFilter {
  entityType?: string | null;
  entityId?: string | null;
  actorId?: string | null;
  action?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export interface VerificationResult {
  intact: boolean;
  entriesChecked: number;
  headSeq: string | null;
  headHash: string;
  firstBreak: ChainBreak | null;
}

@Injectable()
export class AuditTrailService {
  /**
   * The entry each open transaction appended last. The transaction's first
   * append takes the chain lock, which it keeps to its end: no one else appends
   * meanwhile, so its next append (a move, then the gate it closed...) chains
   * onto this entry without taking the lock again or reading the head.
   * Forgotten whenever a transaction or a savepoint starts or ends, either way
   * (TransactionMemo): a rolled-back savepoint may have taken an entry, or the
   * lock, with it; the next append then locks and reads as the first one did.
   */
  private readonly lastAppended: TransactionMemo<{ seq: string; hash: string }>;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(ClsService) private readonly cls: ClsService,
    @Inject(Clock) private readonly clock: Clock,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.lastAppended = new TransactionMemo(dataSource);
  }

  private get repo() {
    return this.txHost.tx.getRepository(AuditTrailEntryEntity);
  }

  /**
   * Appends of one transaction, chained: the advisory lock orders transactions,
   * but two listeners of one change run in the same transaction (the same
   * session, where the lock is re-entrant) and could otherwise read the same
   * chain head. Keyed by the transaction's query runner.
   */
  private readonly inFlight = new WeakMap<object, Promise<unknown>>();

  /**
   * Appends an entry in the caller's transaction: the change and its entry
   * commit together or not at all. Must be called inside a transaction.
   */
  async append(cmd: AppendCommand): Promise<AuditTrailEntryEntity> {
    if (!this.txHost.isTransactionActive()) {
      throw new Error('AuditTrailService.append must run inside the transaction of the change it records');
    }
    const key = this.txHost.tx.queryRunner ?? this.txHost.tx;
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.appendNow(cmd));
    this.inFlight.set(key, next);
    return next;
  }

  private async appendNow(cmd: AppendCommand): Promise<AuditTrailEntryEntity> {
    const runner = this.txHost.tx.queryRunner;
    let head = this.lastAppended.get(runner);
    if (!head) {
      await this.txHost.tx.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
      head = (await this.repo.createQueryBuilder('e').select(['e.seq', 'e.hash']).orderBy('e.seq', 'DESC').limit(1).getOne()) ?? undefined;
    }
    const entry = this.repo.create({
      seq: head ? (BigInt(head.seq) + 1n).toString() : '1',
      id: randomUUID(),
      occurredAt: this.clock.now(),
      actorId: cmd.actor.id,
      actorLabel: cmd.actor.label,
      action: cmd.action,
      entityType: cmd.entityType,
      entityId: cmd.entityId,
      before: jsonSnapshot(cmd.before) as Record<string, unknown> | null,
      after: jsonSnapshot(cmd.after) as Record<string, unknown> | null,
      requestId: this.requestId(),
      prevHash: head?.hash ?? GENESIS_HASH,
    });
    entry.hash = entryHash(entry);
    // Delivered by PostgreSQL when (and only if) the change commits: live views
    // (subscriptions, the dashboard) learn that something changed, never of a rollback.
    const notice: TrailAppendedNotice = {
      seq: entry.seq,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      at: entry.occurredAt.toISOString(),
    };
    // The row and its notice in one statement (the notice only if the row went in). A plain
    // INSERT, not save(): save() would first SELECT by primary key. jsonb as JSON text, as
    // TypeORM's insert sends it.
    await this.txHost.tx.query(
      `WITH e AS (
         INSERT INTO audit_trail (seq, id, occurred_at, actor_id, actor_label, action, entity_type, entity_id, before, after, request_id, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING seq)
       SELECT pg_notify($14, $15) FROM e`,
      [
        entry.seq,
        entry.id,
        entry.occurredAt,
        entry.actorId,
        entry.actorLabel,
        entry.action,
        entry.entityType,
        entry.entityId,
        entry.before === null ? null : JSON.stringify(entry.before),
        entry.after === null ? null : JSON.stringify(entry.after),
        entry.requestId,
        entry.prevHash,
        entry.hash,
        TRAIL_CHANNEL,
        JSON.stringify(notice),
      ],
    );
    this.lastAppended.set(runner, { seq: entry.seq, hash: entry.hash });
    return entry;
  }

  /** Newest first, keyset-paginated on seq. */
  async list(filter: AuditTrailFilter, page: PageRequest): Promise<Page<AuditTrailEntryEntity>> {
    const size = pageSize(page.first);
    const qb = this.repo.createQueryBuilder('e');
    if (filter.entityType) qb.andWhere('e.entityType = :entityType', { entityType: filter.entityType });
    if (filter.entityId) qb.andWhere('e.entityId = :entityId', { entityId: filter.entityId });
    if (filter.actorId) qb.andWhere('e.actorId = :actorId', { actorId: filter.actorId });
    if (filter.action) qb.andWhere('e.action = :action', { action: filter.action });
    if (filter.from) qb.andWhere('e.occurredAt >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('e.occurredAt < :to', { to: filter.to });
    const totalCount = await qb.clone().getCount();
    if (page.after) {
      const [seq] = decodeCursor(page.after, 1);
      qb.andWhere('e.seq < :after', { after: String(seq) });
    }
    const rows = await qb
      .orderBy('e.seq', 'DESC')
      .limit(size + 1)
      .getMany();
    return pageOf(rows, size, totalCount, (e) => [e.seq]);
  }

  /**
   * Every entry about one of `entityIds` with seq <= upToSeq, full (every
   * hashed field and the hash), by seq: the trail part of an evidence bundle.
   */
  async entriesFor(filter: { entityIds: readonly string[]; upToSeq: string }): Promise<AuditTrailEntryEntity[]> {
    if (filter.entityIds.length === 0) return [];
    if (!/^[0-9]{1,18}$/.test(filter.upToSeq)) throw new Error(`upToSeq must be a whole number, not ${filter.upToSeq}`);
    return this.repo
      .createQueryBuilder('e')
      .where('e.entityId IN (:...ids)', { ids: [...new Set(filter.entityIds)] })
      .andWhere('e.seq <= :upTo', { upTo: filter.upToSeq })
      .orderBy('e.seq', 'ASC')
      .getMany();
  }

  /** Recomputes every hash from the first entry on, in batches; reports the first break. */
  async verify(batchSize = 1000): Promise<VerificationResult> {
    let previous: { seq: string; hash: string } | null = null;
    let checked = 0;
    for (;;) {
      const qb = this.repo.createQueryBuilder('e').orderBy('e.seq', 'ASC').limit(batchSize);
      if (previous) qb.where('e.seq > :seq', { seq: previous.seq });
      const batch = await qb.getMany();
      if (batch.length === 0) break;
      const broken = checkChain(batch, previous);
      if (broken) {
        // Everything before the broken entry checks out; report the last good one.
        const at = batch.findIndex((e) => e.seq === broken.seq);
        const lastGood = at > 0 ? batch[at - 1]! : previous;
        return {
          intact: false,
          entriesChecked: checked + Math.max(at, 0),
          headSeq: lastGood?.seq ?? null,
          headHash: lastGood?.hash ?? GENESIS_HASH,
          firstBreak: broken,
        };
      }
      checked += batch.length;
      const last = batch[batch.length - 1]!;
      previous = { seq: last.seq, hash: last.hash };
    }
    return {
      intact: true,
      entriesChecked: checked,
      headSeq: previous?.seq ?? null,
      headHash: previous?.hash ?? GENESIS_HASH,
      firstBreak: null,
    };
  }

  private requestId(): string | null {
    if (!this.cls.isActive()) return null;
    const id: unknown = this.cls.getId();
    return typeof id === 'string' ? id : null;
  }
}
