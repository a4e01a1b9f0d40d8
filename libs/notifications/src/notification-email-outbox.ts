import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Clock, type AppConfig } from '@app/common';
import { UsersService } from '@app/identity';
import { afterEmailAttempt, EMAIL_CLAIM_LEASE_MS } from './domain/email-delivery';
import { defaultPreference, NOTIFICATION_KINDS, type NotificationKind } from './domain/notification-kinds';
import { absoluteLink, notificationPath } from './domain/notification-links';
import { emailText } from './domain/notification-texts';
import { NotificationMailer } from './notification-mailer';

/**
 * E-mails claimed per statement. One: each claim's lease then starts right
 * before its own SMTP conversation, so a slow server (50 s per message at
 * worst) can never outlast the lease of mails still waiting in a batch, which
 * another worker would then claim and send a second time.
 */
const EMAIL_BATCH = 1;

/** What one e-mail pass did. */
export interface EmailPass {
  /** Accepted by the SMTP server. */
  sent: number;
  /** Failed attempts (of which `gaveUp` for good; the others are retried later). */
  failed: number;
  gaveUp: number;
  /** Not sent because the recipient turned e-mail off for the kind, or was deactivated, before it went out. */
  withdrawn: number;
}

/**
 * The notifications' e-mail, sent after the commit that created them and
 * retried: the outbox of the `notifications` table (email_* columns).
 */
@Injectable()
export class NotificationEmailOutbox {
  private readonly logger = new Logger(NotificationEmailOutbox.name);
  /** PUBLIC_BASE_URL: where the e-mail's links point; null: e-mail without a link. */
  private readonly publicBaseUrl: string | null;
  /** Set when the process stops: a pass finishes the e-mail it is sending and claims no more. */
  private stopping = false;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(NotificationMailer) private readonly mailer: NotificationMailer,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
  ) {
    this.publicBaseUrl = (config.get('PUBLIC_BASE_URL', { infer: true }) as string | undefined) ?? null;
  }

  private get em() {
    return this.txHost.tx;
  }

  /**
   * Sends every e-mail due at `now`: this run's first attempts, retries whose
   * time has come, and claims left behind by a process that died while sending.
   * The same outbox pattern as the gate webhook (WebhookDispatcher):
   *
   * - First withdraws (FAILED, unsent) those still to send whose recipient has
   *   since turned e-mail off for that kind, or was deactivated.
   * - Claims a batch with `FOR UPDATE SKIP LOCKED` and, in the same statement,
   *   counts the attempt and leases the row (SENDING until now + 15 min): two
   *   processes (or two passes of one) never send one e-mail at the same time,
   *   and no transaction stays open during the SMTP conversation.
   * - Records the outcome only while the claim is still its own (SENDING, same
   *   attempt count): SENT; PENDING again with the error and the retry's time;
   *   or FAILED for good (domain/email-delivery.ts). A process that dies
   *   mid-send leaves the lease to lapse and the e-mail is sent again (at least once).
   *
   * Times are the injected Clock's (`now`), so that the retry schedule can be
   * driven by the caller. Never throws for a failed send; without SMTP_URL it
   * does nothing (the e-mail stays PENDING until a server with SMTP_URL sends it).
   */
  async deliverPendingEmail(now: Date = this.clock.now()): Promise<EmailPass> {
    const result: EmailPass = { sent: 0, failed: 0, gaveUp: 0, withdrawn: 0 };
    if (!this.mailer.enabled) return result;
    result.withdrawn = await this.withdrawUnwanted(now);
    for (;;) {
      // Stopping: what is still due stays PENDING, unclaimed, for another instance or the next start. (Sending on
      // until the outbox is empty outlasted the service manager's stop timeout after an SMTP outage: the process was
      // killed mid-send, and a mail accepted but not yet marked SENT went out again when its lease ran out.)
      if (this.stopping) return result;
      // Due by the pass's `now`; leased from the time of the claim (the clock moves while mail is sent).
      const batch = await this.claimEmail(now, new Date(Math.max(now.getTime(), this.clock.now().getTime())));
      if (batch.length === 0) return result;
      for (const n of batch) {
        const url = this.publicBaseUrl
          ? absoluteLink(this.publicBaseUrl, notificationPath(n.kind, n.countermeasure_key, n.incident_id))
          : null;
        const outcome = await this.mailer.send({ to: n.email_to, subject: n.title, text: emailText(n, url) });
        const next = afterEmailAttempt(outcome, n.email_attempts);
        const fence = [n.id, n.email_attempts];
        if (outcome.ok) {
          result.sent++;
          await this.em.query(
            `UPDATE notifications SET email_status = 'SENT', email_sent_at = $3, email_error = NULL, email_message_id = $4, email_next_attempt_at = NULL
             WHERE id = $1 AND email_status = 'SENDING' AND email_attempts = $2`,
            [...fence, now, outcome.messageId],
          );
          continue;
        }
        result.failed++;
        if (next.status === 'PENDING') {
          this.logger.warn(
            `notification ${n.id} (${n.kind}): e-mail attempt ${n.email_attempts} failed (${outcome.error}); retrying in ${Math.round(next.retryInMs / 60_000)} min`,
          );
          await this.em.query(
            `UPDATE notifications SET email_status = 'PENDING', email_error = $3, email_next_attempt_at = $4
             WHERE id = $1 AND email_status = 'SENDING' AND email_attempts = $2`,
            [...fence, outcome.error, new Date(now.getTime() + next.retryInMs)],
          );
        } else if (next.status === 'FAILED') {
          result.gaveUp++;
          this.logger.error(`notification ${n.id} (${n.kind}) not e-mailed: ${next.error}`);
          await this.em.query(
            `UPDATE notifications SET email_status = 'FAILED', email_error = $3, email_next_attempt_at = NULL
             WHERE id = $1 AND email_status = 'SENDING' AND email_attempts = $2`,
            [...fence, next.error.slice(0, 1000)],
          );
        }
      }
    }
  }

  /** The process is stopping: every pass in progress ends after the e-mail it is sending; no pass claims any more. */
  stop(): void {
    this.stopping = true;
  }

  /**
   * E-mail still to send whose recipient no longer wants it — e-mail now off
   * for that kind (also after a failed attempt: the retries stop), or the
   * account deactivated — FAILED, unsent, with the reason. Whether a recipient
   * is deactivated is the identity context's to say (UsersService, one
   * statement for every recipient with e-mail waiting); nothing is read when
   * no e-mail waits.
   */
  private async withdrawUnwanted(now: Date): Promise<number> {
    const waiting = await this.em.query<{ user_id: string }[]>(
      `SELECT DISTINCT user_id FROM notifications WHERE email_status = 'PENDING' OR (email_status = 'SENDING' AND email_next_attempt_at <= $1)`,
      [now],
    );
    if (waiting.length === 0) return 0;
    const deactivated = (await this.users.findByIds(waiting.map((r) => r.user_id))).filter((u) => !u.active).map((u) => u.id);
    const emailByDefault = NOTIFICATION_KINDS.filter((k) => defaultPreference(k).email);
    const [rows] = await this.em.query<[{ id: string; kind: string; email_error: string }[], number]>(
      `UPDATE notifications n
          SET email_status = 'FAILED', email_next_attempt_at = NULL,
              email_error = CASE WHEN n.user_id = ANY($3::uuid[]) THEN 'not sent: the recipient was deactivated' ELSE 'not sent: e-mail for this kind was turned off' END
                            || COALESCE(' (after: ' || n.email_error || ')', '')
        WHERE n.id IN (SELECT x.id FROM notifications x
                        WHERE (x.email_status = 'PENDING' OR (x.email_status = 'SENDING' AND x.email_next_attempt_at <= $1))
                          AND (x.user_id = ANY($3::uuid[]) OR NOT COALESCE((SELECT p.email FROM notification_preferences p WHERE p.user_id = x.user_id AND p.kind = x.kind),
                                                                            x.kind = ANY($2::text[])))
                        FOR UPDATE OF x SKIP LOCKED)
        RETURNING n.id, n.kind, n.email_error`,
      [now, emailByDefault, deactivated],
    );
    for (const r of rows) this.logger.log(`notification ${r.id} (${r.kind}): e-mail withdrawn, ${r.email_error}`);
    return rows.length;
  }

  /** Claims up to EMAIL_BATCH e-mails due by `now` (oldest due first): counts the attempt and leases each from `leaseFrom`, in one statement. */
  private async claimEmail(now: Date, leaseFrom: Date) {
    // An UPDATE answers [rows, rowCount].
    const [batch] = await this.em.query<
      [
        {
          id: string;
          kind: NotificationKind;
          email_to: string;
          title: string;
          body: string;
          countermeasure_key: string | null;
          incident_id: string | null;
          email_attempts: number;
        }[],
        number,
      ]
    >(
      `UPDATE notifications n
          SET email_status = 'SENDING', email_attempts = n.email_attempts + 1, email_attempted_at = $4,
              email_next_attempt_at = $4::timestamptz + make_interval(secs => $3::double precision / 1000)
        WHERE n.id IN (SELECT id FROM notifications
                        WHERE email_status IN ('PENDING', 'SENDING') AND email_next_attempt_at <= $1
                        ORDER BY email_next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING n.id, n.kind, n.email_to, n.title, n.body, n.countermeasure_key, n.incident_id, n.email_attempts`,
      [now, EMAIL_BATCH, EMAIL_CLAIM_LEASE_MS, leaseFrom],
    );
    return batch;
  }
}
