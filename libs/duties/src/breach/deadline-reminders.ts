import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Clock } from '@app/common';
import { IncidentsService } from '@app/incidents';
import { applicableCases, deadlineOf, openDeadlineState, reportMandatory } from '../rules/duty-rules';
import type { Bilingual, RulePack } from '../rules/rule-pack';
import { RulePacks } from '../rules/rule-packs';

/** The filings that have a deadline (a supplement has none). */
const REMINDED_KINDS = ['PRELIMINARY', 'FINAL'] as const;
export type RemindedFilingKind = (typeof REMINDED_KINDS)[number];

/**
 * A PPC report not yet submitted whose deadline stands (the report is mandatory), as seen at `now`: what the daily
 * reminders (libs/notifications: BREACH_REPORT_DUE, BREACH_REPORT_OVERDUE) are made from.
 */
export interface BreachDeadlineReminder {
  incidentId: string;
  incidentTitle: string;
  /** The breach-notification record. */
  notificationId: string;
  kind: RemindedFilingKind;
  /** The rule pack's name of the filing (速報 / Preliminary report, 確報 / Final report). */
  label: Bilingual;
  /** The pack's words on the deadline; for a deadline that is not binding, that it is the PPC's guidance. */
  guidance: Bilingual;
  dueOn: string;
  /** Days to the due day in the pack's time zone: 0 on it, negative when late. */
  daysLeft: number;
  /** A statutory limit (the final report) or the regulator's guidance (the preliminary report). */
  binding: boolean;
  state: 'OPEN' | 'LATE';
  /** The incident's current task-force chief (user id), if any. */
  chiefId: string | null;
  /** The incident's current legal leads (user ids). */
  legalLeadIds: string[];
  /** The pack's reminder days (days before the due day) and how often a late report is reminded. */
  reminders: { daysBefore: readonly number[]; overdueEveryDays: number };
}

interface RecordRow {
  id: string;
  incidentId: string;
  rulePackId: string;
  knownAt: Date;
  assertedCases: { code: string; rationale: string }[];
  individualsEstimate: number | null;
  individualsConfirmed: number | null;
  submittedKinds: string[];
}

/**
 * Every open PPC report deadline of every incident with a breach-notification record, in two statements whatever
 * the number of incidents: the records with the kinds already submitted (this context's tables), then each incident's
 * title, chief and legal leads (IncidentsService.dutyHolders). The deadline and its state are computed as
 * BreachNotificationsService.view does, when read: a corrected knownAt moves dueOn at once.
 */
@Injectable()
export class BreachDeadlineFeed {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(RulePacks) private readonly packs: RulePacks,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The OPEN and LATE deadlines (mandatory, not submitted) as of `now`, by incident then kind (preliminary first). */
  async openDeadlines(now: Date = this.clock.now()): Promise<BreachDeadlineReminder[]> {
    const records = await this.txHost.tx.query<RecordRow[]>(
      `SELECT n.id, n.incident_id AS "incidentId", n.rule_pack_id AS "rulePackId", n.known_at AS "knownAt",
              n.asserted_cases AS "assertedCases", n.individuals_estimate AS "individualsEstimate",
              n.individuals_confirmed AS "individualsConfirmed",
              COALESCE(array_agg(f.kind) FILTER (WHERE f.id IS NOT NULL), '{}'::text[]) AS "submittedKinds"
       FROM breach_notifications n
       LEFT JOIN breach_filings f ON f.notification_id = n.id AND f.status = 'SUBMITTED' AND f.kind IN ('PRELIMINARY', 'FINAL')
       GROUP BY n.id
       ORDER BY n.incident_id`,
    );
    const open = records.flatMap((r) => openOf(r, this.packs.byId(r.rulePackId), now).map((d) => ({ r, d })));
    if (open.length === 0) return [];
    const holders = new Map(
      (await this.incidents.dutyHolders([...new Set(open.map((o) => o.r.incidentId))])).map((h) => [h.incidentId, h]),
    );
    return open.flatMap(({ r, d }) => {
      const h = holders.get(r.incidentId);
      if (!h) return [];
      return [{ ...d, incidentTitle: h.title, chiefId: h.chiefId, legalLeadIds: [...h.legalLeadIds] }];
    });
  }
}

type OpenDeadline = Omit<BreachDeadlineReminder, 'incidentTitle' | 'chiefId' | 'legalLeadIds'>;

/** The record's deadlines still to be met: mandatory, with a due day, not submitted. */
function openOf(r: RecordRow, pack: RulePack, now: Date): OpenDeadline[] {
  const cases = applicableCases(pack, r.assertedCases, { estimate: r.individualsEstimate, confirmed: r.individualsConfirmed });
  if (!reportMandatory(pack, cases).mandatory) return [];
  const knownAt = new Date(r.knownAt);
  return REMINDED_KINDS.flatMap((kind): OpenDeadline[] => {
    if (r.submittedKinds.includes(kind)) return [];
    const d = deadlineOf(pack, kind, knownAt, cases);
    const open = openDeadlineState(d, now, pack);
    if (!open) return [];
    const filing = pack.filings[kind];
    return [
      {
        incidentId: r.incidentId,
        notificationId: r.id,
        kind,
        label: { ja: filing.ja, en: filing.en },
        guidance: filing.guidance,
        dueOn: open.dueOn,
        daysLeft: open.daysLeft,
        binding: d.binding,
        state: open.state,
        reminders: pack.reminders,
      },
    ];
  });
}
