import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost, Transactional } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { CASE_TIME_ZONE, Clock, DAY_MS, todayIn } from '@app/common';
import { NoticeBus } from '@app/database';
import { ALL_COUNTERMEASURE_STATUSES, countermeasureKey, isOpen } from '@app/countermeasures';
import { BreachDeadlineFeed } from '@app/duties';
import { breachReminders } from './domain/breach-reminders';
import { defaultPreference, NOTIFICATION_KINDS, REMINDER_WINDOWS, type NotificationKind } from './domain/notification-kinds';
import { digestText, type NotificationText } from './domain/notification-texts';
import { word } from './domain/notification-wording';
import { NOTIFICATION_CHANNEL } from './notification.events';
import { NotificationEmailOutbox } from './notification-email-outbox';
import { NotificationMailer } from './notification-mailer';
import { WeeklyDigestFacts } from './weekly-digest-facts';
import {
  breachReportQuery,
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

const OPEN_STATUSES = ALL_COUNTERMEASURE_STATUSES.filter(isOpen);
const INSERT_CHUNK = 500;

/**
 * Creating notifications: the daily reminders, the weekly digest and gate
 * changes. Each kind's candidates come from one statement of the read model
 * (reminder-queries.ts); the new ones are inserted, announced at commit
 * (pg_notify) and then e-mailed (NotificationEmailOutbox). Idempotent: the
 * dedupe key is unique per user.
 */
@Injectable()
export class NotificationReminders {
  private readonly logger = new Logger(NotificationReminders.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(NotificationMailer) private readonly mailer: NotificationMailer,
    @Inject(NotificationEmailOutbox) private readonly outbox: NotificationEmailOutbox,
    @Inject(WeeklyDigestFacts) private readonly digest: WeeklyDigestFacts,
    @Inject(BreachDeadlineFeed) private readonly breachDeadlines: BreachDeadlineFeed,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(NoticeBus) private readonly notices: NoticeBus,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  /** The daily reminders as of `now` (its day in the case's time zone), one transaction per kind. Idempotent. */
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
    queries.push(...(await this.breachQueries(now, run)));
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

  /** The PPC report reminders' queries (BreachDeadlineFeed read once for both kinds); none when the feed fails (logged, repeated next run). */
  private async breachQueries(now: Date, run: ReminderRun): Promise<KindQuery[]> {
    try {
      const candidates = breachReminders(await this.breachDeadlines.openDeadlines(now));
      return (['BREACH_REPORT_DUE', 'BREACH_REPORT_OVERDUE'] as const).map((kind) =>
        breachReportQuery(
          kind,
          candidates.filter((c) => c.kind === kind),
        ),
      );
    } catch (err) {
      run.failedKinds.push('BREACH_REPORT_DUE', 'BREACH_REPORT_OVERDUE');
      this.logger.error(`PPC report deadlines could not be read: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
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
    run.created.GATE_CHANGED = run.total = await this.createFrom(
      gateChangedQuery({ changeId }, CASE_TIME_ZONE),
      now,
      todayIn(CASE_TIME_ZONE, now),
    );
    return this.deliverInto(run, now);
  }

  @Transactional()
  private async createDigest(now: Date): Promise<number> {
    const facts = await this.digest.of(now);
    const text = digestText(facts);
    return this.createFrom(digestRecipientsQuery(facts.weekStart), now, todayIn(CASE_TIME_ZONE, now), () => ({ text, data: { ...facts } }));
  }

  /** Finds the candidates of one kind, words them, inserts what is new and announces it at commit. */
  @Transactional()
  private async createFrom(
    q: KindQuery,
    now: Date,
    today: string,
    wordFn: (row: CandidateRow) => { text: NotificationText; data: Record<string, unknown> } = (row) => ({
      text: word(q.kind, row),
      data: row.facts,
    }),
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
      if (shown.length && !this.notices.notifiesInSql) {
        // Redis: published after this transaction commits (never for a rollback).
        await this.notices.announceAll(
          this.em,
          NOTIFICATION_CHANNEL,
          shown.map((r) => ({ id: r.id, userId: r.user_id, kind: r.kind })),
        );
      } else if (shown.length) {
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

  /** E-mail after the commit (retried later when it fails): the run's figures. */
  private async deliverInto(run: ReminderRun, now: Date): Promise<ReminderRun> {
    const { sent, failed } = await this.outbox.deliverPendingEmail(now);
    run.emailsSent = sent;
    run.emailsFailed = failed;
    return run;
  }
}

function emptyRun(): ReminderRun {
  return {
    created: Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, 0])) as Record<NotificationKind, number>,
    total: 0,
    emailsSent: 0,
    emailsFailed: 0,
    failedKinds: [],
  };
}
