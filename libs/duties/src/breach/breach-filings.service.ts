import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditTrailService } from '@app/audit-trail';
import { Clock, CommonError, CommonErrorCode, isUuid, signerProofOf, type Actor } from '@app/common';
import { IncidentsService } from '@app/incidents';
import type { FilingDocument } from '../domain/draft-facts';
import { writeDraft } from '../domain/draft-writer';
import { DutyError, DutyErrorCode } from '../domain/duties.errors';
import {
  completeItems,
  FILED_ITEMS_FORMAT,
  filedItemsDigest,
  type FiledItemsPayload,
  NINE_ITEM_KEYS,
  type NineItemKey,
  type NineItems,
} from '../domain/nine-items';
import { lateDays } from '../rules/day-count';
import { deadlineOf } from '../rules/duty-rules';
import type { FilingKind } from '../rules/rule-pack';
import { BreachFilingEntity, FILING_CHANNELS, type FilingChannel } from './breach.entities';
import { BreachNotificationsService } from './breach-notifications.service';
import { DutyFacts } from './duty-facts';
import { checkedItems, itemsDigest, nextFilingRule } from './domain/filing-rules';
import { pastInstant, RECORD_LIMITS, requiredText, assertVersion } from './domain/record-rules';

/** How a channel is written on the document for legal review. */
const CHANNEL_JA: Readonly<Record<FilingChannel, string>> = {
  PPC_WEB_FORM: '個人情報保護委員会の報告フォーム',
  MINISTRY_FORM: '事業所管大臣の報告窓口',
  EMAIL: '電子メール',
  POST: '郵送',
  IN_PERSON: '持参',
};

export interface SubmitFilingCommand {
  filingId: string;
  expectedVersion: number;
  /** When it reached the authority (defaults to now); not in the future, not before the company knew. */
  submittedAt?: Date | null;
  channel: FilingChannel;
  /** The authority's receipt or reference number (受付番号). */
  referenceNumber: string;
}

/**
 * The filings of a breach-notification record (issue 15): a draft pre-filled by the tracker (draft-writer.ts) from
 * what it holds, edited until submission; submitted once, with its time, channel and reference number, its due day
 * and days late as they stood (a late filing is recorded as late, never hidden), and its nine items frozen with the
 * SHA-256 of their canonical JSON (nine-items.ts) in the trail. Decided under the record's row lock.
 */
@Injectable()
export class BreachFilingsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AuditTrailService) private readonly trail: AuditTrailService,
    @Inject(BreachNotificationsService) private readonly records: BreachNotificationsService,
    @Inject(DutyFacts) private readonly facts: DutyFacts,
    @Inject(IncidentsService) private readonly incidents: IncidentsService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get repo() {
    return this.txHost.tx.getRepository(BreachFilingEntity);
  }

  /** Starts a filing of `kind`, its nine items written by the tracker: one PRELIMINARY, one FINAL, supplements after the FINAL. */
  @Transactional()
  async createDraft(actor: Actor, incidentId: string, kind: FilingKind): Promise<BreachFilingEntity> {
    const record = await this.records.byIncident(incidentId);
    if (!record) throw new DutyError(DutyErrorCode.NOTIFICATION_NOT_FOUND, 'Open the breach-notification record first', { incidentId });
    await this.records.lockById(record.id);
    await this.records.assertMayPrepare(actor, incidentId, 'draft a PPC report');
    const existing = await this.repo.find({ where: { notificationId: record.id } });
    const supplementNo = nextFilingRule(kind, existing);
    const view = await this.records.view(record);
    const items = writeDraft(await this.facts.gather(view, kind));
    const saved = await this.repo.save(
      this.repo.create({
        notificationId: record.id,
        incidentId,
        kind,
        supplementNo,
        status: 'DRAFT',
        items,
        rulePackId: record.rulePackId,
        createdById: actor.id,
        createdAt: this.clock.now(),
        updatedAt: this.clock.now(),
      }),
    );
    await this.trail.append({
      actor,
      action: 'breach_filing.drafted',
      entityType: 'BreachFiling',
      entityId: saved.id,
      after: { kind, supplementNo, incidentId, itemsDigest: itemsDigest(items), version: saved.version },
    });
    return saved;
  }

  /** Edits some of a draft's items (the others stay); needs its version. A submitted filing is never edited. */
  @Transactional()
  async editDraft(
    actor: Actor,
    filingId: string,
    expectedVersion: number,
    changes: Partial<Record<NineItemKey, string>>,
  ): Promise<BreachFilingEntity> {
    const filing = await this.lockDraft(actor, filingId, expectedVersion, 'edit a PPC report');
    return this.rewrite(actor, filing, checkedItems(changes), 'breach_filing.draft_edited');
  }

  /** Writes the chosen items again from what the tracker holds now (all nine when none are named). */
  @Transactional()
  async redraft(actor: Actor, filingId: string, expectedVersion: number, keys: readonly NineItemKey[]): Promise<BreachFilingEntity> {
    const filing = await this.lockDraft(actor, filingId, expectedVersion, 'redraft a PPC report');
    const record = await this.records.lockById(filing.notificationId);
    const fresh = writeDraft(await this.facts.gather(await this.records.view(record), filing.kind));
    const chosen = keys.length === 0 ? NINE_ITEM_KEYS : keys;
    return this.rewrite(actor, filing, Object.fromEntries(chosen.map((k) => [k, fresh[k]])), 'breach_filing.redrafted');
  }

  /** Submits a draft: frozen from here on (the database refuses any later change), its items' digest in the trail. */
  @Transactional()
  async submit(actor: Actor, cmd: SubmitFilingCommand): Promise<BreachFilingEntity> {
    const filing = await this.lockDraft(actor, cmd.filingId, cmd.expectedVersion, 'submit a PPC report');
    const record = await this.records.lockById(filing.notificationId);
    if (!FILING_CHANNELS.includes(cmd.channel)) {
      throw new DutyError(DutyErrorCode.INVALID_FIELD, `channel must be one of ${FILING_CHANNELS.join(', ')}`, { field: 'channel' });
    }
    const referenceNumber = requiredText(cmd.referenceNumber, 'referenceNumber', RECORD_LIMITS.reference);
    const now = this.clock.now();
    const submittedAt = pastInstant(cmd.submittedAt ?? now, now, 'submittedAt', { at: record.knownAt, what: 'the company knew (knownAt)' });
    assertSubmissionOrder(filing, submittedAt, await this.repo.find({ where: { notificationId: record.id, status: 'SUBMITTED' } }));
    const view = await this.records.view(record);
    const deadline = deadlineOf(view.pack, filing.kind, record.knownAt, view.cases);
    const late = deadline.dueOn === null ? 0 : lateDays(deadline.dueOn, submittedAt, view.pack);
    const items = completeItems(filing.items);
    const payload: FiledItemsPayload = {
      format: FILED_ITEMS_FORMAT,
      filingId: filing.id,
      kind: filing.kind,
      rulePack: view.pack.id,
      submittedAt: submittedAt.toISOString(),
      items,
    };
    const itemsSha256 = filedItemsDigest(payload);
    // Recorded after the fact (filed on the authority's form, entered here later) is allowed, and shown: the items
    // were last edited after the stated submission time, so only the trail's times tell when they took this form.
    const lastEditedAt = filing.updatedAt;
    const backdated = submittedAt.getTime() < lastEditedAt.getTime();
    const changes = {
      status: 'SUBMITTED' as const,
      items,
      rulePackId: view.pack.id,
      dueOn: deadline.dueOn,
      submittedAt,
      channel: cmd.channel,
      referenceNumber,
      lateDays: late,
      itemsSha256,
      submittedById: actor.id,
      submittedByLabel: actor.label,
      version: filing.version + 1,
      updatedAt: now,
    };
    exactlyOne(await this.repo.update({ id: filing.id, version: filing.version, status: 'DRAFT' }, changes), filing);
    await this.trail.append({
      actor,
      action: 'breach_filing.submitted',
      entityType: 'BreachFiling',
      entityId: filing.id,
      before: { status: 'DRAFT', version: filing.version },
      // The digest and what it covers, not the items: admins read the trail but not the filings (the items quote the
      // hotline's cases and the cause). The frozen row holds the items; payload = { format, filingId, kind,
      // rulePack, submittedAt, items } recomputes the digest.
      after: {
        status: 'SUBMITTED',
        format: payload.format,
        kind: payload.kind,
        rulePack: payload.rulePack,
        submittedAt: payload.submittedAt,
        itemsSha256,
        lastEditedAt: lastEditedAt.toISOString(),
        backdated,
        dueOn: deadline.dueOn,
        binding: deadline.binding,
        lateDays: late,
        channel: cmd.channel,
        referenceNumber,
        version: filing.version + 1,
        // How and when the submitter proved a second factor for this (step-up), covered by the trail's hash chain.
        signerProof: signerProofOf(actor),
      },
    });
    return { ...filing, ...changes };
  }

  async getById(actor: Actor, id: string): Promise<BreachFilingEntity> {
    const filing = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!filing) throw new DutyError(DutyErrorCode.FILING_NOT_FOUND, 'No such filing', { id });
    await this.records.assertMayRead(actor, filing.incidentId);
    return filing;
  }

  /** A filing as a document for legal review (the renderers' input): access checked as for reading it. */
  async document(actor: Actor, id: string): Promise<FilingDocument> {
    const filing = await this.getById(actor, id);
    const record = await this.records.byId(filing.notificationId);
    const view = await this.records.view(record);
    const incident = await this.incidents.getById(filing.incidentId);
    const rule = view.pack.filings[filing.kind];
    const dueOn = filing.status === 'SUBMITTED' ? filing.dueOn : deadlineOf(view.pack, filing.kind, record.knownAt, view.cases).dueOn;
    return {
      filingId: filing.id,
      kind: filing.kind,
      kindLabelJa: filing.supplementNo ? `${rule.ja}（第${filing.supplementNo}回）` : rule.ja,
      reporter: record.reporter,
      incidentTitle: incident.title,
      authority: record.authorityName,
      rulePack: filing.rulePackId,
      knownAt: record.knownAt.toISOString(),
      dueOn: dueOn ?? '—',
      status: filing.status,
      submittedAt: filing.submittedAt?.toISOString() ?? null,
      channel: filing.channel ? `${CHANNEL_JA[filing.channel]}（${filing.channel}）` : null,
      referenceNumber: filing.referenceNumber,
      lateDays: filing.lateDays,
      items: completeItems(filing.items),
      itemsSha256: filing.itemsSha256,
      generatedAt: this.clock.now().toISOString(),
    };
  }

  /** The filings of records, oldest first (for the record's field; the caller has checked access to the record). */
  async ofRecords(notificationIds: readonly string[]): Promise<BreachFilingEntity[]> {
    if (notificationIds.length === 0) return [];
    return this.repo
      .createQueryBuilder('f')
      .where('f.notificationId = ANY(:ids)', { ids: [...notificationIds] })
      .orderBy('f.createdAt', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .getMany();
  }

  private async lockDraft(actor: Actor, filingId: string, expectedVersion: number, what: string): Promise<BreachFilingEntity> {
    const filing = isUuid(filingId)
      ? await this.repo.createQueryBuilder('f').setLock('pessimistic_write').where('f.id = :id', { id: filingId }).getOne()
      : null;
    if (!filing) throw new DutyError(DutyErrorCode.FILING_NOT_FOUND, 'No such filing', { id: filingId });
    await this.records.assertMayPrepare(actor, filing.incidentId, what);
    if (filing.status === 'SUBMITTED') {
      throw new DutyError(DutyErrorCode.FILING_SUBMITTED, 'This filing was submitted: it is frozen (file a supplement instead)', {
        filingId,
        submittedAt: filing.submittedAt?.toISOString(),
      });
    }
    assertVersion('BreachFiling', 'filing', filingId, expectedVersion, filing.version);
    return filing;
  }

  private async rewrite(
    actor: Actor,
    filing: BreachFilingEntity,
    changes: Partial<Record<NineItemKey, string>>,
    action: string,
  ): Promise<BreachFilingEntity> {
    const items: NineItems = completeItems({ ...filing.items, ...changes });
    const changed = NINE_ITEM_KEYS.filter((k) => items[k] !== filing.items[k]);
    if (changed.length === 0) return filing;
    exactlyOne(
      await this.repo.update(
        { id: filing.id, version: filing.version, status: 'DRAFT' },
        { items, version: filing.version + 1, updatedAt: this.clock.now() },
      ),
      filing,
    );
    await this.trail.append({
      actor,
      action,
      entityType: 'BreachFiling',
      entityId: filing.id,
      before: { itemsDigest: itemsDigest(filing.items), version: filing.version },
      after: { changed, itemsDigest: itemsDigest(items), version: filing.version + 1 },
    });
    return { ...filing, items, version: filing.version + 1 };
  }
}

/** The row lock makes this hold; should it not (a path without the lock), refuse rather than record a change that did not happen. */
function exactlyOne(result: { affected?: number | null }, filing: BreachFilingEntity): void {
  if (result.affected !== 1) {
    throw new CommonError(CommonErrorCode.STALE_VERSION, 'The filing was changed meanwhile: reload it', {
      entity: 'BreachFiling',
      id: filing.id,
      expectedVersion: filing.version,
    });
  }
}

/**
 * A filing is submitted in the order of the law and of time: no preliminary report once the final one is in, a
 * supplement only after the final report, and never dated before a filing already submitted.
 */
function assertSubmissionOrder(filing: BreachFilingEntity, submittedAt: Date, submitted: readonly BreachFilingEntity[]): void {
  if (filing.kind === 'PRELIMINARY' && submitted.some((f) => f.kind === 'FINAL')) {
    throw new DutyError(
      DutyErrorCode.FILING_OUT_OF_ORDER,
      'The final report is already submitted: a preliminary report can no longer follow it',
      {
        filingId: filing.id,
      },
    );
  }
  if (filing.kind === 'SUPPLEMENT' && !submitted.some((f) => f.kind === 'FINAL')) {
    throw new DutyError(DutyErrorCode.FILING_OUT_OF_ORDER, 'A supplement follows the submitted final report', { filingId: filing.id });
  }
  const latest = submitted.reduce<BreachFilingEntity | null>((a, f) => (!a || f.submittedAt! > a.submittedAt! ? f : a), null);
  if (latest && submittedAt.getTime() < latest.submittedAt!.getTime()) {
    throw new DutyError(
      DutyErrorCode.INVALID_FIELD,
      `submittedAt cannot be before the ${latest.kind} filing already submitted (${latest.submittedAt!.toISOString()})`,
      {
        field: 'submittedAt',
      },
    );
  }
}
