import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { RiskAcceptancesService } from '@app/audits';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, reasonOf, TestApp } from '../support/test-app';

const ATTEST = `mutation($input: SubmitEvidenceAttestationInput!) { submitEvidenceAttestation(input: $input) { id sha256 } }`;
const REVIEW = `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { decision } }`;
const SIGN = `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { payloadJson } }`;
const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { status version } }`;
const ACCEPT = `mutation($input: AcceptRequirementRiskInput!) { acceptRequirementRisk(input: $input) { id expiresOn } }`;
const REVOKE = `mutation($input: RevokeRiskAcceptanceInput!) { revokeRiskAcceptance(input: $input) { id } }`;
const VIEW = `query($id: ID!) { countermeasure(id: $id) { status version history { toStatus cause reason actorLabel } signOff { id } requirements { id } } }`;

/**
 * "An executive may accept the risk of ... an unmet requirement, with a
 * justification, compensating controls and an expiry date; when it expires the
 * item is open again by itself."
 */
describe('risk acceptance of an unmet requirement', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let ownerId: string;
  let ownerToken: string;
  let auditorToken: string;
  let chiefToken: string;
  const today = todayIn(CASE_TIME_ZONE, new Date());

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t);
    const owner = await ctx.addMember();
    ownerId = owner.user.id;
    ownerToken = await owner.token();
    auditorToken = await (await t.createUser(['AUDITOR'])).token();
    chiefToken = await ctx.chief.token();
  });
  afterAll(async () => t?.close());

  const view = async (id: string) =>
    (
      await t.gql<{
        countermeasure: {
          status: string;
          version: number;
          history: { toStatus: string; cause: string; reason: string | null; actorLabel: string }[];
          signOff: { id: string } | null;
          requirements: { id: string }[];
        };
      }>(VIEW, { id }, ownerToken)
    ).data!.countermeasure;

  /** A countermeasure signed off with requirement 1 evidenced and requirement 2 covered by an accepted risk. */
  async function signedWithAcceptedRisk() {
    const cm = await makeCountermeasure(t, ctx.incident.id, ownerId, {
      requirements: [{ title: '権限棚卸し結果' }, { title: '委託先の監査報告書' }],
    });
    await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 1, to: 'IN_PROGRESS' } }, ownerToken);
    const [r1, r2] = (await view(cm.id)).requirements;
    const e = (
      await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
        ATTEST,
        { input: { requirementId: r1!.id, title: '棚卸し', statement: '完了', effectiveOn: today } },
        ownerToken,
      )
    ).data!.submitEvidenceAttestation;
    const missing = await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 2, to: 'IMPLEMENTED' } }, ownerToken);
    expect(reasonOf(missing)).toBe('EVIDENCE_MISSING');
    const accepted = await t.gql<{ acceptRequirementRisk: { id: string; expiresOn: string } }>(
      ACCEPT,
      {
        input: {
          requirementId: r2!.id,
          justification: '委託先の監査は来期に実施',
          compensatingControls: '委託先アカウントを週次で確認',
          expiresOn: addDays(today, 30),
        },
      },
      chiefToken,
    );
    expect(accepted.errors).toBeUndefined();
    expect((await t.gql(MOVE, { input: { id: cm.id, expectedVersion: 2, to: 'IMPLEMENTED' } }, ownerToken)).errors).toBeUndefined();
    await t.gql(REVIEW, { input: { evidenceId: e.id, sha256: e.sha256, expectedVersion: 1, decision: 'ACCEPTED' } }, auditorToken);
    const signed = await t.gql<{ signOffCountermeasure: { payloadJson: string } }>(
      SIGN,
      { input: { countermeasureId: cm.id, expectedVersion: 3 } },
      auditorToken,
    );
    expect(signed.errors).toBeUndefined();
    const payload = JSON.parse(signed.data!.signOffCountermeasure.payloadJson) as {
      evidence: { evidenceId: string }[];
      riskAcceptances: { requirementId: string; riskAcceptanceId: string; expiresOn: string }[];
    };
    expect(payload.evidence.map((x) => x.evidenceId)).toEqual([e.id]);
    expect(payload.riskAcceptances).toEqual([
      {
        requirementId: r2!.id,
        requirementTitle: '委託先の監査報告書',
        riskAcceptanceId: accepted.data!.acceptRequirementRisk.id,
        expiresOn: addDays(today, 30),
      },
    ]);
    expect((await view(cm.id)).status).toBe('VERIFIED');
    return { cm, acceptanceId: accepted.data!.acceptRequirementRisk.id };
  }

  it('covers the requirement for IMPLEMENTED and the sign-off, which records it; revoking it reopens the work at once', async () => {
    const { cm, acceptanceId } = await signedWithAcceptedRisk();
    expect(errorCode(await t.gql(REVOKE, { input: { id: acceptanceId, reason: '前提が変わった' } }, ownerToken))).toBe('FORBIDDEN');
    expect((await t.gql(REVOKE, { input: { id: acceptanceId, reason: '委託先の監査を前倒しする' } }, chiefToken)).errors).toBeUndefined();
    const v = await view(cm.id);
    expect(v.status).toBe('REOPENED');
    expect(v.signOff).toBeNull();
    expect(v.history.at(-1)).toMatchObject({ toStatus: 'REOPENED', cause: 'REOPEN' });
    expect(v.history.at(-1)!.reason).toContain('was revoked: 委託先の監査を前倒しする');
  });

  it('when it expires, the sweep opens the item again by itself', async () => {
    const { cm } = await signedWithAcceptedRisk();
    // The sweep runs daily; here it is asked about a day after the expiry.
    const result = await t.app.get(RiskAcceptancesService).expireRiskAcceptances(new Date(Date.now() + 32 * 86_400_000));
    expect(result.expired).toBeGreaterThanOrEqual(1);
    const v = await view(cm.id);
    expect(v.status).toBe('REOPENED');
    expect(v.history.at(-1)!.actorLabel).toBe('system:risk-acceptance-expiry');
    expect(v.history.at(-1)!.reason).toContain('expired');
  });
});
