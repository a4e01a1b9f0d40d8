import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { CASE_TIME_ZONE, Clock, isUuid, type Actor } from '@app/common';
import { IncidentsService } from '@app/incidents';
import type { AppliedCase } from '../domain/draft-facts';
import { DutyError, DutyErrorCode } from '../domain/duties.errors';
import { dayOf, lateDays } from '../rules/day-count';
import {
  applicableCases,
  checkAssertedCases,
  deadlineOf,
  openDeadlineState,
  reportMandatory,
  type AssertedCase,
  type Mandatory,
} from '../rules/duty-rules';
import type { Bilingual, FilingKind, RulePack } from '../rules/rule-pack';
import { RulePacks } from '../rules/rule-packs';
import { BreachFilingEntity, BreachNotificationEntity } from './breach.entities';
import { assertMayPrepareDuties, assertMayReadDuties, standingMatters, type DutyStanding } from './domain/duty-access';
import {
  authorityOf,
  count,
  countWithDay,
  optionalText,
  pastDay,
  pastInstant,
  RECORD_LIMITS,
  requiredText,
  assertVersion,
} from './domain/record-rules';

export interface BreachRecordFields {
  knownAt: Date;
  cases: readonly AssertedCase[];
  individualsEstimate: number | null;
  individualsEstimatedOn: string | null;
  individualsConfirmed: number | null;
  individualsConfirmedOn: string | null;
  authorityCode: string;
  /** Defaults to the rule pack's name of the authority. */
  authorityName?: string | null;
  reporter: string;
}

export type DeadlineState = 'OPEN' | 'LATE' | 'SUBMITTED' | 'SUBMITTED_LATE' | 'NOT_REQUIRED';

/** A filing's deadline as it stands when read (rules with a date hold when read). */
export interface DeadlineView {
  kind: FilingKind;
  dueOn: string | null;
  days: number | null;
  binding: boolean;
  guidance: Bilingual;
  state: DeadlineState;
  /** Days to the due day (0 on it, negative when late); null once submitted or when not required. */
  daysLeft: number | null;
  /** Days late: at submission (frozen), or so far while still open. */
  lateDays: number;
  filingId: string | null;
  submittedAt: Date | null;
  /**
   * What stood when the filing was submitted (frozen in its row). The due day and the days late above are the live
   * ones: a correction of the record afterwards (knownAt earlier, case 3 withdrawn) can make a filing late that was
   * not when submitted, and the view says so rather than keep the old answer.
   */
  dueOnAtSubmission: string | null;
  lateDaysAtSubmission: number | null;
}

/** The record with what the rule pack makes of it, computed when read. */
export interface BreachNotificationView {
  record: BreachNotificationEntity;
  pack: RulePack;
  knowledgeDay: string;
  cases: AppliedCase[];
  mandatory: Mandatory;
  deadlines: DeadlineView[];
}

const DEADLINE_KINDS: readonly FilingKind[] = ['PRELIMINARY', 'FINAL'];

/**
 * The breach-notification record of an incident (issue 15): opened once, corrected with its version, read with its
 * cases, whether a report is mandatory, and the deadlines of the rule pack in effect on the day the company knew.
 */
@Injectable()
export class BreachNotificationsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(RulePacks) private readonly packs: RulePacks,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get em() {
    return this.txHost.tx;
  }

  async standing(actor: Actor, incidentId: string): Promise<DutyStanding> {
    if (!standingMatters(actor) || actor.id === null) return { chief: false, legalLead: false };
    return this.incidents.standingOf(incidentId, actor.id);
  }

  async assertMayPrepare(actor: Actor, incidentId: string, what: string): Promise<void> {
    assertMayPrepareDuties(actor, await this.standing(actor, incidentId), what);
  }

  async assertMayRead(actor: Actor, incidentId: string): Promise<void> {
    assertMayReadDuties(actor, await this.standing(actor, incidentId));
  }

  /** Opens the incident's record (one per incident): executives, the chief, the legal lead. */
  @Transactional()
  async open(actor: Actor, incidentId: string, fields: BreachRecordFields): Promise<BreachNotificationEntity> {
    if (!isUuid(incidentId)) throw new DutyError(DutyErrorCode.INVALID_FIELD, 'incidentId is not an id', { field: 'incidentId' });
    await this.incidents.lock(incidentId);
    await this.assertMayPrepare(actor, incidentId, 'open the breach-notification record');
    if (await this.em.getRepository(BreachNotificationEntity).existsBy({ incidentId })) {
      throw new DutyError(
        DutyErrorCode.NOTIFICATION_EXISTS,
        'The incident already has its breach-notification record: correct it instead',
        { incidentId },
      );
    }
    const values = this.checked(fields);
    const repo = this.em.getRepository(BreachNotificationEntity);
    const at = this.clock.now();
    const saved = await repo.save(repo.create({ incidentId, ...values, createdAt: at, updatedAt: at }));
    await this.trail.append({
      actor,
      action: 'breach_notification.opened',
      entityType: 'BreachNotification',
      entityId: saved.id,
      after: snapshot(saved),
    });
    return saved;
  }

  /** Corrects the record (knownAt, cases, counts, authority, reporter); needs its version. */
  @Transactional()
  async update(actor: Actor, id: string, expectedVersion: number, fields: BreachRecordFields): Promise<BreachNotificationEntity> {
    const current = await this.lockById(id);
    await this.assertMayPrepare(actor, current.incidentId, 'correct the breach-notification record');
    assertVersion('BreachNotification', 'record', id, expectedVersion, current.version);
    const values = this.checked(fields);
    const repo = this.em.getRepository(BreachNotificationEntity);
    const updatedAt = this.clock.now();
    await repo.update({ id }, { ...values, version: current.version + 1, updatedAt });
    const updated = { ...current, ...values, version: current.version + 1, updatedAt };
    await this.trail.append({
      actor,
      action: 'breach_notification.corrected',
      entityType: 'BreachNotification',
      entityId: id,
      before: snapshot(current),
      after: snapshot(updated),
    });
    return updated;
  }

  /** The record, its row locked until the transaction ends (filings and campaigns are decided under it). */
  async lockById(id: string): Promise<BreachNotificationEntity> {
    const row = isUuid(id)
      ? await this.em
          .getRepository(BreachNotificationEntity)
          .createQueryBuilder('n')
          .setLock('pessimistic_write')
          .where('n.id = :id', { id })
          .getOne()
      : null;
    if (!row) throw new DutyError(DutyErrorCode.NOTIFICATION_NOT_FOUND, 'No such breach-notification record', { id });
    return row;
  }

  /** The record by id, unlocked (reads). */
  async byId(id: string): Promise<BreachNotificationEntity> {
    const row = isUuid(id) ? await this.em.getRepository(BreachNotificationEntity).findOneBy({ id }) : null;
    if (!row) throw new DutyError(DutyErrorCode.NOTIFICATION_NOT_FOUND, 'No such breach-notification record', { id });
    return row;
  }

  async byIncident(incidentId: string): Promise<BreachNotificationEntity | null> {
    if (!isUuid(incidentId)) return null;
    return this.em.getRepository(BreachNotificationEntity).findOneBy({ incidentId });
  }

  /** The record as the reader sees it (access checked); null when the incident has none yet. */
  async read(actor: Actor, incidentId: string): Promise<BreachNotificationView | null> {
    await this.incidents.getById(incidentId);
    await this.assertMayRead(actor, incidentId);
    const record = await this.byIncident(incidentId);
    return record ? this.view(record) : null;
  }

  /** The deadlines alone (for the dashboard's banner: every role sees when reports fall due, not what they say). */
  async deadlines(incidentId: string): Promise<DeadlineView[]> {
    await this.incidents.getById(incidentId);
    const record = await this.byIncident(incidentId);
    return record ? (await this.view(record)).deadlines : [];
  }

  async view(record: BreachNotificationEntity): Promise<BreachNotificationView> {
    const pack = this.packs.byId(record.rulePackId);
    const cases = applicableCases(pack, record.assertedCases, {
      estimate: record.individualsEstimate,
      confirmed: record.individualsConfirmed,
    });
    const mandatory = reportMandatory(pack, cases);
    const filings = await this.em
      .getRepository(BreachFilingEntity)
      .find({ where: { notificationId: record.id }, order: { createdAt: 'ASC' } });
    const now = this.clock.now();
    const deadlines = DEADLINE_KINDS.map((kind): DeadlineView => {
      const d = deadlineOf(pack, kind, record.knownAt, cases);
      const filing = filings.find((f) => f.kind === kind) ?? null;
      const base = {
        kind,
        days: d.days,
        binding: d.binding,
        guidance: pack.filings[kind].guidance,
        filingId: filing?.id ?? null,
        dueOnAtSubmission: null,
        lateDaysAtSubmission: null,
      };
      if (filing?.status === 'SUBMITTED') {
        const late = Math.max(filing.lateDays ?? 0, d.dueOn === null ? 0 : lateDays(d.dueOn, filing.submittedAt!, pack));
        return {
          ...base,
          dueOn: d.dueOn,
          state: late > 0 ? 'SUBMITTED_LATE' : 'SUBMITTED',
          daysLeft: null,
          lateDays: late,
          submittedAt: filing.submittedAt,
          dueOnAtSubmission: filing.dueOn,
          lateDaysAtSubmission: filing.lateDays,
        };
      }
      if (!mandatory.mandatory) return { ...base, dueOn: d.dueOn, state: 'NOT_REQUIRED', daysLeft: null, lateDays: 0, submittedAt: null };
      const open = openDeadlineState(d, now, pack);
      return {
        ...base,
        dueOn: d.dueOn,
        state: open?.state ?? 'OPEN',
        daysLeft: open?.daysLeft ?? null,
        lateDays: open?.lateDays ?? 0,
        submittedAt: null,
      };
    });
    return { record, pack, knowledgeDay: dayOf(record.knownAt, pack), cases, mandatory, deadlines };
  }

  private checked(
    f: BreachRecordFields,
  ): Omit<BreachNotificationEntity, 'id' | 'incidentId' | 'version' | 'createdAt' | 'updatedAt' | 'incidentRef'> {
    const now = this.clock.now();
    const knownAt = pastInstant(f.knownAt, now, 'knownAt');
    const pack = this.packs.inEffectOn(dayOf(knownAt, { timeZone: CASE_TIME_ZONE }));
    if (!pack) {
      throw new DutyError(DutyErrorCode.INVALID_FIELD, 'No rule pack covers a breach known that early', {
        field: 'knownAt',
        earliest: this.packs
          .all()
          .map((p) => p.effectiveFrom)
          .sort()[0],
      });
    }
    const today = dayOf(now, pack);
    checkAssertedCases(pack, f.cases);
    const individualsEstimate = count(f.individualsEstimate, 'individualsEstimate');
    const individualsEstimatedOn = pastDay(f.individualsEstimatedOn, today, 'individualsEstimatedOn');
    const individualsConfirmed = count(f.individualsConfirmed, 'individualsConfirmed');
    const individualsConfirmedOn = pastDay(f.individualsConfirmedOn, today, 'individualsConfirmedOn');
    countWithDay(individualsEstimate, individualsEstimatedOn, 'individualsEstimate');
    countWithDay(individualsConfirmed, individualsConfirmedOn, 'individualsConfirmed');
    const authority = authorityOf(pack, f.authorityCode);
    return {
      rulePackId: pack.id,
      knownAt,
      assertedCases: f.cases.map((c) => ({ code: c.code, rationale: c.rationale.trim() })),
      individualsEstimate,
      individualsEstimatedOn,
      individualsConfirmed,
      individualsConfirmedOn,
      authorityCode: authority.code,
      authorityName: optionalText(f.authorityName, 'authorityName', RECORD_LIMITS.authorityName) ?? authority.ja,
      reporter: requiredText(f.reporter, 'reporter', RECORD_LIMITS.reporter),
    };
  }
}

function snapshot(n: BreachNotificationEntity) {
  return {
    incidentId: n.incidentId,
    rulePackId: n.rulePackId,
    knownAt: n.knownAt,
    // The rationale's digest, not its text (the suspicion about an insider): admins read the trail, not the record.
    assertedCases: n.assertedCases.map((c) => ({
      code: c.code,
      rationaleSha256: createHash('sha256').update(c.rationale, 'utf8').digest('hex'),
    })),
    individualsEstimate: n.individualsEstimate,
    individualsEstimatedOn: n.individualsEstimatedOn,
    individualsConfirmed: n.individualsConfirmed,
    individualsConfirmedOn: n.individualsConfirmedOn,
    authorityCode: n.authorityCode,
    authorityName: n.authorityName,
    reporter: n.reporter,
    version: n.version,
  };
}
