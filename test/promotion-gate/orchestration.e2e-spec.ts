import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor, CASE_TIME_ZONE, todayIn } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';
import { DataSource } from 'typeorm';
import { PromotionGateEntity } from '@app/promotion-gate';
import { GateBlockersAsData1795680000200 } from '../../migrations/1795680000200-GateBlockersAsData';
// The facts reader is internal to the gate's lib: the spy counts how often each gate is re-evaluated.
import { GateFactsReader } from '../../libs/promotion-gate/src/gate-facts';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { TestApp, type GqlResponse } from '../support/test-app';
import { ATTEST, CLEAR, ENGAGE, MOVE, MOVE_AUDIT, REVIEW, SIGN } from '../support/workflow-documents';

const CREATE = `mutation($input: CreateGateInput!) { createGate(input: $input) { key state version } }`;
const GATE = `query($key: String!) { gate(key: $key) { key state version blockers { kind itemKey message } history { toState cause reason } } }`;
const HOLD = `mutation($input: GateDecisionInput!) { suspendGate(input: $input) { state version } }`;
const RELEASE = `mutation($input: GateDecisionInput!) { releaseGateHold(input: $input) { state version } }`;
const ENGAGEMENT = `query($id: ID!) { auditEngagement(id: $id) { version status } }`;

type Gate = {
  key: string;
  state: string;
  version: number;
  blockers: { kind: string; itemKey: string | null; message: string }[];
  history: { toState: string; cause: string; reason: string }[];
};

const ok = <T>(res: GqlResponse<T>): T => {
  expect(res.errors).toBeUndefined();
  return res.data!;
};

/** Statements that read a gate row (the gates of an incident, or one gate). */
const gateReads = (texts: string[]) => texts.filter((s) => /^SELECT\b/i.test(s.trim()) && /FROM "promotion_gates"/.test(s)).length;

/**
 * The statements of the one transaction of `work` that writes `marker` (its
 * connection, from its BEGIN to its COMMIT): what the server does after the
 * commit (notifications, subscriptions reading the gate) is not the change's.
 */
async function transactionOf<T>(marker: RegExp, work: () => Promise<T>): Promise<string[]> {
  const spy = vi.spyOn(Client.prototype, 'query');
  try {
    await work();
    const calls = spy.mock.calls.map((c, i) => ({
      client: spy.mock.contexts[i],
      text: typeof c[0] === 'string' ? c[0] : String((c[0] as { text?: unknown })?.text ?? ''),
    }));
    const at = calls.findIndex((c) => marker.test(c.text));
    expect(at).toBeGreaterThanOrEqual(0);
    const mine = calls.filter((c) => c.client === calls[at]!.client).map((c) => c.text);
    const i = mine.findIndex((t) => marker.test(t));
    const begin = mine.slice(0, i + 1).findLastIndex((t) => /^(START TRANSACTION|BEGIN)/i.test(t.trim()));
    const end = mine.findIndex((t, j) => j > i && /^COMMIT/i.test(t.trim()));
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(i);
    return mine.slice(begin, end + 1);
  } finally {
    spy.mockRestore();
  }
}

/**
 * The rules that span several rows (sign-off revocation, the audit clearance,
 * then the gate) run once per change, in that written order, before the commit
 * (CrossRowRules in @app/promotion-gate) — not once per listener that happens to
 * hear about it. And the gate's version moves only when its state or hold does.
 */
describe('one orchestration of the cross-row rules', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let chiefToken: string;
  let ownerToken: string;
  let leadToken: string;
  let reviewerToken: string;
  let cmId: string;
  let otherId: string;
  let engagementId: string;
  let evidence: { id: string; sha256: string };
  const keys = ['orch-web', 'orch-dm'];
  const today = todayIn(CASE_TIME_ZONE, new Date());
  const gate = async (key: string) => ok(await t.gql<{ gate: Gate }>(GATE, { key }, chiefToken)).gate;

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t);
    chiefToken = await ctx.chief.token();
    const owner = await ctx.addMember(['TASK_FORCE'], '運用担当');
    ownerToken = await owner.token();
    const lead = await t.createUser(['AUDITOR'], { displayName: '監査 主任' });
    leadToken = await lead.token();
    reviewerToken = await (await t.createUser(['AUDITOR'], { displayName: '監査 補助' })).token();
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, {
      title: '権限の絞り込み',
      requiredForGate: true,
      requirements: [{ title: '棚卸し結果' }],
    });
    cmId = cm.id;
    otherId = (
      await makeCountermeasure(t, ctx.incident.id, owner.user.id, {
        title: '監視の強化',
        requiredForGate: true,
        requirements: [{ title: '監視設定' }],
      })
    ).id;
    for (const key of keys)
      ok(await t.gql(CREATE, { input: { incidentId: ctx.incident.id, key, name: key, reason: '監査完了まで停止' } }, chiefToken));

    // CM-001 verified and in the audit's scope; the audit cleared.
    ok(await t.gql(MOVE, { input: { id: cmId, expectedVersion: 1, to: 'IN_PROGRESS' } }, ownerToken));
    const req = (await t.sql<{ id: string }>('SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1', [cmId]))[0]!;
    evidence = ok(
      await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
        ATTEST,
        { input: { requirementId: req.id, title: '棚卸し', statement: '完了', effectiveOn: today } },
        ownerToken,
      ),
    ).submitEvidenceAttestation;
    ok(await t.gql(MOVE, { input: { id: cmId, expectedVersion: 2, to: 'IMPLEMENTED' } }, ownerToken));
    ok(
      await t.gql(
        REVIEW,
        { input: { evidenceId: evidence.id, sha256: evidence.sha256, expectedVersion: 1, decision: 'ACCEPTED' } },
        leadToken,
      ),
    );
    ok(await t.gql(SIGN, { input: { countermeasureId: cmId, expectedVersion: 3 } }, leadToken));
    engagementId = ok(
      await t.gql<{ createAuditEngagement: { id: string } }>(
        ENGAGE,
        { input: { incidentId: ctx.incident.id, title: '監査', firm: '監査法人', leadAuditorId: lead.user.id, countermeasureIds: [cmId] } },
        chiefToken,
      ),
    ).createAuditEngagement.id;
    for (const to of ['FIELDWORK', 'REPORTING', 'CLEARED']) {
      const e = ok(await t.gql<{ auditEngagement: { version: number } }>(ENGAGEMENT, { id: engagementId }, leadToken)).auditEngagement;
      if (to === 'CLEARED')
        ok(await t.gql(CLEAR, { input: { engagementId, expectedVersion: e.version, statement: '確認した' } }, leadToken));
      else ok(await t.gql(MOVE_AUDIT, { input: { id: engagementId, expectedVersion: e.version, to } }, leadToken));
    }
    for (const key of keys)
      expect((await gate(key)).blockers.map((b) => [b.kind, b.itemKey])).toEqual([['COUNTERMEASURE_NOT_VERIFIED', 'CM-002']]);
  });
  afterAll(async () => t?.close());

  it('moving a required item changes the blockers but not the state: the version stays, and an executive holding it is not refused as stale', async () => {
    const before = await gate(keys[0]!);
    // The move's versioned UPDATE (with its history row, in one statement).
    const texts = await transactionOf(/\bUPDATE "?countermeasures"? SET\b/, () =>
      t.gql(MOVE, { input: { id: otherId, expectedVersion: 1, to: 'IN_PROGRESS' } }, ownerToken),
    );
    console.log(`moveCountermeasure (2 gates): ${texts.length} statements in its transaction, ${gateReads(texts)} gate reads`);
    expect(gateReads(texts)).toBe(1);
    const after = await gate(keys[0]!);
    expect(after.blockers[0]!.message).toContain('CM-002 監視の強化 is IN_PROGRESS, work is in progress');
    expect(before.blockers[0]!.message).toContain('is PLANNED');
    expect(after.state).toBe('SUSPENDED');
    expect(after.version).toBe(before.version);
    // Stored as data (a code and its parameters), the sentence made on read.
    const [row] = await t.sql<{ blockers: Record<string, unknown>[] }>('SELECT blockers FROM promotion_gates WHERE key = $1', [keys[0]]);
    expect(row!.blockers).toEqual([
      expect.objectContaining({
        code: 'COUNTERMEASURE_NOT_VERIFIED',
        kind: 'COUNTERMEASURE_NOT_VERIFIED',
        itemKey: 'CM-002',
        status: 'IN_PROGRESS',
      }),
    ]);
    expect(row!.blockers[0]).not.toHaveProperty('message');
    // The version read before the move still holds: suspending by hand succeeds, and then the version moves.
    const held = ok(
      await t.gql<{ suspendGate: { state: string; version: number } }>(
        HOLD,
        { input: { key: keys[0], expectedVersion: before.version, statement: '念のため停止' } },
        chiefToken,
      ),
    ).suspendGate;
    expect(held.version).toBe(before.version + 1);
    const released = ok(
      await t.gql<{ releaseGateHold: { version: number } }>(
        RELEASE,
        { input: { key: keys[0], expectedVersion: held.version, statement: '解除' } },
        chiefToken,
      ),
    ).releaseGateHold;
    expect(released.version).toBe(held.version + 1);
  });

  it('an evidence rejection under verified work revokes the sign-off, withdraws the clearance, then re-evaluates each gate once, reading its row once', async () => {
    // CM-002 is no longer required: both gates become ELIGIBLE, a state change, so their versions move.
    const suspended = await Promise.all(keys.map(async (k) => (await gate(k)).version));
    const other = await t.app.get(CountermeasuresService).getById(otherId);
    await t.app.get(CountermeasuresService).update(Actor.system('test'), otherId, other.version, { requiredForGate: false });
    const versions = await Promise.all(keys.map(async (k) => (await gate(k)).version));
    for (const [i, key] of keys.entries()) {
      expect((await gate(key)).state).toBe('ELIGIBLE');
      expect(versions[i]).toBe(suspended[i]! + 1);
    }
    const spy = vi.spyOn(t.app.get(GateFactsReader), 'facts');
    const texts = await transactionOf(/^UPDATE "evidence"/, () =>
      t.gql(
        REVIEW,
        {
          input: {
            evidenceId: evidence.id,
            sha256: evidence.sha256,
            expectedVersion: 2 /* accepted once */,
            decision: 'REJECTED',
            comment: '棚卸しの範囲が不足',
          },
        },
        reviewerToken,
      ),
    );
    const evaluated = spy.mock.calls.map((c) => (c[0] as PromotionGateEntity).key).sort();
    spy.mockRestore();
    console.log(
      `withdrawing a clearance (2 gates): ${texts.length} statements in its transaction, ${gateReads(texts)} gate reads, gate evaluations: ${evaluated.join(', ')}`,
    );
    expect(evaluated).toEqual([...keys].sort());
    expect(gateReads(texts)).toBe(1);
    // In the written order: the sign-off revoked, the clearance withdrawn, then the gates (the reason names the withdrawal).
    const [signOff] = await t.sql<{ revoked_reason: string | null }>(
      'SELECT revoked_reason FROM countermeasure_sign_offs WHERE countermeasure_id = $1',
      [cmId],
    );
    expect(signOff!.revoked_reason).toContain('VERIFIED → REOPENED');
    const [clearance] = await t.sql<{ withdrawn_at: Date | null }>('SELECT withdrawn_at FROM audit_clearances WHERE engagement_id = $1', [
      engagementId,
    ]);
    expect(clearance!.withdrawn_at).not.toBeNull();
    for (const [i, key] of keys.entries()) {
      const g = await gate(key);
      expect(g.blockers.map((b) => [b.kind, b.itemKey])).toEqual([
        ['COUNTERMEASURE_NOT_VERIFIED', 'CM-001'],
        ['NO_AUDIT_CLEARANCE', null],
      ]);
      expect(g.state).toBe('SUSPENDED');
      expect(g.version).toBe(versions[i]! + 1); // ELIGIBLE → SUSPENDED: one state change, one new version
      expect(g.history.at(-1)).toMatchObject({ toState: 'SUSPENDED', cause: 'RULES_BROKEN' });
      expect(g.history.at(-1)!.reason).toContain('the audit clearance was withdrawn');
    }
  });

  it('the migration turns stored sentences into data and back (down, up), and the gate reads the same', async () => {
    const read = async () => (await Promise.all(keys.map(gate))).map((g) => ({ blockers: g.blockers, history: g.history }));
    const before = await read();
    const ds = t.app.get(DataSource);
    const migration = new GateBlockersAsData1795680000200();
    const runner = ds.createQueryRunner();
    try {
      await migration.down(runner);
      const [legacy] = await t.sql<{ blockers: Record<string, unknown>[] }>('SELECT blockers FROM promotion_gates WHERE key = $1', [
        keys[0],
      ]);
      expect(legacy!.blockers[0]).toMatchObject({
        kind: 'COUNTERMEASURE_NOT_VERIFIED',
        itemKey: 'CM-001',
        message: expect.stringContaining('CM-001 権限の絞り込み is REOPENED'),
      });
      expect(legacy!.blockers[0]).not.toHaveProperty('code');
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const [row] = await t.sql<{ blockers: Record<string, unknown>[] }>('SELECT blockers FROM promotion_gates WHERE key = $1', [keys[0]]);
    expect(row!.blockers[0]).toMatchObject({ code: 'COUNTERMEASURE_NOT_VERIFIED', status: 'REOPENED' });
    expect(await read()).toEqual(before);
  });
});
