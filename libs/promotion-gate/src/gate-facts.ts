import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { addDays, CASE_TIME_ZONE, Clock, todayIn } from '@app/common';
import { CountermeasuresService, countermeasureKey, type CountermeasureEntity } from '@app/countermeasures';
import {
  AuditClearanceService,
  AuditEngagementsService,
  findingKey,
  isBlockingFinding,
  isExpired,
  type AuditClearanceEntity,
} from '@app/audits';
import { PromotionGateEntity } from './gate.entities';
import { readGateFacts, type GateFactRows } from './gate-facts.sql';
import { lapsesAfter, type BlockerKind, type DateRule, type GateFacts } from './domain/gate-rules';
import { withMessage, type BlockerCode, type BlockerParams } from './domain/blocker-text';

/** What the date rules read of an item the gate relies on. */
type ReliedItem = Pick<CountermeasureEntity, 'id' | 'seq' | 'title' | 'status' | 'ownerId' | 'ongoing'>;

/**
 * The reads that gather a gate's facts (the input of `evaluateGate` and
 * `pendingDateRules`, gate-rules.ts) from the other contexts: the required
 * countermeasures and their owners, the standing clearance or the latest
 * engagement, the blocking findings (one statement, the declared read model of
 * gate-facts.sql.ts), and the date rules of the work the gate relies on (the
 * owners' exported methods, when there is such work). Reads only, through the
 * caller's transaction (the incident lock is the caller's): PromotionGateService
 * and the cross-row rules call it under that lock.
 */
@Injectable()
export class GateFactsReader {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AuditClearanceService) private readonly audits: AuditClearanceService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(AuditEngagementsService) private readonly engagements: AuditEngagementsService,
  ) {}

  /** `read`: the incident's facts when the caller read them with the gate row (`readGatesWithFacts`), else read here. */
  async facts(gate: PromotionGateEntity, read?: GateFactRows): Promise<GateFacts> {
    read ??= await readGateFacts(this.txHost.tx, gate.incidentId);
    const required = read.required;
    // The required items' owners only (an item in the audit's scope alone is not named by its owner).
    const ownerName = new Map(required.filter((c) => c.ownerName !== null).map((c) => [c.ownerId, c.ownerName!]));
    const clearance = read.clearance;
    const auditStatus = clearance ? null : read.latestEngagementStatus;
    const now = this.clock.now();
    const today = todayIn(CASE_TIME_ZONE, now);
    const candidates = read.findingCandidates.map((f) => ({ ...f, key: findingKey(f.seq) }));
    const findings = candidates.filter((f) => isBlockingFinding(f, today));
    const dateRules: DateRule[] = [];
    // A blocking finding closed by a risk acceptance is open again the day after its last day.
    for (const f of candidates) {
      if (f.status !== 'ACCEPTED_RISK' || !f.acceptanceExpiresOn || isExpired(f.acceptanceExpiresOn, today)) continue;
      dateRules.push({
        at: lapsesAfter(f.acceptanceExpiresOn).toISOString(),
        ...withMessage({
          code: 'FINDING_RISK_ACCEPTANCE_EXPIRED',
          kind: 'OPEN_FINDING',
          itemId: f.id,
          itemKey: f.key,
          itemTitle: f.title,
          ownerId: null,
          ownerName: null,
          severity: f.severity,
          lastDay: f.acceptanceExpiresOn,
        }),
      });
    }
    // Verified work the gate relies on (required, or in the standing clearance's scope) that lapses by date.
    const inScope = clearance ? await this.audits.scopeCountermeasures(clearance.engagementId) : [];
    const relied = new Map<string, { cm: ReliedItem; kind: BlockerKind }>();
    for (const c of inScope) relied.set(c.id, { cm: c, kind: 'NO_AUDIT_CLEARANCE' });
    for (const c of required) relied.set(c.id, { cm: c, kind: 'COUNTERMEASURE_NOT_VERIFIED' });
    for (const rule of await this.countermeasureDateRules([...relied.values()], now, ownerName)) dateRules.push(rule);
    return {
      required: required.map((c) => ({
        id: c.id,
        key: countermeasureKey(c.seq),
        title: c.title,
        status: c.status,
        ownerId: c.ownerId,
        ownerName: ownerName.get(c.ownerId) ?? null,
        resumeStatus: c.resumeStatus,
      })),
      clearance: clearance
        ? { id: clearance.id, clearedById: clearance.clearedById, clearedByLabel: clearance.clearedByLabel, clearedAt: clearance.clearedAt }
        : null,
      auditStatus,
      openBlockingFindings: findings.map((f) => ({
        id: f.id,
        key: f.key,
        title: f.title,
        severity: f.severity,
        countermeasureKey: f.countermeasureId && f.countermeasureSeq !== null ? countermeasureKey(f.countermeasureSeq) : null,
      })),
      hold: gate.heldAt ? { byLabel: gate.heldByLabel ?? '', at: gate.heldAt, reason: gate.holdReason ?? '' } : null,
      dateRules,
      now,
    };
  }

  /**
   * The instant each verified item stops counting as verified by the calendar
   * alone (its earliest, one rule per item): an OPERATING ongoing measure when
   * a recurring requirement's latest accepted evidence is no longer fresh
   * (effective day + period, then DEGRADED), a VERIFIED or OPERATING one when a
   * requirement it was signed off with, covered only by a risk acceptance,
   * passes that acceptance's last day (then REOPENED). The clearance rule reads
   * the same statuses, so for an item in the audit's scope the clearance goes too.
   */
  private async countermeasureDateRules(
    items: readonly { cm: ReliedItem; kind: BlockerKind }[],
    now: Date,
    ownerName: Map<string, string>,
  ): Promise<DateRule[]> {
    const verified = items.filter((i) => i.cm.status === 'VERIFIED' || i.cm.status === 'OPERATING');
    if (verified.length === 0) return [];
    const requirements = (await this.countermeasures.requirementsOf(verified.map((i) => i.cm.id))).filter(
      (r) => r.recurrenceDays !== null || r.riskAcceptedUntil !== null,
    );
    const rules: DateRule[] = [];
    for (const { cm, kind } of verified) {
      const key = countermeasureKey(cm.seq);
      // In the audit's scope (not required): the sentence says the clearance goes with it.
      const inAuditScope = kind === 'NO_AUDIT_CLEARANCE';
      const lapses: { at: Date; lapse: BlockerParams & { code: BlockerCode } }[] = [];
      for (const r of requirements.filter((x) => x.countermeasureId === cm.id)) {
        if (cm.ongoing && cm.status === 'OPERATING' && r.recurrenceDays !== null) {
          const freshThrough = r.latestAcceptedEffectiveOn === null ? null : addDays(r.latestAcceptedEffectiveOn, r.recurrenceDays);
          lapses.push({
            at: freshThrough === null ? now : lapsesAfter(freshThrough),
            lapse:
              freshThrough === null
                ? { code: 'RECURRING_EVIDENCE_MISSING', requirement: r.title, inAuditScope }
                : { code: 'RECURRING_EVIDENCE_STALE', requirement: r.title, freshThrough, inAuditScope },
          });
        }
        const fullyEvidenced = r.liveEvidenceCount > 0 && r.acceptedEvidenceCount === r.liveEvidenceCount;
        if (r.riskAcceptedUntil !== null && !fullyEvidenced) {
          lapses.push({
            at: lapsesAfter(r.riskAcceptedUntil),
            lapse: { code: 'REQUIREMENT_RISK_ACCEPTANCE_EXPIRED', requirement: r.title, lastDay: r.riskAcceptedUntil, inAuditScope },
          });
        }
      }
      const first = lapses.sort((a, b) => a.at.getTime() - b.at.getTime())[0];
      if (!first) continue;
      rules.push({
        at: first.at.toISOString(),
        ...withMessage({
          ...first.lapse,
          kind,
          itemId: cm.id,
          itemKey: key,
          itemTitle: cm.title,
          ownerId: cm.ownerId,
          ownerName: ownerName.get(cm.ownerId) ?? null,
        }),
      });
    }
    return rules;
  }

  standingClearance(incidentId: string): Promise<AuditClearanceEntity | null> {
    return this.engagements.standingClearanceOf(incidentId);
  }
}
