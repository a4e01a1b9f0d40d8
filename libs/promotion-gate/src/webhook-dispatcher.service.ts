import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@app/common';
import { afterAttempt, signWebhook } from './domain/webhook-signing';
import { GateNotifications } from './gate-notifications';
import { postPinned } from './pinned-post';
import { WebhookTargets } from './webhook-targets';

/** Wake-up period when nothing is notified (due retries, deliveries of other instances' crashes). */
export const DISPATCH_INTERVAL_MS = 1000;
/** One POST may take this long before it counts as failed. */
export const DELIVERY_TIMEOUT_MS = 5000;
/**
 * A claimed delivery is out of reach of other workers for this long; if this
 * process dies mid-POST, another instance retries it afterwards (at least once).
 */
export const CLAIM_LEASE_MS = 60_000;
/** Deliveries claimed per pass (a gate contributes at most one: its oldest pending). */
export const DISPATCH_BATCH = 20;
/** Longest error text kept per attempt. */
const MAX_ERROR = 500;

interface Claimed {
  id: string;
  gateId: string;
  gateKey: string;
  body: string;
  attempts: number;
  url: string | null;
  secret: string | null;
}

export interface DispatchPolicy {
  maxAttempts: number;
  baseMs: number;
}

/**
 * Sends the gate webhook's outbox (`gate_webhook_deliveries`, written in the
 * transaction of each state change by PromotionGateService.record).
 *
 * - Runs in the API server only (provided by apps/api's AppModule, not by
 *   PromotionGateModule, so the CLI never sends).
 * - Wakes every second, at once when `promotion_gate_changed` is notified
 *   (GateNotifications), and after the LISTEN connection comes back.
 * - Claims due PENDING deliveries with `FOR UPDATE SKIP LOCKED` and, in the
 *   same statement, counts the attempt and leases the row (next_attempt_at =
 *   now + 60 s): two server instances never send one delivery at the same time,
 *   and no transaction stays open during the POST. A gate's deliveries go out
 *   one at a time, oldest (seq) first: a receiver never sees an older state
 *   after a newer one. Delivery is at least once (a crash mid-POST repeats it):
 *   receivers de-duplicate on X-Gate-Delivery.
 * - Checks the URL again before each POST (WebhookTargets: http(s), a public address unless
 *   GATE_WEBHOOK_ALLOW_PRIVATE_NETWORKS) and connects to the address it checked (postPinned: no
 *   second DNS lookup); a refused URL is a failed attempt whose error says why, nothing is sent.
 * - POSTs to the gate's CURRENT URL, signed with its CURRENT secret (see
 *   domain/webhook-signing.ts); a gate whose webhook was removed meanwhile gets
 *   its pending deliveries FAILED with that reason, unsent.
 * - Records every attempt (HTTP status or error, duration). 2xx: DELIVERED.
 *   Otherwise retried after 1 s, 2 s, 4 s ... 5 min (jitter −20 %;
 *   GATE_WEBHOOK_RETRY_BASE_MS), until GATE_WEBHOOK_MAX_ATTEMPTS (12) attempts,
 *   then FAILED with the last error. A failure logs a warning, giving up an error.
 * - Never throws out of a pass (errors are logged; the next wake-up tries again).
 *   Shutdown stops the timer and the subscription, aborts POSTs in flight
 *   (recorded as failed attempts, retried later) and waits for the pass to end
 *   before the database closes.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly policy: DispatchPolicy;
  private readonly shutdown = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  /** One-shot wake-ups at a retry's due time (sooner and more exact than the interval). */
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private unsubscribe: Array<() => void> = [];
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(GateNotifications) private readonly notifications: GateNotifications,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
    @Inject(WebhookTargets) private readonly targets: WebhookTargets,
  ) {
    this.policy = {
      maxAttempts: config.get('GATE_WEBHOOK_MAX_ATTEMPTS', { infer: true }),
      baseMs: config.get('GATE_WEBHOOK_RETRY_BASE_MS', { infer: true }),
    };
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = [this.notifications.subscribe(() => this.wake()), this.notifications.onReconnect(() => this.wake())];
    this.timer = setInterval(() => this.wake(), DISPATCH_INTERVAL_MS);
    this.timer.unref();
    this.wake(); // what was pending before this start
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.shutdown.abort(new Error('the server is shutting down'));
    await this.running;
  }

  /** Runs a pass now, or right after the one in progress. Never rejects. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  private wakeIn(ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      this.wake();
    }, ms + 5);
    t.unref();
    this.retryTimers.add(t);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const full = await this.pass();
        if (full) this.again = true;
      } catch (err) {
        // Never out of here: an unhandled rejection would stop the process.
        this.logger.error(`webhook dispatch pass failed: ${errorText(err)}`);
      }
    } while (this.again && !this.stopped);
  }

  /** One pass: fail deliveries of removed webhooks, then claim and send the due ones. True if the batch was full. */
  private async pass(): Promise<boolean> {
    await this.failOrphans();
    if (this.stopped) return false;
    const claimed = await this.claim();
    await Promise.all(claimed.map((d) => this.deliver(d)));
    return claimed.length === DISPATCH_BATCH;
  }

  private async failOrphans(): Promise<void> {
    const rows = rowsOf<{ id: string; key: string }>(
      await this.dataSource.query(
        `UPDATE gate_webhook_deliveries d
          SET status = 'FAILED', failure_reason = 'not sent: the gate''s webhook was removed'
         FROM promotion_gates g
        WHERE g.id = d.gate_id AND d.status = 'PENDING' AND g.webhook_url IS NULL
        RETURNING d.id, g.key`,
      ),
    );
    for (const r of rows) this.logger.warn(`webhook delivery ${r.id} of gate ${r.key} not sent: the webhook was removed`);
  }

  /**
   * Claims up to DISPATCH_BATCH due deliveries, each the oldest pending one of
   * its gate, counting the attempt and leasing the row, in one statement.
   */
  private async claim(): Promise<Claimed[]> {
    const rows = rowsOf<Record<string, unknown>>(
      await this.dataSource.query(
        `WITH due AS (
         SELECT d.id
           FROM gate_webhook_deliveries d
          WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
            AND NOT EXISTS (SELECT 1 FROM gate_webhook_deliveries e
                             WHERE e.gate_id = d.gate_id AND e.status = 'PENDING' AND e.seq < d.seq)
          ORDER BY d.next_attempt_at, d.seq
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE gate_webhook_deliveries d
          SET attempts = d.attempts + 1,
              next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
         FROM due, promotion_gates g
        WHERE d.id = due.id AND g.id = d.gate_id
        RETURNING d.id, d.gate_id, g.key, d.body, d.attempts, g.webhook_url, g.webhook_secret`,
        [DISPATCH_BATCH, CLAIM_LEASE_MS],
      ),
    );
    return rows.map((r) => ({
      id: r.id as string,
      gateId: r.gate_id as string,
      gateKey: r.key as string,
      body: r.body as string,
      attempts: Number(r.attempts),
      url: (r.webhook_url as string | null) ?? null,
      secret: (r.webhook_secret as string | null) ?? null,
    }));
  }

  private async deliver(d: Claimed): Promise<void> {
    try {
      if (!d.url || !d.secret) {
        // Removed between the orphan sweep and the claim.
        await this.finish(d, { status: 'FAILED' }, "not sent: the gate's webhook was removed", null);
        return;
      }
      const at = new Date();
      const started = performance.now();
      let httpStatus: number | null = null;
      let error: string | null = null;
      // One controller with a plain timer, not AbortSignal.any([AbortSignal.timeout(..)]): the
      // composite holds its sources weakly, and a collected timeout signal never fires.
      const abort = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        abort.abort(new Error(`timed out after ${DELIVERY_TIMEOUT_MS} ms`));
      }, DELIVERY_TIMEOUT_MS);
      const onShutdown = () => abort.abort(new Error('the server is shutting down'));
      this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
      try {
        // The address rules again, now (the URL may predate them, its name may resolve elsewhere today):
        // resolved once, every address checked, and the POST connects to the checked address.
        const target = await this.targets.pin(d.url);
        if ('problem' in target) {
          error = `not sent: the URL is not allowed: ${target.problem}`;
        } else {
          const timestamp = Math.floor(at.getTime() / 1000);
          const res = await postPinned(
            target,
            {
              'Content-Type': 'application/json',
              'User-Agent': 'remediation-tracker-gate-webhook/1',
              'X-Gate-Signature': signWebhook(d.secret, timestamp, d.body),
              'X-Gate-Timestamp': String(timestamp),
              'X-Gate-Delivery': d.id,
            },
            d.body,
            abort.signal,
          );
          httpStatus = res.status;
          if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
        }
      } catch (err) {
        error = timedOut
          ? `timed out after ${DELIVERY_TIMEOUT_MS} ms`
          : this.shutdown.signal.aborted
            ? 'aborted: the server was shutting down'
            : fetchErrorText(err);
      } finally {
        clearTimeout(timer);
        this.shutdown.signal.removeEventListener('abort', onShutdown);
      }
      const durationMs = Math.max(0, Math.round(performance.now() - started));
      const outcome = afterAttempt(httpStatus, d.attempts, this.policy, Math.random());
      await this.dataSource.transaction(async (em) => {
        await em.query(`INSERT INTO gate_webhook_attempts (delivery_id, at, http_status, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`, [
          d.id,
          at,
          httpStatus,
          error === null ? null : error.slice(0, MAX_ERROR),
          durationMs,
        ]);
        await this.finish(
          d,
          outcome,
          outcome.status === 'FAILED' ? `gave up after ${d.attempts} attempts; last: ${error ?? 'unknown'}`.slice(0, MAX_ERROR) : null,
          em,
        );
      });
      if (outcome.status === 'PENDING') {
        this.wakeIn(outcome.retryInMs);
        this.logger.warn(
          `webhook delivery ${d.id} of gate ${d.gateKey}: attempt ${d.attempts} failed (${error}); retrying in ${outcome.retryInMs} ms`,
        );
      } else if (outcome.status === 'FAILED') {
        this.logger.error(`webhook delivery ${d.id} of gate ${d.gateKey}: giving up after ${d.attempts} attempts (last: ${error})`);
      }
    } catch (err) {
      // The lease expires and the delivery is tried again; never out of the loop.
      this.logger.error(`webhook delivery ${d.id} of gate ${d.gateKey}: could not record the attempt: ${errorText(err)}`);
    }
  }

  /**
   * The delivery's new status; only if it is still this worker's claim (PENDING,
   * attempts unchanged: no other worker took it over after a lost lease).
   */
  private async finish(
    d: Claimed,
    outcome: ReturnType<typeof afterAttempt>,
    failureReason: string | null,
    em: { query: DataSource['query'] } | null,
  ): Promise<void> {
    const q = em ?? this.dataSource;
    if (outcome.status === 'DELIVERED') {
      await q.query(
        `UPDATE gate_webhook_deliveries SET status = 'DELIVERED', delivered_at = now() WHERE id = $1 AND status = 'PENDING' AND attempts = $2`,
        [d.id, d.attempts],
      );
    } else if (outcome.status === 'FAILED') {
      await q.query(
        `UPDATE gate_webhook_deliveries SET status = 'FAILED', failure_reason = $3 WHERE id = $1 AND status = 'PENDING' AND attempts = $2`,
        [d.id, d.attempts, failureReason],
      );
      if (!em) this.logger.warn(`webhook delivery ${d.id} of gate ${d.gateKey} not sent: ${failureReason}`);
    } else {
      await q.query(
        `UPDATE gate_webhook_deliveries SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1 AND status = 'PENDING' AND attempts = $2`,
        [d.id, d.attempts, outcome.retryInMs],
      );
    }
  }
}

/** TypeORM returns [rows, count] for UPDATE ... RETURNING on PostgreSQL. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

function fetchErrorText(err: unknown): string {
  const base = errorText(err);
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${base}: ${detail}${cause?.code && cause.message ? ` (${cause.message})` : ''}` : base;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
