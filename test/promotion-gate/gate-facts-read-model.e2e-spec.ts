import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditClearanceService, AuditEngagementsService } from '@app/audits';
import { CountermeasuresService } from '@app/countermeasures';
import { UsersService } from '@app/identity';
import { PromotionGateEntity } from '@app/promotion-gate';
import { readGateFacts, readGatesWithFacts, type GateFactRows } from '../../libs/promotion-gate/src/gate-facts.sql';
import { countStatements } from '../support/statement-counter';
import { TestApp } from '../support/test-app';

/**
 * The gate's facts are read in one statement (a declared read model) instead of
 * five calls to their owners. The gate must decide exactly as before: the read
 * model must give what the owners' own methods give, on a case that has each
 * kind of fact (required items of several owners, a standing clearance beside a
 * newer withdrawn one, an open finding on no item, a finding under a standing
 * risk acceptance beside an ended one, findings that cannot block).
 */
describe("the gate's facts in one statement", () => {
  let t: TestApp;
  let tx: TransactionHost<TransactionalAdapterTypeOrm>;
  let incidentId: string;

  beforeAll(async () => {
    t = await TestApp.start({ DEMO: 'true', DEMO_PASSWORD: 'demo-password-for-tests' });
    tx = t.app.get(TransactionHost);
    [{ id: incidentId }] = (await t.sql<{ id: string }>('SELECT id FROM incidents')) as [{ id: string }];
  });
  afterAll(async () => t?.close());

  /** What the owners' exported methods say, in the read model's shape. */
  const fromOwners = async (): Promise<GateFactRows> => {
    const required = await t.app.get(CountermeasuresService).requiredForGate(incidentId);
    const owners = await t.app.get(UsersService).findByIds(required.map((c) => c.ownerId));
    const clearance = await t.app.get(AuditEngagementsService).standingClearanceOf(incidentId);
    const latest = await t.app.get(AuditEngagementsService).latestOf(incidentId);
    const findings = await t.app.get(AuditClearanceService).findingFacts(incidentId, true);
    const items = await t.app
      .get(CountermeasuresService)
      .findByIds(findings.flatMap((f) => (f.countermeasureId ? [f.countermeasureId] : [])));
    return {
      required: required.map((c) => ({
        id: c.id,
        seq: c.seq,
        title: c.title,
        status: c.status,
        ownerId: c.ownerId,
        ownerName: owners.find((u) => u.id === c.ownerId)?.displayName ?? null,
        resumeStatus: c.resumeStatus,
        ongoing: c.ongoing,
      })),
      clearance: clearance && {
        id: clearance.id,
        engagementId: clearance.engagementId,
        clearedById: clearance.clearedById,
        clearedByLabel: clearance.clearedByLabel,
        clearedAt: clearance.clearedAt,
      },
      latestEngagementStatus: latest?.status ?? null,
      findingCandidates: findings.map((f) => ({
        id: f.id,
        seq: f.seq,
        severity: f.severity,
        status: f.status,
        title: f.title,
        acceptanceExpiresOn: f.acceptanceExpiresOn,
        countermeasureId: f.countermeasureId,
        countermeasureSeq: items.find((c) => c.id === f.countermeasureId)?.seq ?? null,
      })),
    };
  };

  const both = () =>
    tx.withTransaction(async () => {
      const { result: read, statements } = await countStatements(() => readGateFacts(tx.tx, incidentId));
      return { read, statements, owners: await fromOwners() };
    });

  it('reads, in one statement, what the owners read: the demo case (no clearance, an open HIGH finding on an item)', async () => {
    const { read, statements, owners } = await both();
    expect(statements).toBe(1);
    expect(read).toEqual(owners);
    expect(read.required.length).toBeGreaterThanOrEqual(4);
    expect(new Set(read.required.map((c) => c.ownerName)).size).toBeGreaterThan(1);
    expect(read.clearance).toBeNull();
    expect(read.latestEngagementStatus).toBe('FIELDWORK');
    expect(read.findingCandidates.map((f) => [f.severity, f.status, f.countermeasureSeq !== null])).toEqual([['HIGH', 'OPEN', true]]);
  });

  it("re-evaluating an incident's gates reads each gate row, as the repository reads it, with those facts, in one statement", async () => {
    const out = await tx.withTransaction(async () => {
      const { result, statements } = await countStatements(() => readGatesWithFacts(tx.tx, incidentId));
      const gates = await tx.tx.getRepository(PromotionGateEntity).findBy({ incidentId });
      return { result, statements, gates, facts: await readGateFacts(tx.tx, incidentId) };
    });
    expect(out.statements).toBe(1);
    expect(out.gates.length).toBeGreaterThan(0);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(out.result.map((r) => r.gate).sort(byId)).toEqual([...out.gates].sort(byId));
    expect(out.gates.some((g) => g.blockers.length > 0)).toBe(true);
    for (const r of out.result) expect(r.facts).toEqual(out.facts);

    // An incident with no gate: the same one statement, and nothing.
    const [other] = await t.sql<{ id: string }>(
      `INSERT INTO incidents (title, summary, version) VALUES ('別の事案', '概要', 1) RETURNING id`,
    );
    const none = await tx.withTransaction(() => countStatements(() => readGatesWithFacts(tx.tx, other!.id)));
    expect(none).toMatchObject({ result: [], statements: 1 });
  });

  it('and on a case with each kind of fact: a standing clearance beside a newer withdrawn one, risk acceptances standing and ended, a finding on no item', async () => {
    const [e] = await t.sql<{ id: string }>('SELECT id FROM audit_engagements WHERE incident_id = $1', [incidentId]);
    const clearance = (at: string, withdrawn: boolean) =>
      t.sql(
        `INSERT INTO audit_clearances (id, engagement_id, incident_id, cleared_by_label, cleared_at, statement, digest, payload, withdrawn_at, withdrawal_reason)
         VALUES (gen_random_uuid(), $1, $2, '監査法人 主任', $3, '安全性を確認', repeat('a', 64), '{}', $4, $5)`,
        [e!.id, incidentId, at, withdrawn ? '2026-10-02T00:00:00Z' : null, withdrawn ? '範囲外の変更' : null],
      );
    // Microseconds: the instant must come back as the entity reads it.
    await clearance('2026-09-30T03:04:05.123456Z', false);
    await clearance('2026-10-01T03:04:05.654321Z', true);
    const finding = (seq: number, severity: string, status: string, cm: string | null) =>
      t.sql<{ id: string }>(
        `INSERT INTO audit_findings (id, engagement_id, incident_id, seq, countermeasure_id, raised_at, updated_at, version, raised_by_label,
           severity, title, description, status, resolved_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, now(), now(), 1, '監査人', $5, $6, '説明', $7, $8) RETURNING id`,
        [e!.id, incidentId, seq, cm, severity, `指摘 ${seq}`, status, status === 'RESOLVED' ? new Date() : null],
      );
    const [onItem] = await t.sql<{ countermeasure_id: string }>(
      'SELECT countermeasure_id FROM audit_findings WHERE incident_id = $1 AND seq = 1',
      [incidentId],
    );
    await finding(10, 'CRITICAL', 'OPEN', null);
    const [accepted] = await finding(11, 'HIGH', 'ACCEPTED_RISK', onItem!.countermeasure_id);
    await finding(12, 'HIGH', 'RESOLVED', null);
    await finding(13, 'CRITICAL', 'ACCEPTED_RISK', null); // no acceptance stands: open again
    const acceptance = (expires: string, ended: boolean) =>
      t.sql(
        `INSERT INTO audit_risk_acceptances (id, incident_id, finding_id, expires_on, accepted_at, accepted_by_label, justification, compensating_controls,
           ended_at, end_kind, ended_by_label, end_reason)
         VALUES (gen_random_uuid(), $1, $2, $3, now(), '社長', '理由', '代替策', $4, $5, $6, $7)`,
        [
          incidentId,
          accepted!.id,
          expires,
          ended ? new Date() : null,
          ended ? 'REVOKED' : null,
          ended ? '社長' : null,
          ended ? '取消' : null,
        ],
      );
    await acceptance('2026-11-30', true);
    await acceptance('2027-01-31', false);

    const { read, statements, owners } = await both();
    expect(statements).toBe(1);
    expect(read).toEqual(owners);
    expect(read.clearance).toMatchObject({ clearedByLabel: '監査法人 主任', clearedAt: new Date('2026-09-30T03:04:05.123Z') });
    expect(read.findingCandidates.map((f) => [f.seq, f.severity, f.status, f.acceptanceExpiresOn, f.countermeasureSeq !== null])).toEqual([
      [1, 'HIGH', 'OPEN', null, true],
      [10, 'CRITICAL', 'OPEN', null, false],
      [11, 'HIGH', 'ACCEPTED_RISK', '2027-01-31', true],
      [13, 'CRITICAL', 'ACCEPTED_RISK', null, false],
    ]);
  });
});
