import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { TestApp } from '../support/test-app';

const ATTEST = `mutation($input: SubmitEvidenceAttestationInput!) { submitEvidenceAttestation(input: $input) { id sha256 } }`;
const REVIEW = `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { decision } }`;
const SIGN = `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { digest } }`;
const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { status version } }`;
const VIEW = `query($id: ID!) { countermeasure(id: $id) { status version history { fromStatus toStatus cause actorId actorLabel reason } requirements { id latestAcceptedEffectiveOn } } }`;
const AT_RISK = `query($atRisk: Boolean) { countermeasures(filter: { atRisk: $atRisk }, first: 100) { nodes { id } } }`;

type View = {
  status: string;
  version: number;
  history: {
    fromStatus: string | null;
    toStatus: string;
    cause: string;
    actorId: string | null;
    actorLabel: string;
    reason: string | null;
  }[];
  requirements: { id: string; latestAcceptedEffectiveOn: string | null }[];
};

describe('recurring requirements keep an ongoing measure OPERATING or let it go DEGRADED by itself', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let ownerToken: string;
  let auditorToken: string;
  let ownerId: string;
  const today = todayIn(CASE_TIME_ZONE, new Date());

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t);
    const owner = await ctx.addMember();
    ownerId = owner.user.id;
    ownerToken = await owner.token();
    auditorToken = await (await t.createUser(['AUDITOR'])).token();
  });
  afterAll(async () => t?.close());

  const view = async (id: string) => (await t.gql<{ countermeasure: View }>(VIEW, { id }, ownerToken)).data!.countermeasure;
  const atRisk = async (flag: boolean) =>
    (
      await t.gql<{ countermeasures: { nodes: { id: string }[] } }>(AT_RISK, { atRisk: flag }, auditorToken)
    ).data!.countermeasures.nodes.map((n) => n.id);
  const monthly = async (requirementId: string, effectiveOn: string) => {
    const res = await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
      ATTEST,
      { input: { requirementId, title: `月次監視レポート ${effectiveOn}`, statement: '24時間監視の月次報告', effectiveOn } },
      ownerToken,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.submitEvidenceAttestation;
  };
  const accept = async (e: { id: string; sha256: string }) => {
    const res = await t.gql(
      REVIEW,
      { input: { evidenceId: e.id, sha256: e.sha256, expectedVersion: 1, decision: 'ACCEPTED' } },
      auditorToken,
    );
    expect(res.errors).toBeUndefined();
  };

  it('stale evidence degrades the measure the moment it starts operating; fresh accepted evidence brings it back', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, ownerId, {
      category: 'MONITORING',
      ongoing: true,
      requirements: [{ title: '月次監視レポート', recurrenceDays: 30 }],
    });
    await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 1, to: 'IN_PROGRESS' } }, ownerToken);
    const [req] = (await view(cm.id)).requirements;
    const old = await monthly(req!.id, addDays(today, -40));
    await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 2, to: 'IMPLEMENTED' } }, ownerToken);
    await accept(old);
    expect((await t.gql(SIGN, { input: { countermeasureId: cm.id, expectedVersion: 3 } }, auditorToken)).errors).toBeUndefined();
    expect((await view(cm.id)).requirements[0]!.latestAcceptedEffectiveOn).toBe(addDays(today, -40));
    // Verified, ongoing, and its monthly report is 40 days old: at risk.
    expect(await atRisk(true)).toContain(cm.id);

    const started = await t.gql<{ moveCountermeasure: { status: string } }>(
      MOVE,
      { input: { id: cm.id, expectedVersion: 4, to: 'OPERATING' } },
      ownerToken,
    );
    expect(started.data!.moveCountermeasure.status).toBe('DEGRADED');
    const degraded = await view(cm.id);
    expect(degraded.history.slice(-2).map((h) => [h.fromStatus, h.toStatus, h.cause, h.actorId === null])).toEqual([
      ['VERIFIED', 'OPERATING', 'USER', false],
      ['OPERATING', 'DEGRADED', 'SYSTEM_STALENESS', true],
    ]);
    expect(degraded.history.at(-1)!.actorLabel).toBe('system:freshness');
    expect(degraded.history.at(-1)!.reason).toContain('older than 30 days');

    // A new report (not a correction: the old one stays) waits for review: still degraded.
    const fresh = await monthly(req!.id, addDays(today, -1));
    expect((await view(cm.id)).status).toBe('DEGRADED');
    await accept(fresh);
    const back = await view(cm.id);
    expect(back.status).toBe('OPERATING');
    expect(back.history.at(-1)).toMatchObject({
      fromStatus: 'DEGRADED',
      toStatus: 'OPERATING',
      cause: 'SYSTEM_FRESH_EVIDENCE',
      actorId: null,
    });
    expect(await atRisk(true)).not.toContain(cm.id);
    expect(await atRisk(false)).toContain(cm.id);
  });

  it('the daily sweep degrades an operating measure whose evidence has aged past its period', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, ownerId, {
      category: 'MONITORING',
      ongoing: true,
      requirements: [{ title: '週次ログ確認', recurrenceDays: 30 }],
    });
    await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 1, to: 'IN_PROGRESS' } }, ownerToken);
    const [req] = (await view(cm.id)).requirements;
    const e = await monthly(req!.id, addDays(today, -5));
    await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 2, to: 'IMPLEMENTED' } }, ownerToken);
    await accept(e);
    await t.gql(SIGN, { input: { countermeasureId: cm.id, expectedVersion: 3 } }, auditorToken);
    expect(
      (
        await t.gql<{ moveCountermeasure: { status: string } }>(
          MOVE,
          { input: { id: cm.id, expectedVersion: 4, to: 'OPERATING' } },
          ownerToken,
        )
      ).data!.moveCountermeasure.status,
    ).toBe('OPERATING');

    const service = t.app.get(CountermeasuresService);
    expect((await service.refreshAllFreshness()).moved).toEqual([]);
    // Time cannot be advanced in an e2e; shortening the period has the same effect on the
    // comparison the sweep makes (5-day-old evidence, 3-day period). Test setup only.
    await t.sql('UPDATE countermeasure_requirements SET recurrence_days = 3 WHERE id = $1', [req!.id]);
    const swept = await service.refreshAllFreshness();
    expect(swept.moved).toHaveLength(1);
    expect((await view(cm.id)).status).toBe('DEGRADED');
    // Idempotent: a second run moves nothing.
    expect((await service.refreshAllFreshness()).moved).toEqual([]);
  });

  it('a degraded measure is still signed off: withdrawing evidence it rested on reopens it (fresh evidence cannot paper over the hole)', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, ownerId, {
      category: 'MONITORING',
      ongoing: true,
      requirements: [{ title: '監視設定の記録' }, { title: '月次監視レポート', recurrenceDays: 30 }],
    });
    await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 1, to: 'IN_PROGRESS' } }, ownerToken);
    const [r1, r2] = (await view(cm.id)).requirements;
    const setup = await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
      ATTEST,
      { input: { requirementId: r1!.id, title: '監視設定', statement: '設定済み', effectiveOn: today } },
      ownerToken,
    );
    const old = await monthly(r2!.id, addDays(today, -40));
    await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 2, to: 'IMPLEMENTED' } }, ownerToken);
    await accept(setup.data!.submitEvidenceAttestation);
    await accept(old);
    await t.gql(SIGN, { input: { countermeasureId: cm.id, expectedVersion: 3 } }, auditorToken);
    await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 4, to: 'OPERATING' } }, ownerToken);
    expect((await view(cm.id)).status).toBe('DEGRADED');

    const res = await t.gql(
      `mutation($input: WithdrawEvidenceInput!) { withdrawEvidence(input: $input) { status } }`,
      { input: { evidenceId: setup.data!.submitEvidenceAttestation.id, expectedVersion: 2, reason: '設定記録の誤り' } },
      ownerToken,
    );
    expect(res.errors).toBeUndefined();
    const v = await view(cm.id);
    expect(v.status).toBe('REOPENED');
    expect(v.history.at(-1)).toMatchObject({ fromStatus: 'DEGRADED', toStatus: 'REOPENED', cause: 'REOPEN' });
  });
});
