import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { countermeasureKey, CountermeasuresService } from '@app/countermeasures';
import { IncidentsService } from '@app/incidents';
import type { DraftFacts } from '../domain/draft-facts';
import type { FilingKind } from '../rules/rule-pack';
import { HotlineService } from '../hotline/hotline.service';
import { ProgressStatementsService } from '../progress/progress-statements.service';
import { NoticeCampaignEntity } from './breach.entities';
import type { BreachNotificationView } from './breach-notifications.service';

/** Bounds of what a draft lists (a form's item, not an export): beyond them the draft says how many more. */
const MAX_COUNTERMEASURES = 500;
const MAX_PUBLICATIONS = 100;

/**
 * Gathers what the tracker holds about an incident into the facts a PPC draft is written from (draft-writer.ts),
 * through each owning context's exported methods: the incident (timeline, data categories, parties), its
 * countermeasures, the hotline, the progress statements, and this context's notice campaigns.
 */
@Injectable()
export class DutyFacts {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(HotlineService) private readonly hotline: HotlineService,
    @Inject(ProgressStatementsService) private readonly progress: ProgressStatementsService,
  ) {}

  async gather(view: BreachNotificationView, kind: FilingKind): Promise<DraftFacts> {
    const { record } = view;
    const ids = [record.incidentId];
    const [incident, events, categories, parties, hotline, campaigns, statements, countermeasures] = await this.readAll(
      () => this.incidents.getById(record.incidentId),
      () => this.incidents.events(ids),
      () => this.incidents.dataCategories(ids),
      () => this.incidents.parties(ids),
      () => this.hotline.figuresFor(record.incidentId),
      () =>
        this.txHost.tx
          .getRepository(NoticeCampaignEntity)
          .find({ where: { notificationId: record.id }, order: { createdAt: 'ASC', id: 'ASC' } }),
      () => this.progress.list(record.incidentId, { first: MAX_PUBLICATIONS }),
      () => this.allCountermeasures(record.incidentId),
    );
    return {
      kind,
      reporter: record.reporter,
      incident: {
        title: incident.title,
        summary: incident.summary,
        detectedOn: incident.detectedOn,
        policeReportedOn: incident.policeReportedOn,
        regulatorReportedOn: incident.regulatorReportedOn,
        disclosedOn: incident.disclosedOn,
      },
      knownAt: record.knownAt.toISOString(),
      timeline: events.map((e) => ({ occurredOn: e.occurredOn, title: '', description: e.description })),
      dataCategories: categories.map((c) => ({ name: c.name, leaked: c.leaked })),
      individuals: {
        estimate: record.individualsEstimate,
        estimatedOn: record.individualsEstimatedOn,
        confirmed: record.individualsConfirmed,
        confirmedOn: record.individualsConfirmedOn,
      },
      cases: view.cases,
      parties: parties.map((p) => ({ kind: p.kind, name: p.name, role: p.role })),
      hotline,
      notices: campaigns.map((c) => ({
        channel: c.channel,
        plannedCount: c.plannedCount,
        sentCount: c.sentCount,
        returnedCount: c.returnedCount,
        startedOn: c.startedOn,
        completedOn: c.completedOn,
        substitutePublishedOn: c.substitutePublishedOn,
        substituteInquiryDesk: c.substituteInquiryDesk,
        unreachableCount: c.unreachableCount,
      })),
      publications: statements.nodes
        .map((s) => ({ number: s.statement.number, publishedAt: s.statement.publishedAt.toISOString(), titleJa: s.statement.titleJa }))
        .sort((a, b) => a.number - b.number),
      countermeasures,
    };
  }

  /**
   * Runs the reads one after another inside a transaction: they share its one connection, on which node-postgres
   * would queue them anyway (and warns that a query sent while another runs is deprecated). Outside one, each read
   * takes its own pool connection, so they run side by side.
   */
  private async readAll<T extends unknown[]>(...reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
    if (!this.txHost.isTransactionActive()) return (await Promise.all(reads.map((read) => read()))) as T;
    const results: unknown[] = [];
    for (const read of reads) results.push(await read());
    return results as T;
  }

  private async allCountermeasures(incidentId: string): Promise<DraftFacts['countermeasures']> {
    const out: { key: string; title: string; status: string; dueDate: string | null }[] = [];
    let after: string | null = null;
    do {
      const page = await this.countermeasures.list({ incidentId }, 'KEY', { first: 100, after });
      for (const c of page.nodes) out.push({ key: countermeasureKey(c.seq), title: c.title, status: c.status, dueDate: c.dueDate });
      const last = page.nodes.at(-1);
      after = page.hasNextPage && last && out.length < MAX_COUNTERMEASURES ? page.cursorOf(last) : null;
    } while (after);
    return out;
  }
}
