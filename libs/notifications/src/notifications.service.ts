import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { findingKey } from '@app/audits';
import { addDays, CASE_TIME_ZONE, Clock, CommonError, CommonErrorCode, DAY_MS, decodeCursor, describeList, encodeCursor, pageSize, todayIn, type AppConfig, type Page, type PageRequest } from '@app/common';
import { ALL_COUNTERMEASURE_STATUSES, countermeasureKey, isOpen } from '@app/countermeasures';
import { afterEmailAttempt, EMAIL_CLAIM_LEASE_MS } from './domain/email-delivery';
import { defaultPreference, isNotificationKind, NOTIFICATION_KINDS, REMINDER_WINDOWS, type NotificationKind } from './domain/notification-kinds';
import { absoluteLink, notificationPath } from './domain/notification-links';
import { NotificationError, NotificationErrorCode } from './domain/notification.errors';
import {
  digestText,
  dueText,
  emailText,
  gateChangedText,
  goingStaleText,
  overdueText,
  reviewWaitingText,
  riskExpiringText,
  type DigestFacts,
  type NotificationText,
} from './domain/notification-texts';
import { NotificationEntity, NotificationPreferenceEntity } from './notification.entities';
import { NOTIFICATION_CHANNEL } from './notification.events';
import { NotificationMailer } from './notification-mailer';
import {
  candidatesSql,
  digestRecipientsQuery,
  dueQuery,
  gateChangedQuery,
  goingStaleQuery,
  overdueQuery,
  reviewWaitingQuery,
  riskExpiringQuery,
  type CandidateRow,
  type KindQuery,
} from './reminder-queries';

/** What one run created and sent. */
export interface ReminderRun {
  created: Record<NotificationKind, number>;
  total: number;
  emailsSent: number;
  /** Failed attempts of this run (retried later unless refused for good or the last one). */
  emailsFailed: number;
  /** Kinds whose candidates could not be created (logged; the next run repeats them). */
  failedKinds: NotificationKind[];
}

export interface NotificationListRequest extends PageRequest {
  unreadOnly?: boolean | null;
}

export interface EffectivePreference {
  kind: NotificationKind;
  inbox: boolean;
  email: boolean;
  /** No row of the user's own: the defaults apply. */
  isDefault: boolean;
}

const OPEN_STATUSES = ALL_COUNTERMEASURE_STATUSES.filter(isOpen);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSERT_CHUNK = 500;
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
 * Reminders and the inbox.
 *
 * - `runDaily(now)` (07:00 Asia/Tokyo, `runReminders`, `npm run cli -- run-reminders`)
 *   creates every due, overdue, review-waiting, going-stale, expiring-acceptance
 *   notification, and catches up on gate changes of the last days; idempotent
 *   (the dedupe key is unique per user), one transaction per kind.
 * - `runWeeklyDigest(now)` (Mondays 07:30) summarises the seven days before `now`'s day.
 * - `notifyGateChange(changeId)` is called after a gate change commits (LISTEN).
 * - Each new notification is announced at commit (pg_notify); e-mail, when the
 *   server has SMTP_URL and the user wants that kind by e-mail, is sent after
 *   the commit and its outcome recorded on the row. A failed e-mail is logged
 *   and recorded, never thrown, and tried again later (`deliverPendingEmail`,
 *   run every minute and at start by the API's job; schedule in
 *   domain/email-delivery.ts). The e-mail ends with a link to the page when
 *   PUBLIC_BASE_URL is set (domain/notification-links.ts).
 *
 * Creating and reading notifications is not written to the audit trail: they are
 * messages about recorded changes, not changes of the plan.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(NotificationMailer) private readonly mailer: NotificationMailer,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
  ) {
    this.publicBaseUrl = (config.get('PUBLIC_BASE_URL', { infer: true }) as string | undefined) ?? null;
  }

  /** PUBLIC_BASE_URL: where the e-mail's links point; null: e-mail without a link. */
  private readonly publicBaseUrl: string | null;

  private get em() {
    return this.txHost.tx;
  }

  // ---- the jobs ---------------------------------------------------------------------------------

  /** The daily reminders as of `now` (its day in the case's time zone). Idempotent. */
  async runDaily(now: Date = this.clock.now()): Promise<ReminderRun> {
    const today = todayIn(CASE_TIME_ZONE, now);
    const w = REMINDER_WINDOWS;
    const queries: KindQuery[] = [
      dueQuery('DUE_IN_7_DAYS', OPEN_STATUSES, today, 2, w.dueSoonDays),
      dueQuery('DUE_IN_1_DAY', OPEN_STATUSES, today, 0, 1),
      overdueQuery(OPEN_STATUSES, today),
      reviewWaitingQuery(now, w.reviewWaitingDays, CASE_TIME_ZONE),
      goingStaleQuery(today, w.staleWithinDays),
      riskExpiringQuery(today, w.acceptanceExpiringDays),
      gateChangedQuery({ since: new Date(now.getTime() - w.gateCatchUpDays * DAY_MS) }, CASE_TIME_ZONE),
    ];
    const run = emptyRun();
    for (const q of queries) {
      try {
        const n = await this.createFrom(q, now, today);
        run.created[q.kind] += n;
        run.total += n;
      } catch (err) {
        // One kind failing does not hold back the others; the next run repeats it.
        run.failedKinds.push(q.kind);
        this.logger.error(`reminders of kind ${q.kind} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return this.deliverInto(run, now);
  }

  /** The weekly digest to every active executive: the seven days before `now`'s day. Idempotent per week. */
  async runWeeklyDigest(now: Date = this.clock.now()): Promise<ReminderRun> {
    const run = emptyRun();
    run.created.WEEKLY_DIGEST = run.total = await this.createDigest(now);
    return this.deliverInto(run, now);
  }

  /** GATE_CHANGED for one committed gate change (idempotent: the listener and the daily catch-up may both call it). */
  async notifyGateChange(changeId: string, now: Date = this.clock.now()): Promise<ReminderRun> {
    const run = emptyRun();
    run.created.GATE_CHANGED = run.total = await this.createFrom(gateChangedQuery({ changeId }, CASE_TIME_ZONE), now, todayIn(CASE_TIME_ZONE, now));
    return this.deliverInto(run, now);
  }

  /** The facts of the weekly digest for the seven days before `now`'s day (also what the digest says). */
  async digestFacts(now: Date = this.clock.now()): Promise<DigestFacts> {
    const today = todayIn(CASE_TIME_ZONE, now);
    const weekStart = addDays(today, -7);
    const tz = CASE_TIME_ZONE;
    // The window [weekStart 00:00, today 00:00) in the case's time zone.
    const from = `($1::date)::timestamp AT TIME ZONE $3::text`;
    const to = `($2::date)::timestamp AT TIME ZONE $3::text`;
    const verified = await this.em.query<{ seq: number; title: string; day: string }[]>(
      `SELECT v.seq, v.title, v.day FROM (
         SELECT DISTINCT ON (c.id) c.seq, c.title, to_char(t.at AT TIME ZONE $3::text, 'YYYY-MM-DD') AS day
         FROM countermeasure_transitions t JOIN countermeasures c ON c.id = t.countermeasure_id
         WHERE t.to_status = 'VERIFIED' AND t.at >= ${from} AND t.at < ${to}
         ORDER BY c.id, t.at) v
       ORDER BY v.day, v.seq`,
      [weekStart, today, tz],
    );
    const slipped = await this.em.query<{ seq: number; title: string; old_due_date: string; new_due_date: string; reason: string }[]>(
      `SELECT c.seq, c.title, d.old_due_date::text, d.new_due_date::text, d.reason
       FROM countermeasure_due_date_changes d JOIN countermeasures c ON c.id = d.countermeasure_id
       WHERE d.new_due_date > d.old_due_date AND d.at >= ${from} AND d.at < ${to}
       ORDER BY d.at, d.id`,
      [weekStart, today, tz],
    );
    const newlyOverdue = await this.em.query<{ seq: number; title: string; due_date: string; owner: string }[]>(
      `SELECT c.seq, c.title, c.due_date::text, o.display_name AS owner
       FROM countermeasures c JOIN users o ON o.id = c.owner_id
       WHERE c.status = ANY($1::text[]) AND c.due_date BETWEEN $2::date - 1 AND $3::date - 2
       ORDER BY c.due_date, c.seq`,
      [OPEN_STATUSES, weekStart, today],
    );
    const [{ n: overdueNow }] = await this.em.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM countermeasures c WHERE c.status = ANY($1::text[]) AND c.due_date < $2::date`,
      [OPEN_STATUSES, today],
    );
    const gates = await this.em.query<{ key: string; name: string; state: string; blockers: { message: string }[] }[]>(
      `SELECT g.key, g.name, g.state, g.blockers FROM promotion_gates g ORDER BY g.key`,
    );
    return {
      weekStart,
      weekEnd: addDays(today, -1),
      verified: verified.map((v) => ({ countermeasureKey: countermeasureKey(v.seq), title: v.title, day: v.day })),
      slipped: slipped.map((s) => ({ countermeasureKey: countermeasureKey(s.seq), title: s.title, oldDueDate: s.old_due_date, newDueDate: s.new_due_date, reason: s.reason })),
      newlyOverdue: newlyOverdue.map((o) => ({ countermeasureKey: countermeasureKey(o.seq), title: o.title, dueDate: o.due_date, ownerName: o.owner })),
      overdueNow,
      gates: gates.map((g) => ({ key: g.key, name: g.name, state: g.state, blockers: (g.blockers ?? []).map((b) => b.message) })),
    };
  }

  @Transactional()
  private async createDigest(now: Date): Promise<number> {
    const facts = await this.digestFacts(now);
    const text = digestText(facts);
    return this.createFrom(digestRecipientsQuery(facts.weekStart), now, todayIn(CASE_TIME_ZONE, now), () => ({ text, data: { ...facts } }));
  }

  /** Finds the candidates of one kind, words them, inserts what is new and announces it at commit. */
  @Transactional()
  private async createFrom(
    q: KindQuery,
    now: Date,
    today: string,
    wordFn: (row: CandidateRow) => { text: NotificationText; data: Record<string, unknown> } = (row) => ({ text: word(q.kind, row), data: row.facts }),
  ): Promise<number> {
    const { sql, params } = candidatesSql(q, defaultPreference(q.kind));
    const rows = await this.em.query<CandidateRow[]>(sql, params);
    if (rows.length === 0) return 0;
    const mail = this.mailer.enabled;
    const records = rows.map((row) => {
      const { text, data } = wordFn(row);
      const wantsMail = mail && row.email;
      return {
        user_id: row.user_id,
        kind: q.kind,
        title: text.title,
        body: text.body,
        dedupe_key: row.dedupe_key,
        incident_id: row.incident_id ?? null,
        countermeasure_id: row.countermeasure_id ?? null,
        countermeasure_key: row.cm_seq != null ? countermeasureKey(row.cm_seq) : null,
        requirement_id: row.requirement_id ?? null,
        evidence_id: row.evidence_id ?? null,
        risk_acceptance_id: row.risk_acceptance_id ?? null,
        finding_id: row.finding_id ?? null,
        gate_key: row.gate_key ?? null,
        gate_change_id: row.gate_change_id ?? null,
        data: { ...data, today },
        in_inbox: row.inbox,
        created_at: now.toISOString(),
        email_status: wantsMail ? 'PENDING' : null,
        email_to: wantsMail ? row.address : null,
        email_next_attempt_at: wantsMail ? now.toISOString() : null,
      };
    });
    let created = 0;
    for (let i = 0; i < records.length; i += INSERT_CHUNK) {
      const inserted = await this.em.query<{ id: string; user_id: string; kind: string; in_inbox: boolean }[]>(
        `INSERT INTO notifications (user_id, kind, title, body, dedupe_key, incident_id, countermeasure_id, countermeasure_key, requirement_id,
                                    evidence_id, risk_acceptance_id, finding_id, gate_key, gate_change_id, data, in_inbox, created_at, email_status, email_to,
                                    email_next_attempt_at)
         SELECT x.user_id, x.kind, x.title, x.body, x.dedupe_key, x.incident_id, x.countermeasure_id, x.countermeasure_key, x.requirement_id,
                x.evidence_id, x.risk_acceptance_id, x.finding_id, x.gate_key, x.gate_change_id, x.data, x.in_inbox, x.created_at, x.email_status, x.email_to,
                x.email_next_attempt_at
         FROM jsonb_to_recordset($1::jsonb) AS x(user_id uuid, kind text, title text, body text, dedupe_key text, incident_id uuid, countermeasure_id uuid,
              countermeasure_key text, requirement_id uuid, evidence_id uuid, risk_acceptance_id uuid, finding_id uuid, gate_key text, gate_change_id uuid,
              data jsonb, in_inbox boolean, created_at timestamptz, email_status text, email_to text, email_next_attempt_at timestamptz)
         ON CONFLICT (user_id, dedupe_key) DO NOTHING
         RETURNING id, user_id, kind, in_inbox`,
        [JSON.stringify(records.slice(i, i + INSERT_CHUNK))],
      );
      created += inserted.length;
      const shown = inserted.filter((r) => r.in_inbox);
      if (shown.length) {
        // Delivered to LISTENers when (and only if) this transaction commits.
        await this.em.query(
          `SELECT pg_notify($1, json_build_object('id', t.id, 'userId', t.user_id, 'kind', t.kind)::text)
           FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS t(id, user_id, kind)`,
          [NOTIFICATION_CHANNEL, shown.map((r) => r.id), shown.map((r) => r.user_id), shown.map((r) => r.kind)],
        );
      }
    }
    return created;
  }

  // ---- e-mail (after commit, retried) ---------------------------------------------------------------

  private async deliverInto(run: ReminderRun, now: Date): Promise<ReminderRun> {
    const { sent, failed } = await this.deliverPendingEmail(now);
    run.emailsSent = sent;
    run.emailsFailed = failed;
    return run;
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
      // Due by the pass's `now`; leased from the time of the claim (the clock moves while mail is sent).
      const batch = await this.claimEmail(now, new Date(Math.max(now.getTime(), this.clock.now().getTime())));
      if (batch.length === 0) return result;
      for (const n of batch) {
        const url = this.publicBaseUrl ? absoluteLink(this.publicBaseUrl, notificationPath(n.kind, n.countermeasure_key)) : null;
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
          this.logger.warn(`notification ${n.id} (${n.kind}): e-mail attempt ${n.email_attempts} failed (${outcome.error}); retrying in ${Math.round(next.retryInMs / 60_000)} min`);
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

  /**
   * E-mail still to send whose recipient no longer wants it — e-mail now off
   * for that kind (also after a failed attempt: the retries stop), or the
   * account deactivated — FAILED, unsent, with the reason.
   */
  private async withdrawUnwanted(now: Date): Promise<number> {
    const emailByDefault = NOTIFICATION_KINDS.filter((k) => defaultPreference(k).email);
    const [rows] = await this.em.query<[{ id: string; kind: string; email_error: string }[], number]>(
      `UPDATE notifications n
          SET email_status = 'FAILED', email_next_attempt_at = NULL,
              email_error = CASE WHEN u.active THEN 'not sent: e-mail for this kind was turned off' ELSE 'not sent: the recipient was deactivated' END
                            || COALESCE(' (after: ' || n.email_error || ')', '')
         FROM users u
        WHERE u.id = n.user_id
          AND n.id IN (SELECT x.id FROM notifications x JOIN users xu ON xu.id = x.user_id
                        WHERE (x.email_status = 'PENDING' OR (x.email_status = 'SENDING' AND x.email_next_attempt_at <= $1))
                          AND (NOT xu.active OR NOT COALESCE((SELECT p.email FROM notification_preferences p WHERE p.user_id = x.user_id AND p.kind = x.kind),
                                                             x.kind = ANY($2::text[])))
                        FOR UPDATE OF x SKIP LOCKED)
        RETURNING n.id, n.kind, n.email_error`,
      [now, emailByDefault],
    );
    for (const r of rows) this.logger.log(`notification ${r.id} (${r.kind}): e-mail withdrawn, ${r.email_error}`);
    return rows.length;
  }

  /** Claims up to EMAIL_BATCH e-mails due by `now` (oldest due first): counts the attempt and leases each from `leaseFrom`, in one statement. */
  private async claimEmail(now: Date, leaseFrom: Date) {
    // An UPDATE answers [rows, rowCount].
    const [batch] = await this.em.query<
      [{ id: string; kind: NotificationKind; email_to: string; title: string; body: string; countermeasure_key: string | null; email_attempts: number }[], number]
    >(
      `UPDATE notifications n
          SET email_status = 'SENDING', email_attempts = n.email_attempts + 1, email_attempted_at = $4,
              email_next_attempt_at = $4::timestamptz + make_interval(secs => $3::double precision / 1000)
        WHERE n.id IN (SELECT id FROM notifications
                        WHERE email_status IN ('PENDING', 'SENDING') AND email_next_attempt_at <= $1
                        ORDER BY email_next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING n.id, n.kind, n.email_to, n.title, n.body, n.countermeasure_key, n.email_attempts`,
      [now, EMAIL_BATCH, EMAIL_CLAIM_LEASE_MS, leaseFrom],
    );
    return batch;
  }

  // ---- the inbox ---------------------------------------------------------------------------------

  /** The user's own inbox, newest first. */
  async list(userId: string, req: NotificationListRequest): Promise<Page<NotificationEntity>> {
    const size = pageSize(req.first);
    const qb = this.em.getRepository(NotificationEntity).createQueryBuilder('n').where('n.userId = :userId AND n.inInbox', { userId });
    if (req.unreadOnly) qb.andWhere('n.readAt IS NULL');
    const totalCount = await qb.clone().getCount();
    if (req.after) {
      const [at, id] = decodeCursor(req.after, 2);
      const after = new Date(String(at));
      if (Number.isNaN(after.getTime()) || !UUID.test(String(id))) {
        throw new CommonError(CommonErrorCode.INVALID_CURSOR, 'The cursor `after` is not one this API issued', { after: req.after });
      }
      qb.andWhere('(n.createdAt, n.id) < (:at, :id)', { at: after, id: String(id) });
    }
    const rows = await qb.orderBy('n.createdAt', 'DESC').addOrderBy('n.id', 'DESC').limit(size + 1).getMany();
    return {
      nodes: rows.slice(0, size),
      hasNextPage: rows.length > size,
      totalCount,
      cursorOf: (n) => encodeCursor([n.createdAt.toISOString(), n.id]),
    };
  }

  async unreadCount(userId: string): Promise<number> {
    return this.em.getRepository(NotificationEntity).createQueryBuilder('n').where('n.userId = :userId AND n.inInbox AND n.readAt IS NULL', { userId }).getCount();
  }

  /** One of the user's own inbox notifications; another user's is NOT_FOUND. */
  async getOwn(userId: string, id: string): Promise<NotificationEntity> {
    const n = UUID.test(id) ? await this.em.getRepository(NotificationEntity).findOneBy({ id, userId, inInbox: true }) : null;
    if (!n) throw new NotificationError(NotificationErrorCode.NOTIFICATION_NOT_FOUND, `No notification ${id}`, { ids: [id] });
    return n;
  }

  /**
   * Marks the user's own notifications read: `ids`, or `all` of them. Any id that
   * is not one of the user's (another user's, unknown) refuses the whole call
   * with NOT_FOUND and marks nothing. Marking a read one again keeps its time.
   */
  @Transactional()
  async markRead(userId: string, sel: { ids?: readonly string[] | null; all?: boolean | null }): Promise<{ marked: number; unreadCount: number }> {
    const ids = [...new Set(sel.ids ?? [])];
    if (sel.all && ids.length) throw invalid('ids', 'Give either ids or all: true, not both');
    if (!sel.all && ids.length === 0) throw invalid('ids', 'Give the ids to mark read, or all: true');
    let marked: number;
    if (sel.all) {
      const res = await this.em.query<[unknown[], number]>(`UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND in_inbox AND read_at IS NULL`, [userId, this.clock.now()]);
      marked = res[1];
    } else {
      const valid = ids.filter((id) => UUID.test(id));
      const own = valid.length
        ? await this.em.query<{ id: string }[]>(`SELECT id FROM notifications WHERE user_id = $1 AND in_inbox AND id = ANY($2::uuid[]) FOR UPDATE`, [userId, valid])
        : [];
      const found = new Set(own.map((r) => r.id));
      const missing = ids.filter((id) => !found.has(id.toLowerCase()));
      if (missing.length) {
        throw new NotificationError(NotificationErrorCode.NOTIFICATION_NOT_FOUND, `No notification ${describeList(missing)} in your inbox`, { ids: missing });
      }
      const res = await this.em.query<[unknown[], number]>(`UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL`, [userId, [...found], this.clock.now()]);
      marked = res[1];
    }
    return { marked, unreadCount: await this.unreadCount(userId) };
  }

  /** Every kind with the user's choice (the defaults where the user made none). */
  async preferences(userId: string): Promise<EffectivePreference[]> {
    const rows = await this.em.getRepository(NotificationPreferenceEntity).findBy({ userId });
    const own = new Map(rows.map((r) => [r.kind, r]));
    return NOTIFICATION_KINDS.map((kind) => {
      const row = own.get(kind);
      return row ? { kind, inbox: row.inbox, email: row.email, isDefault: false } : { kind, ...defaultPreference(kind), isDefault: true };
    });
  }

  /** The user's choice for one kind (applies to notifications created from now on). */
  @Transactional()
  async setPreference(userId: string, kind: string, inbox: boolean, email: boolean): Promise<EffectivePreference> {
    if (!isNotificationKind(kind)) throw invalid('kind', `Unknown notification kind ${kind}`);
    await this.em.query(
      `INSERT INTO notification_preferences (user_id, kind, inbox, email, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, kind) DO UPDATE SET inbox = EXCLUDED.inbox, email = EXCLUDED.email, updated_at = EXCLUDED.updated_at`,
      [userId, kind, inbox, email, this.clock.now()],
    );
    return { kind, inbox, email, isDefault: false };
  }
}

function emptyRun(): ReminderRun {
  return { created: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, 0])) as Record<NotificationKind, number>, total: 0, emailsSent: 0, emailsFailed: 0, failedKinds: [] };
}

function invalid(field: string, message: string): NotificationError {
  return new NotificationError(NotificationErrorCode.INVALID_FIELD, message, { field });
}

/** The words of one candidate row of `kind`. */
export function word(kind: NotificationKind, row: Pick<CandidateRow, 'facts' | 'cm_seq'>): NotificationText {
  const f = row.facts as Record<string, never>;
  const key = row.cm_seq != null ? countermeasureKey(row.cm_seq) : '';
  switch (kind) {
    case 'DUE_IN_7_DAYS':
    case 'DUE_IN_1_DAY':
      return dueText(kind, { countermeasureKey: key, title: f.title, dueDate: f.dueDate, daysLeft: f.daysLeft, ownerName: f.ownerName });
    case 'OVERDUE':
      return overdueText({ countermeasureKey: key, title: f.title, dueDate: f.dueDate, daysLeft: f.daysLeft, ownerName: f.ownerName });
    case 'REVIEW_WAITING':
      return reviewWaitingText({
        countermeasureKey: key,
        countermeasureTitle: f.countermeasureTitle,
        requirementTitle: f.requirementTitle,
        evidenceName: f.evidenceName,
        uploadedByLabel: f.uploadedByLabel,
        uploadedOn: f.uploadedOn,
        waitingDays: f.waitingDays,
      });
    case 'EVIDENCE_GOING_STALE':
      return goingStaleText({
        countermeasureKey: key,
        title: f.title,
        requirementTitle: f.requirementTitle,
        recurrenceDays: f.recurrenceDays,
        latestAcceptedEffectiveOn: f.latestAcceptedEffectiveOn,
        staleOn: f.staleOn,
        daysLeft: f.daysLeft,
      });
    case 'RISK_ACCEPTANCE_EXPIRING': {
      const findingSeq = f.findingSeq as number | null;
      const subject = findingSeq != null ? `指摘 ${findingKey(findingSeq)}「${f.findingTitle}」` : `${key} の要件「${f.requirementTitle}」`;
      return riskExpiringText({ subject, expiresOn: f.expiresOn, daysLeft: f.daysLeft, acceptedByLabel: f.acceptedByLabel, justification: f.justification });
    }
    case 'GATE_CHANGED':
      return gateChangedText({ gateKey: f.gateKey, gateName: f.gateName, fromState: f.fromState, toState: f.toState, cause: f.cause, reason: f.reason, at: f.at });
    case 'WEEKLY_DIGEST':
      throw new Error('the weekly digest is worded from its facts, not per row');
  }
}
