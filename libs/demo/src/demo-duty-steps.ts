import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@app/common';
import {
  BreachFilingsService,
  BreachNotificationsService,
  HotlineService,
  NoticeCampaignsService,
  ProgressStatementsService,
  type BreachFilingEntity,
  type BreachRecordFields,
} from '@app/duties';
import { IncidentChangesService, IncidentsService } from '@app/incidents';
import { DEMO_BREACH, DEMO_HOTLINE_CASES, DEMO_PROGRESS, demoHotlineDays } from './demo-duties';
import type { StoryTime } from './demo-story';

export interface DutyStoryContext {
  step: (at: StoryTime, what: string, run: () => Promise<void>) => void;
  incidentId: () => string;
  userId: (email: string) => string;
  as: (email: string) => Actor;
  countermeasureId: (n: number) => string;
  /** The demo loader itself (system: the tracker was set up after some of these things happened). */
  system: Actor;
}

/**
 * The duties' steps of the demo story (demo-duties.ts): the record opened when the tracker is set up (10 July), the
 * preliminary report (filed on 7 July, recorded on the 10th: on time), the notice by post, the progress statements,
 * the hotline's days, the confirmed count, and the final report submitted on 28 August (due 31 August: 60 days, case
 * 3). The legal lead prepares; the president (an executive) publishes and submits the final report.
 */
@Injectable()
export class DemoDutySteps {
  constructor(
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(IncidentChangesService) private readonly incidentChanges: IncidentChangesService,
    @Inject(BreachNotificationsService) private readonly records: BreachNotificationsService,
    @Inject(BreachFilingsService) private readonly filings: BreachFilingsService,
    @Inject(NoticeCampaignsService) private readonly campaigns: NoticeCampaignsService,
    @Inject(ProgressStatementsService) private readonly progress: ProgressStatementsService,
    @Inject(HotlineService) private readonly hotline: HotlineService,
  ) {}

  add(c: DutyStoryContext): void {
    const b = DEMO_BREACH;
    const lead = () => c.as(b.legalLead);
    const president = () => c.as('president@example.com');
    const fields = (over: Partial<BreachRecordFields> = {}): BreachRecordFields => ({
      knownAt: new Date(b.knownAt),
      cases: b.cases,
      individualsEstimate: b.individualsEstimate,
      individualsEstimatedOn: b.individualsEstimatedOn,
      individualsConfirmed: null,
      individualsConfirmedOn: null,
      authorityCode: b.authorityCode,
      authorityName: b.authorityName,
      reporter: b.reporter,
      ...over,
    });
    let preliminary: BreachFilingEntity | null = null;
    let final: BreachFilingEntity | null = null;
    let campaignId = '';

    c.step(b.openedAt, 'the legal lead', async () => {
      const member = await this.incidents.currentMember(c.incidentId(), c.userId(b.legalLead));
      const incident = await this.incidents.getById(c.incidentId());
      await this.incidentChanges.setLegalLead(c.system, member!.id, incident.version, true);
    });
    c.step(b.openedAt, 'the breach-notification record', async () => {
      await this.records.open(lead(), c.incidentId(), fields());
    });
    c.step(b.preliminary.draftAt, 'the preliminary report drafted', async () => {
      preliminary = await this.filings.createDraft(lead(), c.incidentId(), 'PRELIMINARY');
    });
    c.step(b.preliminary.submitAt, 'the preliminary report, as filed on 7 July', async () => {
      await this.filings.submit(lead(), {
        filingId: preliminary!.id,
        expectedVersion: preliminary!.version,
        submittedAt: new Date(b.preliminary.submittedAt),
        channel: 'MINISTRY_FORM',
        referenceNumber: b.preliminary.reference,
      });
    });
    const campaign = {
      channel: b.campaign.channel,
      plannedCount: b.campaign.plannedCount,
      sentCount: 0,
      returnedCount: 0,
      startedOn: b.campaign.startedOn,
      completedOn: null,
      unreachableCount: 0,
      substitutePublishedOn: b.campaign.substitutePublishedOn,
      substituteInquiryDesk: b.campaign.substituteInquiryDesk,
      note: b.campaign.note,
    };
    c.step(b.campaign.at, 'the apology letters by post', async () => {
      campaignId = (await this.campaigns.create(lead(), c.incidentId(), campaign)).id;
    });
    c.step(b.campaign.updatedAt, 'the letters sent, the returned ones counted', async () => {
      await this.campaigns.update(lead(), campaignId, 1, {
        ...campaign,
        sentCount: b.campaign.sentCount,
        returnedCount: b.campaign.returnedCount,
        unreachableCount: b.campaign.returnedCount,
        completedOn: b.campaign.completedOn,
      });
    });
    for (const s of DEMO_PROGRESS) {
      // The first statement is the disclosure of 9 July, recorded when the tracker was set up (10 July).
      const at = s.at < b.openedAt ? b.openedAt : s.at;
      c.step(at, `progress statement: ${s.titleJa}`, async () => {
        await this.progress.publish(president(), {
          incidentId: c.incidentId(),
          titleJa: s.titleJa,
          titleEn: s.titleEn,
          bodyJa: s.bodyJa,
          bodyEn: s.bodyEn,
          countermeasures: s.countermeasures.map((x) => ({
            countermeasureId: c.countermeasureId(x.n),
            labelJa: x.labelJa,
            labelEn: x.labelEn,
          })),
        });
      });
    }
    for (const d of demoHotlineDays()) {
      // Days before the tracker existed are logged when it is set up.
      const at = d.day < '2026-07-10' ? '2026-07-10T21:30' : d.at;
      c.step(at, `hotline ${d.day}`, async () => {
        await this.hotline.record(c.as('cs.lead@example.com'), {
          incidentId: c.incidentId(),
          day: d.day,
          counts: d.counts,
          expectedVersion: null,
        });
      });
    }
    for (const h of DEMO_HOTLINE_CASES) {
      c.step(h.at, `hotline case ${h.occurredOn}`, async () => {
        await this.hotline.addCase(c.as('cs.lead@example.com'), {
          incidentId: c.incidentId(),
          occurredOn: h.occurredOn,
          kind: h.kind,
          summary: h.summary,
        });
      });
    }
    c.step(b.confirmed.at, 'the count confirmed', async () => {
      const record = (await this.records.byIncident(c.incidentId()))!;
      await this.records.update(
        lead(),
        record.id,
        record.version,
        fields({ individualsConfirmed: b.confirmed.count, individualsConfirmedOn: b.confirmed.on }),
      );
    });
    c.step(b.final.draftAt, 'the final report drafted', async () => {
      final = await this.filings.createDraft(lead(), c.incidentId(), 'FINAL');
    });
    c.step(b.final.submitAt, 'the final report submitted', async () => {
      await this.filings.submit(president(), {
        filingId: final!.id,
        expectedVersion: final!.version,
        channel: 'MINISTRY_FORM',
        referenceNumber: b.final.reference,
      });
    });
  }
}
