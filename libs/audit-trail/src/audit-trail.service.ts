import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { EntityManager, type DataSource, type QueryRunner } from 'typeorm';
import { Clock, decodeCursor, pageSize, type Actor, type Page, type PageRequest, pageOf } from '@app/common';
import { NoticeBus, TransactionMemo } from '@app/database';
import { AuditTrailEntryEntity } from './audit-trail-entry.entity';
import { checkChain, entryHash, GENESIS_HASH, jsonSnapshot, type ChainBreak } from './domain/audit-hash';
import { depthOf, TrailAppendBuffer } from './trail-append-buffer';

/**
 * The chain lock, a transaction-scoped advisory lock that fixes which entries
 * exist as of an instant. A transaction takes it in SHARED mode at its first
 * append, before its entry's time is set, and keeps it to its end (writers do
 * not wait for each other on it); a reader that must see every entry timed up
 * to now (`trailSizeAt`) takes it EXCLUSIVE, and so waits until every
 * transaction that has set an entry's time has committed or rolled back.
 */
export const CHAIN_LOCK_KEY = 7_264_110_001;

/**
 * The append lock, exclusive, that orders the writes into the chain: a
 * transaction takes it when it writes its entries (just before its COMMIT) and
 * keeps it to its end, so the chain never forks and each transaction's entries
 * are contiguous. Held for the INSERT and the COMMIT only, not for the work a
 * transaction does after its first append (issue 17).
 */
export const CHAIN_APPEND_LOCK_KEY = 7_264_110_002;

/** Where the trail's statements run: the transaction's query runner, or its EntityManager. */
type Db = QueryRunner | EntityManager;

/** Entries per INSERT when a transaction writes many (14 bound parameters each). */
const ENTRIES_PER_INSERT = 500;

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
   * The chain head as this open transaction last wrote it: it holds the append
   * lock from then to its end, so a later write of its own (entries appended
   * after a read of the trail in the transaction made it write) chains onto it
   * without reading the head again. Forgotten whenever a transaction or a
   * savepoint starts or ends, either way (TransactionMemo): a rolled-back
   * savepoint may have taken rows, or the lock, with it.
   */
  private readonly lastAppended: TransactionMemo<{ seq: string; hash: string }>;

  /** The entries each open transaction appended and has not written yet (written just before its COMMIT). */
  private readonly held: TrailAppendBuffer;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(ClsService) private readonly cls: ClsService,
    @Inject(Clock) private readonly clock: Clock,
    @InjectDataSource() dataSource: DataSource,
    @Inject(NoticeBus) private readonly notices: NoticeBus,
  ) {
    this.lastAppended = new TransactionMemo(dataSource);
    this.held = new TrailAppendBuffer(dataSource, (runner) => this.serialized(runner, () => this.writeHeld(runner)));
  }

  private get repo() {
    return this.txHost.tx.getRepository(AuditTrailEntryEntity);
  }

  /**
   * Appends and writes of one transaction, one after the other: two listeners
   * of one change run in the same transaction, and the entries keep the order
   * of the appends. Keyed by the transaction's query runner.
   */
  private readonly inFlight = new WeakMap<object, Promise<unknown>>();

  private serialized<T>(key: object, run: () => Promise<T>): Promise<T> {
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    this.inFlight.set(key, next);
    return next;
  }

  /**
   * Appends an entry in the caller's transaction: the change and its entry
   * commit together or not at all. Must be called inside a transaction.
   *
   * The entry's id and time are set now (under the chain lock, shared); its
   * place in the chain (seq, prevHash, hash) when the transaction writes its
   * entries, just before COMMIT, in one INSERT under the append lock: those
   * fields of the returned entity are set then, not before.
   */
  async append(cmd: AppendCommand): Promise<AuditTrailEntryEntity> {
    if (!this.txHost.isTransactionActive()) {
      throw new Error('AuditTrailService.append must run inside the transaction of the change it records');
    }
    const runner = this.txHost.tx.queryRunner;
    const key = runner ?? this.txHost.tx;
    return this.serialized(key, async () => {
      const entry = await this.appendNow(cmd, runner);
      // No TypeORM transaction to wait for (never the case with the transaction helper): written at once.
      if (!runner || depthOf(runner) < 1) await this.writeHeld(runner, [entry]);
      return entry;
    });
  }

  private async appendNow(cmd: AppendCommand, runner: QueryRunner | undefined): Promise<AuditTrailEntryEntity> {
    if (!runner || !this.held.holdsSharedLock(runner)) {
      // Before the time is set: a reader that takes the lock exclusive waits for this transaction's end.
      await this.txHost.tx.query('SELECT pg_advisory_xact_lock_shared($1)', [CHAIN_LOCK_KEY]);
      if (runner) this.held.sharedLockTaken(runner);
    }
    const entry = this.repo.create({
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
    });
    if (runner && depthOf(runner) >= 1) this.held.hold(runner, entry);
    return entry;
  }

  /**
   * Writes what this transaction appended and has not written yet, now: a read
   * of the trail in the transaction sees its own entries. Nothing to do (no
   * statement) outside a transaction or when nothing is held.
   */
  private async writePending(): Promise<void> {
    if (!this.txHost.isTransactionActive()) return;
    const runner = this.txHost.tx.queryRunner;
    if (!runner || !this.held.hasPending(runner)) return;
    await this.serialized(runner, () => this.writeHeld(runner));
  }

  /**
   * Writes the entries in order onto the chain head, under the append lock,
   * each with its pg_notify (delivered by PostgreSQL when, and only if, the
   * transaction commits). Statements: with the head known to this transaction,
   * the INSERT alone; else, when the lock is free, one that takes it and reads
   * the head, then the INSERT, guarded (it writes nothing if another entry came
   * in between, and the head is then read again); when the lock is taken,
   * waiting for it, reading the head, and the INSERT.
   */
  private async writeHeld(runner: QueryRunner | undefined, entries = runner ? this.held.takePending(runner) : []): Promise<void> {
    if (entries.length === 0) return;
    const db: Db = runner ?? this.txHost.tx;
    let head = this.lastAppended.get(runner);
    let guarded = false;
    if (!head) {
      const [row] = (await db.query(
        `SELECT pg_try_advisory_xact_lock($1) AS locked, h.seq::text AS seq, h.hash
           FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT seq, hash FROM audit_trail ORDER BY seq DESC LIMIT 1) h ON true`,
        [CHAIN_APPEND_LOCK_KEY],
      )) as { locked: boolean; seq: string | null; hash: string | null }[];
      if (row!.locked) {
        // The head was read in the same statement, whose snapshot may predate the lock by a moment.
        head = { seq: row!.seq ?? '0', hash: row!.hash ?? GENESIS_HASH };
        guarded = true;
      } else {
        await db.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_APPEND_LOCK_KEY]);
        head = await this.readHead(db);
      }
    }
    for (let i = 0; i < entries.length; i += ENTRIES_PER_INSERT) {
      const part = entries.slice(i, i + ENTRIES_PER_INSERT);
      if (!(await this.insert(db, part, head, guarded))) {
        head = await this.readHead(db);
        await this.insert(db, part, head, false);
      }
      guarded = false;
      const last = part.at(-1)!;
      head = { seq: last.seq, hash: last.hash };
    }
    this.lastAppended.set(runner, head);
  }

  private async readHead(db: Db): Promise<{ seq: string; hash: string }> {
    const [row] = (await db.query('SELECT seq::text AS seq, hash FROM audit_trail ORDER BY audit_trail.seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    return row ?? { seq: '0', hash: GENESIS_HASH };
  }

  /**
   * One INSERT of `entries` chained onto `head`, with a pg_notify per row (in seq
   * order, only for rows that went in) when the NoticeBus notifies in SQL, else
   * handed to the bus (published after the commit). Guarded: only if `head` is still the last
   * entry (false when it was not, and nothing was written). A plain INSERT, not
   * save(); jsonb as JSON text, as TypeORM's insert sends it.
   */
  private async insert(
    db: Db,
    entries: readonly AuditTrailEntryEntity[],
    head: { seq: string; hash: string },
    guarded: boolean,
  ): Promise<boolean> {
    let prev = head;
    const inSql = this.notices.notifiesInSql;
    const notices: TrailAppendedNotice[] = [];
    const params: unknown[] = [TRAIL_CHANNEL, head.seq];
    const rows: string[] = [];
    for (const entry of entries) {
      entry.seq = (BigInt(prev.seq) + 1n).toString();
      entry.prevHash = prev.hash;
      entry.hash = entryHash(entry);
      prev = { seq: entry.seq, hash: entry.hash };
      const notice: TrailAppendedNotice = {
        seq: entry.seq,
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId,
        at: entry.occurredAt.toISOString(),
      };
      notices.push(notice);
      const n = params.length;
      rows.push(
        `($${n + 1}::bigint, $${n + 2}::uuid, $${n + 3}::timestamptz, $${n + 4}::uuid, $${n + 5}::text, $${n + 6}::text, $${n + 7}::text, ` +
          `$${n + 8}::text, $${n + 9}::jsonb, $${n + 10}::jsonb, $${n + 11}::text, $${n + 12}::text, $${n + 13}::text, $${n + 14}::text)`,
      );
      params.push(
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
        JSON.stringify(notice),
      );
    }
    const written = (await db.query(
      `WITH v (seq, id, occurred_at, actor_id, actor_label, action, entity_type, entity_id, before, after, request_id, prev_hash, hash, notice) AS (
         VALUES ${rows.join(', ')}),
       e AS (
         INSERT INTO audit_trail (seq, id, occurred_at, actor_id, actor_label, action, entity_type, entity_id, before, after, request_id, prev_hash, hash)
         SELECT seq, id, occurred_at, actor_id, actor_label, action, entity_type, entity_id, before, after, request_id, prev_hash, hash FROM v
         ${guarded ? 'WHERE NOT EXISTS (SELECT 1 FROM audit_trail WHERE audit_trail.seq > $2::bigint)' : 'WHERE $2::bigint IS NOT NULL'}
         RETURNING seq)
       SELECT ${inSql ? 'pg_notify($1, v.notice)' : '$1::text AS channel'} FROM e JOIN v ON v.seq = e.seq ORDER BY e.seq`,
      params,
    )) as unknown[];
    if (written.length !== entries.length) return false;
    if (!inSql) await this.notices.announceAll(db instanceof EntityManager ? db : db.manager, TRAIL_CHANNEL, notices);
    return true;
  }

  /** Newest first, keyset-paginated on seq. */
  async list(filter: AuditTrailFilter, page: PageRequest): Promise<Page<AuditTrailEntryEntity>> {
    await this.writePending();
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
    await this.writePending();
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
    await this.writePending();
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
