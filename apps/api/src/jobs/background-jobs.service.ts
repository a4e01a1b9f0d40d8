import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { DataSource } from 'typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { type Actor, decodeTimeIdCursor, isUuid, notFound, pageOf, pageSize, type Page, type PageRequest } from '@app/common';
import { transactionDb } from './data-source-db';
import { JobError, JobErrorCode } from './job.errors';
import { JobQueueService } from './job-queue.service';

export const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A job as admins see it (a row of pgboss.job). */
export interface BackgroundJob {
  id: string;
  name: string;
  state: JobState;
  /** Retries so far (pg-boss's retry_count: 0 on the first try). */
  retryCount: number;
  retryLimit: number;
  createdOn: Date;
  startedOn: Date | null;
  completedOn: Date | null;
  /** The last failure's message (pg-boss keeps the error in `output`), or null. */
  lastError: string | null;
  singletonKey: string | null;
}

interface JobRow {
  id: string;
  name: string;
  state: JobState;
  retry_count: number;
  retry_limit: number;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
  last_error: string | null;
  singleton_key: string | null;
}

// The error of a failed try (serialize-error: { message, … }) or of an expiry ({ value: { message } }).
const COLUMNS = `id, name, state::text AS state, retry_count, retry_limit, created_on, started_on, completed_on,
  COALESCE(output->>'message', output->'value'->>'message') AS last_error, singleton_key`;
/** pg-boss's own queues (its cron's) are not listed. */
const LISTED = `name NOT LIKE '\\_\\_pgboss\\_\\_%'`;

/**
 * The admins' view of the background jobs: the jobs pg-boss keeps in pgboss.job (completed ones for a day,
 * failed ones for a week: JobQueueService), newest first, and a retry of a failed one. Plain SQL on pg-boss's
 * schema (the jobs module owns it: test/architecture/table-owners.ts).
 */
@Injectable()
export class BackgroundJobsService {
  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(JobQueueService) private readonly queue: JobQueueService,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
  ) {}

  async list(page: PageRequest & { state?: JobState | null; name?: string | null }): Promise<Page<BackgroundJob>> {
    const size = pageSize(page.first);
    const filter = `${LISTED} AND ($1::text IS NULL OR state::text = $1) AND ($2::text IS NULL OR name = $2)`;
    const params: unknown[] = [page.state ?? null, page.name ?? null];
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM pgboss.job WHERE ${filter}`, params)) as [
      { total: number },
    ];
    let after = '';
    if (page.after) {
      const { at, id } = decodeTimeIdCursor(page.after);
      params.push(at, id);
      // The cursor holds milliseconds; created_on has microseconds: both sides compared at milliseconds.
      after = `AND (date_trunc('milliseconds', created_on), id) < (CAST($3 AS timestamptz), CAST($4 AS uuid))`;
    }
    params.push(size + 1);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM pgboss.job WHERE ${filter} ${after}
       ORDER BY date_trunc('milliseconds', created_on) DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as JobRow[];
    return pageOf(rows.map(toJob), size, total, (j) => [j.createdOn.toISOString(), j.id]);
  }

  /**
   * An admin's retry of a FAILED job: it goes back to the queue (state RETRY, one more try allowed) and is
   * recorded in the trail, in one transaction. NOT_FOUND for an unknown id; JOB_NOT_FAILED (CONFLICT) otherwise.
   */
  @Transactional()
  async retry(actor: Actor, id: string): Promise<BackgroundJob> {
    if (!isUuid(id)) throw notFound('Background job', id);
    const em = this.txHost.tx;
    const [row] = (await em.query(`SELECT ${COLUMNS} FROM pgboss.job WHERE id = $1 FOR UPDATE`, [id])) as JobRow[];
    if (!row) throw notFound('Background job', id);
    if (row.state !== 'failed') {
      throw new JobError(JobErrorCode.JOB_NOT_FAILED, `Background job ${id} is ${row.state.toUpperCase()}: only a FAILED job is retried`, {
        id,
        state: row.state.toUpperCase(),
      });
    }
    await this.queue.retry(row.name, id, transactionDb(em));
    const [after] = (await em.query(`SELECT ${COLUMNS} FROM pgboss.job WHERE id = $1`, [id])) as JobRow[];
    const job = toJob(after!);
    await this.trail.append({
      actor,
      action: 'background_job.retried',
      entityType: 'BackgroundJob',
      entityId: id,
      before: snapshot(toJob(row)),
      after: snapshot(job),
    });
    return job;
  }
}

function toJob(r: JobRow): BackgroundJob {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    retryCount: r.retry_count,
    retryLimit: r.retry_limit,
    createdOn: r.created_on,
    startedOn: r.started_on,
    completedOn: r.completed_on,
    lastError: r.last_error,
    singletonKey: r.singleton_key,
  };
}

function snapshot(j: BackgroundJob) {
  return { name: j.name, state: j.state.toUpperCase(), retryCount: j.retryCount, retryLimit: j.retryLimit, lastError: j.lastError };
}
