import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { CASE_TIME_ZONE, Clock, isUuid, todayIn, type Actor } from '@app/common';
import { DutyError, DutyErrorCode } from '../domain/duties.errors';
import { NOTICE_CHANNELS, NoticeCampaignEntity, type NoticeChannel } from './breach.entities';
import { BreachNotificationsService } from './breach-notifications.service';
import { count, optionalText, pastDay, RECORD_LIMITS, assertVersion } from './domain/record-rules';

export interface NoticeCampaignFields {
  channel: NoticeChannel;
  plannedCount: number;
  sentCount: number;
  returnedCount: number;
  startedOn: string | null;
  completedOn: string | null;
  unreachableCount: number;
  substitutePublishedOn: string | null;
  substituteInquiryDesk: string | null;
  note: string | null;
}

const COUNT_MAX = RECORD_LIMITS.individuals;

/**
 * Notice to the individuals (本人通知) as campaigns of a breach-notification record: by post or e-mail, with
 * planned, sent and returned counts and dates, and the substitute (publication and an inquiry desk) for those who
 * cannot be reached. Prepared by those who prepare the PPC reports; corrected with the campaign's version.
 */
@Injectable()
export class NoticeCampaignsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(BreachNotificationsService) private readonly records: BreachNotificationsService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(NoticeCampaignEntity);
  }

  @Transactional()
  async create(actor: Actor, incidentId: string, fields: NoticeCampaignFields): Promise<NoticeCampaignEntity> {
    const record = await this.records.byIncident(incidentId);
    if (!record) throw new DutyError(DutyErrorCode.NOTIFICATION_NOT_FOUND, 'Open the breach-notification record first', { incidentId });
    await this.records.lockById(record.id);
    await this.records.assertMayPrepare(actor, incidentId, 'run the notice to the individuals');
    const values = this.checked(fields);
    const saved = await this.repo.save(
      this.repo.create({ notificationId: record.id, incidentId, ...values, createdAt: this.clock.now(), updatedAt: this.clock.now() }),
    );
    await this.trail.append({
      actor,
      action: 'notice_campaign.created',
      entityType: 'NoticeCampaign',
      entityId: saved.id,
      after: snapshot(saved),
    });
    return saved;
  }

  @Transactional()
  async update(actor: Actor, id: string, expectedVersion: number, fields: NoticeCampaignFields): Promise<NoticeCampaignEntity> {
    const current = isUuid(id)
      ? await this.repo.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id }).getOne()
      : null;
    if (!current) throw new DutyError(DutyErrorCode.CAMPAIGN_NOT_FOUND, 'No such notice campaign', { id });
    await this.records.assertMayPrepare(actor, current.incidentId, 'run the notice to the individuals');
    assertVersion('NoticeCampaign', 'campaign', id, expectedVersion, current.version);
    const values = this.checked(fields);
    await this.repo.update({ id, version: expectedVersion }, { ...values, version: expectedVersion + 1, updatedAt: this.clock.now() });
    const updated = { ...current, ...values, version: expectedVersion + 1 };
    await this.trail.append({
      actor,
      action: 'notice_campaign.updated',
      entityType: 'NoticeCampaign',
      entityId: id,
      before: snapshot(current),
      after: snapshot(updated),
    });
    return updated;
  }

  async ofRecords(notificationIds: readonly string[]): Promise<NoticeCampaignEntity[]> {
    if (notificationIds.length === 0) return [];
    return this.repo
      .createQueryBuilder('c')
      .where('c.notificationId = ANY(:ids)', { ids: [...notificationIds] })
      .orderBy('c.createdAt', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .getMany();
  }

  private checked(f: NoticeCampaignFields) {
    if (!NOTICE_CHANNELS.includes(f.channel)) {
      throw new DutyError(DutyErrorCode.INVALID_FIELD, `channel must be one of ${NOTICE_CHANNELS.join(', ')}`, { field: 'channel' });
    }
    const today = todayIn(CASE_TIME_ZONE, this.clock.now());
    const plannedCount = count(f.plannedCount, 'plannedCount', COUNT_MAX) ?? 0;
    const sentCount = count(f.sentCount, 'sentCount', COUNT_MAX) ?? 0;
    const returnedCount = count(f.returnedCount, 'returnedCount', COUNT_MAX) ?? 0;
    const unreachableCount = count(f.unreachableCount, 'unreachableCount', COUNT_MAX) ?? 0;
    if (sentCount > plannedCount) throw invalid('sentCount', 'More sent than planned: raise the planned count first');
    if (returnedCount > sentCount) throw invalid('returnedCount', 'More returned or bounced than sent');
    const startedOn = pastDay(f.startedOn, today, 'startedOn');
    const completedOn = pastDay(f.completedOn, today, 'completedOn');
    if (completedOn && (!startedOn || completedOn < startedOn))
      throw invalid('completedOn', 'A campaign completes on or after the day it started');
    const substitutePublishedOn = pastDay(f.substitutePublishedOn, today, 'substitutePublishedOn');
    const substituteInquiryDesk = optionalText(f.substituteInquiryDesk, 'substituteInquiryDesk', RECORD_LIMITS.inquiryDesk);
    if ((substitutePublishedOn === null) !== (substituteInquiryDesk === null)) {
      throw invalid(
        'substitutePublishedOn',
        'The substitute for unreachable individuals is a publication and an inquiry desk: give both, with the date',
      );
    }
    return {
      channel: f.channel,
      plannedCount,
      sentCount,
      returnedCount,
      startedOn,
      completedOn,
      unreachableCount,
      substitutePublishedOn,
      substituteInquiryDesk,
      note: optionalText(f.note, 'note', RECORD_LIMITS.note) ?? '',
    };
  }
}

const invalid = (field: string, message: string) => new DutyError(DutyErrorCode.INVALID_FIELD, message, { field });

function snapshot(c: NoticeCampaignEntity) {
  const { id, notificationId, incidentId, channel, plannedCount, sentCount, returnedCount, startedOn, completedOn } = c;
  return {
    id,
    notificationId,
    incidentId,
    channel,
    plannedCount,
    sentCount,
    returnedCount,
    startedOn,
    completedOn,
    unreachableCount: c.unreachableCount,
    substitutePublishedOn: c.substitutePublishedOn,
    substituteInquiryDesk: c.substituteInquiryDesk,
    note: c.note,
    version: c.version,
  };
}
