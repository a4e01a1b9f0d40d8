import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor, addDays, CASE_TIME_ZONE, todayIn } from '@app/common';
import { CountermeasureTargetsService } from '@app/countermeasures';
import { UsersService, type Role } from '@app/identity';
import { IncidentChangesService } from '@app/incidents';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, reasonOf, TestApp } from '../support/test-app';

const LINK = `mutation($input: SubmitEvidenceLinkInput!) { submitEvidenceLink(input: $input) { id sha256 versionNo status version kind url reviewDecision } }`;
const ATTEST = `mutation($input: SubmitEvidenceAttestationInput!) { submitEvidenceAttestation(input: $input) { id sha256 versionNo status version kind supersedesId } }`;
const WITHDRAW = `mutation($input: WithdrawEvidenceInput!) { withdrawEvidence(input: $input) { id status version withdrawalReason withdrawnByLabel } }`;
const REVIEW = `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { id decision sha256 comment reviewerLabel } }`;
const SIGN = `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { id digest payloadJson statement revokedAt } }`;
const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { status version } }`;
const CM = `query($id: ID!) { countermeasure(id: $id) { status version
  history { fromStatus toStatus cause reason actorLabel }
  requirements { id title liveEvidenceCount acceptedEvidenceCount latestAcceptedEffectiveOn evidence(includeHistory: true) { id status versionNo reviewDecision reviews { decision sha256 } } }
  signOff { id digest } signOffs { id revokedReason } } }`;
const QUEUE = `query($first: Int, $after: String) { evidenceReviewQueue(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { waitingDays waitingHours evidence { id name uploadedByLabel } } } }`;

type Ev = { id: string; sha256: string; versionNo: number; status: string; version: number };
type CmView = {
  status: string;
  version: number;
  history: { fromStatus: string | null; toStatus: string; cause: string; reason: string | null; actorLabel: string }[];
  requirements: {
    id: string;
    title: string;
    liveEvidenceCount: number;
    acceptedEvidenceCount: number;
    latestAcceptedEffectiveOn: string | null;
    evidence: {
      id: string;
      status: string;
      versionNo: number;
      reviewDecision: string | null;
      reviews: { decision: string; sha256: string }[];
    }[];
  }[];
  signOff: { id: string; digest: string } | null;
  signOffs: { id: string; revokedReason: string | null }[];
};

describe('evidence, review and sign-off through GraphQL', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let owner: Awaited<ReturnType<TestApp['createUser']>>;
  let ownerToken: string;
  let auditorToken: string;
  let auditor2Token: string;
  let today: string;

  beforeAll(async () => {
    t = await TestApp.start();
    ctx = await makeIncident(t);
    owner = await ctx.addMember();
    ownerToken = await owner.token();
    auditorToken = await (await t.createUser(['AUDITOR'], { displayName: '監査 一郎' })).token();
    auditor2Token = await (await t.createUser(['AUDITOR'])).token();
    today = todayIn(CASE_TIME_ZONE, new Date());
  });
  afterAll(async () => t?.close());

  const view = async (id: string, token = ownerToken) => {
    const res = await t.gql<{ countermeasure: CmView }>(CM, { id }, token);
    expect(res.errors).toBeUndefined();
    return res.data!.countermeasure;
  };
  const attest = async (requirementId: string, title: string, extra: Record<string, unknown> = {}, token = ownerToken) =>
    t.gql<{ submitEvidenceAttestation: Ev }>(
      ATTEST,
      { input: { requirementId, title, statement: `${title}を確認しました。`, effectiveOn: today, ...extra } },
      token,
    );
  /** The auditor decides on the evidence as it stands now (its current version), unless `expectedVersion` says otherwise. */
  const review = async (
    e: { id: string; sha256: string },
    decision: string,
    comment: string | null = null,
    token = auditorToken,
    expectedVersion?: number,
  ) => {
    const [row] = await t.sql<{ version: number }>('SELECT version FROM evidence WHERE id = $1', [e.id]);
    return t.gql<{ reviewEvidence: { decision: string } }>(
      REVIEW,
      { input: { evidenceId: e.id, sha256: e.sha256, decision, comment, expectedVersion: expectedVersion ?? row?.version ?? 1 } },
      token,
    );
  };
  const move = (id: string, expectedVersion: number, to: string, reason: string | null = null, token = ownerToken) =>
    t.gql<{ moveCountermeasure: { status: string; version: number } }>(MOVE, { input: { id, expectedVersion, to, reason } }, token);
  const snapshotDb = async () => ({
    evidence: await t.sql('SELECT * FROM evidence ORDER BY id'),
    reviews: await t.sql('SELECT * FROM evidence_reviews ORDER BY id'),
    signOffs: await t.sql('SELECT * FROM countermeasure_sign_offs ORDER BY id'),
    cms: await t.sql('SELECT id, status, version FROM countermeasures ORDER BY id'),
    reqs: await t.sql('SELECT * FROM countermeasure_requirements ORDER BY id'),
    trail: await t.sql('SELECT seq FROM audit_trail ORDER BY seq'),
  });

  /** A countermeasure in IMPLEMENTED with one attestation per requirement. */
  async function implemented(requirements = [{ title: 'DB停止記録' }, { title: '停止確認のスクリーンショット' }]) {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { requirements });
    expect((await move(cm.id, 1, 'IN_PROGRESS')).data!.moveCountermeasure.status).toBe('IN_PROGRESS');
    const v = await view(cm.id);
    const evidence: Ev[] = [];
    for (const r of v.requirements) evidence.push((await attest(r.id, `${r.title}の証跡`)).data!.submitEvidenceAttestation);
    const moved = await move(cm.id, 2, 'IMPLEMENTED');
    expect(moved.errors).toBeUndefined();
    return { cm, evidence, version: moved.data!.moveCountermeasure.version };
  }

  it('IMPLEMENTED needs evidence for every requirement; then an auditor accepts it and signs off with a recomputable digest', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, {
      requirements: [{ title: 'アクセス権限の棚卸し' }, { title: '監視設定の画面' }],
    });
    await move(cm.id, 1, 'IN_PROGRESS');
    const [r1, r2] = (await view(cm.id)).requirements;
    const link = await t.gql<{ submitEvidenceLink: Ev & { url: string } }>(
      LINK,
      { input: { requirementId: r1!.id, title: '棚卸し結果（社内Wiki）', url: 'https://wiki.example.jp/権限棚卸し', effectiveOn: today } },
      ownerToken,
    );
    expect(link.errors).toBeUndefined();
    expect(link.data!.submitEvidenceLink).toMatchObject({ versionNo: 1, status: 'SUBMITTED', kind: 'LINK', reviewDecision: null });
    // The link's hash is the documented content digest, recomputable outside the product.
    const url = link.data!.submitEvidenceLink.url;
    expect(link.data!.submitEvidenceLink.sha256).toBe(
      createHash('sha256')
        .update(canonicalize({ format: 'evidence-content/v1', kind: 'LINK', url })!)
        .digest('hex'),
    );

    const missing = await move(cm.id, 2, 'IMPLEMENTED');
    expect([errorCode(missing), reasonOf(missing)]).toEqual(['CONFLICT', 'EVIDENCE_MISSING']);

    const shot = (await attest(r2!.id, '監視設定')).data!.submitEvidenceAttestation;
    const implementedRes = await move(cm.id, 2, 'IMPLEMENTED');
    expect(implementedRes.data!.moveCountermeasure.status).toBe('IMPLEMENTED');

    const notReady = await t.gql(SIGN, { input: { countermeasureId: cm.id, expectedVersion: 3 } }, auditorToken);
    expect([errorCode(notReady), reasonOf(notReady)]).toEqual(['CONFLICT', 'SIGN_OFF_NOT_READY']);
    expect((notReady.errors![0]!.extensions!.missing as { reason: string }[]).map((m) => m.reason)).toEqual([
      'NOT_ALL_ACCEPTED',
      'NOT_ALL_ACCEPTED',
    ]);

    expect((await review(link.data!.submitEvidenceLink, 'ACCEPTED')).errors).toBeUndefined();
    expect((await review(shot, 'ACCEPTED', '確認済み')).errors).toBeUndefined();
    const signed = await t.gql<{ signOffCountermeasure: { digest: string; payloadJson: string; statement: string } }>(
      SIGN,
      { input: { countermeasureId: cm.id, expectedVersion: 3, statement: '全要件の証跡を確認した' } },
      auditorToken,
    );
    expect(signed.errors).toBeUndefined();
    const { digest, payloadJson } = signed.data!.signOffCountermeasure;
    const payload = JSON.parse(payloadJson) as { format: string; evidence: { evidenceId: string; sha256: string }[] };
    expect(payload.format).toBe('sign-off/v2');
    expect(payload.evidence.map((e) => [e.evidenceId, e.sha256])).toEqual([
      [link.data!.submitEvidenceLink.id, link.data!.submitEvidenceLink.sha256],
      [shot.id, shot.sha256],
    ]);
    expect(digest).toBe(createHash('sha256').update(canonicalize(payload)!).digest('hex'));

    const after = await view(cm.id);
    expect(after.status).toBe('VERIFIED');
    expect(after.signOff?.digest).toBe(digest);
    expect(after.history.at(-1)).toMatchObject({
      fromStatus: 'IMPLEMENTED',
      toStatus: 'VERIFIED',
      cause: 'AUDITOR_SIGN_OFF',
      reason: '全要件の証跡を確認した',
    });
    expect(after.requirements.map((r) => [r.liveEvidenceCount, r.acceptedEvidenceCount])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    const actions = await t.sql<{ action: string }>(
      `SELECT action FROM audit_trail WHERE action LIKE 'evidence.%' OR action LIKE 'countermeasure.sign%' ORDER BY seq DESC LIMIT 3`,
    );
    expect(actions.map((a) => a.action)).toEqual(['countermeasure.signed_off', 'evidence.reviewed', 'evidence.reviewed']);
  });

  it('a rejection sends IMPLEMENTED work back with the comment; a review must name the bytes it covered', async () => {
    const { cm, evidence } = await implemented();
    const wrongHash = await review({ id: evidence[0]!.id, sha256: 'a'.repeat(64) }, 'ACCEPTED');
    expect([errorCode(wrongHash), reasonOf(wrongHash)]).toEqual(['CONFLICT', 'HASH_MISMATCH']);
    const noComment = await review(evidence[0]!, 'REJECTED');
    expect(errorCode(noComment)).toBe('BAD_USER_INPUT');
    const rejected = await review(evidence[0]!, 'REJECTED', '停止時刻が記録されていません');
    expect(rejected.errors).toBeUndefined();
    const v = await view(cm.id);
    expect(v.status).toBe('CHANGES_REQUESTED');
    expect(v.history.at(-1)).toMatchObject({ toStatus: 'CHANGES_REQUESTED', cause: 'AUDITOR_REJECTION' });
    expect(v.history.at(-1)!.reason).toContain('停止時刻が記録されていません');
    expect(v.requirements[0]!.evidence[0]!.reviews).toEqual([{ decision: 'REJECTED', sha256: evidence[0]!.sha256 }]);
    // The owner goes back to work (the "back to IN_PROGRESS").
    expect((await move(cm.id, v.version, 'IN_PROGRESS')).data!.moveCountermeasure.status).toBe('IN_PROGRESS');
  });

  it('two auditors on the same evidence: a review decided on an older version is a CONFLICT and changes nothing', async () => {
    const { cm, evidence } = await implemented();
    const seen = evidence[0]!; // both auditors open the evidence at this version
    expect(seen.version).toBe(1);
    const missing = await t.gql(REVIEW, { input: { evidenceId: seen.id, sha256: seen.sha256, decision: 'ACCEPTED' } }, auditor2Token);
    expect(errorCode(missing)).toBe('BAD_USER_INPUT');
    const rejected = await review(seen, 'REJECTED', '対象期間が記載されていません', auditorToken, seen.version);
    expect(rejected.errors).toBeUndefined();
    const before = await snapshotDb();
    // The second auditor, still looking at version 1, accepts: that would silently replace the rejection.
    const accepted = await review(seen, 'ACCEPTED', null, auditor2Token, seen.version);
    expect([errorCode(accepted), reasonOf(accepted)]).toEqual(['CONFLICT', 'STALE_VERSION']);
    expect(await snapshotDb()).toEqual(before);
    const v = await view(cm.id);
    expect(v.status).toBe('CHANGES_REQUESTED');
    expect(v.requirements[0]!.evidence[0]!.reviews).toEqual([{ decision: 'REJECTED', sha256: seen.sha256 }]);

    // At the same moment, on fresh evidence: exactly one of two reviews of one version lands.
    const other = evidence[1]!;
    const both = await Promise.all([
      review(other, 'ACCEPTED', null, auditorToken, other.version),
      review(other, 'NEEDS_MORE', '画面の日付が読めません', auditor2Token, other.version),
    ]);
    expect(both.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(both.map((r) => errorCode(r)).filter(Boolean)).toEqual(['CONFLICT']);
    const reviews = await t.sql('SELECT decision FROM evidence_reviews WHERE evidence_id = $1', [other.id]);
    expect(reviews).toHaveLength(1);
  });

  it('segregation of duties: no self-review, no review or sign-off by the owner or a contributor', async () => {
    // AUDITOR is never held with TASK_FORCE: this member does the work, then moves to the audit side (and back), one role at a time.
    const dual = await ctx.addMember(['TASK_FORCE'], '監査兼務');
    let dualToken = await dual.token();
    const becomes = async (roles: Role[]) => {
      const users = t.app.get(UsersService);
      await users.updateRoles(Actor.system('test'), dual.user.id, roles, (await users.getById(dual.user.id)).version);
      dualToken = await dual.token(); // the change of roles ended their sessions: they sign in again
    };
    const { cm, evidence } = await implemented();
    // The member uploads to an item they own.
    const own = await makeCountermeasure(t, ctx.incident.id, dual.user.id);
    await move(own.id, 1, 'IN_PROGRESS', null, dualToken);
    const [req] = (await view(own.id)).requirements;
    const mine = (await attest(req!.id, '自分の証跡', {}, dualToken)).data!.submitEvidenceAttestation;
    await becomes(['AUDITOR']);
    const self = await review(mine, 'ACCEPTED', null, dualToken);
    expect([errorCode(self), reasonOf(self)]).toEqual(['FORBIDDEN', 'SELF_REVIEW']);
    // Another auditor may review it, but the owner may not sign off their own item.
    expect((await review(mine, 'ACCEPTED', null, auditor2Token)).errors).toBeUndefined();
    await becomes(['TASK_FORCE']);
    await move(own.id, 2, 'IMPLEMENTED', null, dualToken);
    await becomes(['AUDITOR']);
    const ownSignOff = await t.gql(SIGN, { input: { countermeasureId: own.id, expectedVersion: 3 } }, dualToken);
    expect([errorCode(ownSignOff), reasonOf(ownSignOff)]).toEqual(['FORBIDDEN', 'CONFLICT_OF_INTEREST']);
    expect((await view(own.id)).status).toBe('IMPLEMENTED');

    // A contributor who is also an auditor neither reviews nor signs off.
    const setContrib = await t.gql(
      `mutation($input: SetCountermeasureContributorsInput!) { setCountermeasureContributors(input: $input) { version } }`,
      { input: { id: cm.id, expectedVersion: 3, userIds: [dual.user.id] } },
      await ctx.chief.token(),
    );
    expect(setContrib.errors).toBeUndefined();
    const contribReview = await review(evidence[0]!, 'ACCEPTED', null, dualToken);
    expect([errorCode(contribReview), reasonOf(contribReview)]).toEqual(['FORBIDDEN', 'CONFLICT_OF_INTEREST']);
    for (const e of evidence) expect((await review(e, 'ACCEPTED')).errors).toBeUndefined();
    const contribSign = await t.gql(SIGN, { input: { countermeasureId: cm.id, expectedVersion: 4 } }, dualToken);
    expect([errorCode(contribSign), reasonOf(contribSign)]).toEqual(['FORBIDDEN', 'CONFLICT_OF_INTEREST']);
    // Taking them off the item does not make them independent: a past contributor still may not sign off.
    const removed = await t.gql(
      `mutation($input: SetCountermeasureContributorsInput!) { setCountermeasureContributors(input: $input) { version } }`,
      { input: { id: cm.id, expectedVersion: 4, userIds: [] } },
      await ctx.chief.token(),
    );
    expect(removed.errors).toBeUndefined();
    const pastSign = await t.gql(SIGN, { input: { countermeasureId: cm.id, expectedVersion: 5 } }, dualToken);
    expect([errorCode(pastSign), reasonOf(pastSign)]).toEqual(['FORBIDDEN', 'CONFLICT_OF_INTEREST']);
    // Task-force members and executives do not review at all (role level).
    expect(errorCode(await review(evidence[0]!, 'ACCEPTED', null, ownerToken))).toBe('FORBIDDEN');
    expect(errorCode(await review(evidence[0]!, 'ACCEPTED', null, await ctx.chief.token()))).toBe('FORBIDDEN');
    expect((await view(cm.id)).status).toBe('IMPLEMENTED');
  });

  it('superseding or withdrawing evidence under VERIFIED work reopens it and revokes the sign-off; history and bytes stay', async () => {
    const { cm, evidence } = await implemented();
    for (const e of evidence) await review(e, 'ACCEPTED');
    const signed = await t.gql<{ signOffCountermeasure: { id: string } }>(
      SIGN,
      { input: { countermeasureId: cm.id, expectedVersion: 3 } },
      auditorToken,
    );
    expect(signed.errors).toBeUndefined();
    const v = await view(cm.id);
    // What was signed off keeps its requirements: adding one is refused until it is reopened.
    const frozen = await t.gql(
      `mutation($input: AddEvidenceRequirementInput!) { addEvidenceRequirement(input: $input) { version } }`,
      { input: { countermeasureId: cm.id, expectedVersion: v.version, requirement: { title: '追加の要件' } } },
      ownerToken,
    );
    expect([errorCode(frozen), reasonOf(frozen)]).toEqual(['CONFLICT', 'REQUIREMENTS_FROZEN']);
    const corrected = await attest(v.requirements[0]!.id, 'DB停止記録（訂正版）', { supersedesId: evidence[0]!.id });
    expect(corrected.data!.submitEvidenceAttestation).toMatchObject({ versionNo: 2, supersedesId: evidence[0]!.id });
    const reopened = await view(cm.id);
    expect(reopened.status).toBe('REOPENED');
    expect(reopened.history.at(-1)).toMatchObject({ fromStatus: 'VERIFIED', toStatus: 'REOPENED', cause: 'REOPEN' });
    expect(reopened.signOff).toBeNull();
    expect(reopened.signOffs).toHaveLength(1);
    expect(reopened.signOffs[0]!.revokedReason).toContain('VERIFIED → REOPENED');
    expect(reopened.requirements[0]!.evidence.map((e) => [e.versionNo, e.status])).toEqual([
      [1, 'SUPERSEDED'],
      [2, 'SUBMITTED'],
    ]);
    // The superseded version can no longer be reviewed or superseded again.
    const late = await review(evidence[0]!, 'ACCEPTED');
    expect([errorCode(late), reasonOf(late)]).toEqual(['CONFLICT', 'EVIDENCE_NOT_LIVE']);

    // Withdrawal: with a reason and the version last read; a stale version is refused.
    const stale = await t.gql(WITHDRAW, { input: { evidenceId: evidence[1]!.id, expectedVersion: 1, reason: '誤った画像' } }, ownerToken);
    expect(errorCode(stale)).toBe('CONFLICT'); // reviewed since: version 2
    const blank = await t.gql(WITHDRAW, { input: { evidenceId: evidence[1]!.id, expectedVersion: 2, reason: ' ' } }, ownerToken);
    expect(errorCode(blank)).toBe('BAD_USER_INPUT');
    const withdrawn = await t.gql<{ withdrawEvidence: { status: string; withdrawalReason: string } }>(
      WITHDRAW,
      { input: { evidenceId: evidence[1]!.id, expectedVersion: 2, reason: '誤った画像' } },
      ownerToken,
    );
    expect(withdrawn.data!.withdrawEvidence).toMatchObject({ status: 'WITHDRAWN', withdrawalReason: '誤った画像' });
    const rows = await t.sql<{ status: string }>('SELECT status FROM evidence WHERE countermeasure_id = $1 ORDER BY uploaded_at', [cm.id]);
    expect(rows.map((r) => r.status)).toEqual(['SUPERSEDED', 'WITHDRAWN', 'SUBMITTED']);
    const removeReq = await t.gql(
      `mutation($input: RemoveEvidenceRequirementInput!) { removeEvidenceRequirement(input: $input) { version } }`,
      { input: { requirementId: v.requirements[1]!.id, expectedVersion: reopened.version, reason: '不要' } },
      ownerToken,
    );
    expect([errorCode(removeReq), reasonOf(removeReq)]).toEqual(['CONFLICT', 'REQUIREMENT_HAS_EVIDENCE']);
  });

  it('withdrawing the only evidence of a requirement sends IMPLEMENTED work back to IN_PROGRESS', async () => {
    const { cm, evidence } = await implemented([{ title: '唯一の要件' }]);
    const res = await t.gql(
      WITHDRAW,
      { input: { evidenceId: evidence[0]!.id, expectedVersion: 1, reason: 'ファイル取り違え' } },
      ownerToken,
    );
    expect(res.errors).toBeUndefined();
    const v = await view(cm.id);
    expect(v.status).toBe('IN_PROGRESS');
    expect(v.history.at(-1)!.reason).toContain('ファイル取り違え');
  });

  it('submitted evidence, reviews and sign-offs cannot be changed or deleted, even in SQL', async () => {
    const { evidence } = await implemented([{ title: '改ざん検知' }]);
    await review(evidence[0]!, 'ACCEPTED');
    await expect(t.sql(`UPDATE evidence SET sha256 = $1 WHERE id = $2`, ['b'.repeat(64), evidence[0]!.id])).rejects.toThrow(
      /never changes/,
    );
    await expect(t.sql(`DELETE FROM evidence WHERE id = $1`, [evidence[0]!.id])).rejects.toThrow(/append-only/);
    await expect(t.sql(`UPDATE evidence_reviews SET decision = 'REJECTED' WHERE evidence_id = $1`, [evidence[0]!.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.sql(`DELETE FROM evidence_reviews`)).rejects.toThrow(/append-only/);
  });

  it('the review queue lists live unreviewed evidence oldest first, with its age, for auditors only', async () => {
    const first = await t.gql<{
      evidenceReviewQueue: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        nodes: { waitingDays: number; evidence: { id: string } }[];
      };
    }>(QUEUE, { first: 2 }, auditorToken);
    expect(first.errors).toBeUndefined();
    const rows = await t.sql<{ id: string }>(
      `SELECT id FROM evidence WHERE status = 'SUBMITTED' AND review_decision IS NULL ORDER BY uploaded_at, id`,
    );
    expect(first.data!.evidenceReviewQueue.totalCount).toBe(rows.length);
    const all: string[] = first.data!.evidenceReviewQueue.nodes.map((n) => n.evidence.id);
    let page = first.data!.evidenceReviewQueue;
    while (page.pageInfo.hasNextPage) {
      const next = await t.gql<{ evidenceReviewQueue: typeof page }>(QUEUE, { first: 2, after: page.pageInfo.endCursor }, auditorToken);
      page = next.data!.evidenceReviewQueue;
      all.push(...page.nodes.map((n) => n.evidence.id));
    }
    expect(all).toEqual(rows.map((r) => r.id));
    expect(first.data!.evidenceReviewQueue.nodes[0]!.waitingDays).toBe(0);
    expect(errorCode(await t.gql(QUEUE, {}, ownerToken))).toBe('FORBIDDEN');
  });

  it('a sign-off racing a withdrawal never leaves VERIFIED work resting on withdrawn evidence', async () => {
    for (let round = 0; round < 4; round++) {
      const { cm, evidence } = await implemented([{ title: `競合 ${round}` }]);
      await review(evidence[0]!, 'ACCEPTED');
      const [signed, withdrawn] = await Promise.all([
        t.gql(SIGN, { input: { countermeasureId: cm.id, expectedVersion: 3 } }, auditorToken),
        t.gql(WITHDRAW, { input: { evidenceId: evidence[0]!.id, expectedVersion: 2, reason: '同時取り下げ' } }, ownerToken),
      ]);
      // Both are serialized at the incident lock: the withdrawal always succeeds; the sign-off
      // either came first (and was then revoked by the withdrawal) or was refused.
      expect(withdrawn.errors).toBeUndefined();
      const v = await view(cm.id);
      if (signed.errors) {
        expect(errorCode(signed)).toBe('CONFLICT');
        expect(v.status).toBe('IN_PROGRESS');
        expect(v.signOffs).toHaveLength(0);
      } else {
        expect(v.status).toBe('REOPENED');
        expect(v.signOff).toBeNull();
        expect(v.signOffs[0]!.revokedReason).toContain('同時取り下げ');
      }
    }
  });

  it('each target (one system of many) has its own evidence', async () => {
    const changes = t.app.get(IncidentChangesService);
    const system = await changes.addSystem(Actor.system('test'), {
      incidentId: ctx.incident.id,
      name: `受講者管理データベース ${Date.now()}`,
    });
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    await t.app.get(CountermeasureTargetsService).setTargets(Actor.system('test'), cm.id, 1, [system.id]);
    const [target] = await t.sql<{ id: string }>('SELECT id FROM countermeasure_targets WHERE countermeasure_id = $1', [cm.id]);
    const [req] = (await view(cm.id)).requirements;
    const e = (await attest(req!.id, '受講者DBの権限棚卸し', { targetId: target!.id })).data!.submitEvidenceAttestation;
    const res = await t.gql<{ countermeasure: { targets: { evidence: { id: string }[] }[] } }>(
      `query($id: ID!) { countermeasure(id: $id) { targets { evidence { id } } } }`,
      { id: cm.id },
      ownerToken,
    );
    expect(res.data!.countermeasure.targets[0]!.evidence.map((x) => x.id)).toEqual([e.id]);
  });

  it('bad input is refused with its code and changes nothing', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const other = await makeCountermeasure(t, ctx.incident.id, owner.user.id);
    const [req] = (await view(cm.id)).requirements;
    const stranger = await ctx.addMember();
    const strangerToken = await stranger.token();
    const before = await snapshotDb();
    const base = { requirementId: req!.id, title: '証跡', statement: '確認した', effectiveOn: today };
    const cases: [Record<string, unknown>, string, string, string | undefined][] = [
      [{ ...base, requirementId: '00000000-0000-4000-8000-000000000001' }, ownerToken, 'NOT_FOUND', 'REQUIREMENT_NOT_FOUND'],
      [{ ...base, effectiveOn: addDays(today, 2) }, ownerToken, 'BAD_USER_INPUT', 'INVALID_FIELD'],
      [{ ...base, effectiveOn: '2026-02-30' }, ownerToken, 'BAD_USER_INPUT', 'INVALID_FIELD'],
      [{ ...base, statement: '   ' }, ownerToken, 'BAD_USER_INPUT', 'INVALID_FIELD'],
      [{ ...base, targetId: '00000000-0000-4000-8000-000000000002' }, ownerToken, 'NOT_FOUND', 'TARGET_NOT_FOUND'],
      [{ ...base, supersedesId: '00000000-0000-4000-8000-000000000003' }, ownerToken, 'NOT_FOUND', 'EVIDENCE_NOT_FOUND'],
      [base, strangerToken, 'FORBIDDEN', 'NOT_PERMITTED'],
      [base, auditorToken, 'FORBIDDEN', 'PERMISSION_DENIED'],
    ];
    for (const [input, token, code, reason] of cases) {
      const res = await t.gql(ATTEST, { input }, token);
      expect({ input, code: errorCode(res), reason: reasonOf(res) }).toEqual({ input, code, reason });
    }
    const badUrl = await t.gql(
      LINK,
      { input: { requirementId: req!.id, title: 'x', url: 'javascript:alert(1)', effectiveOn: today } },
      ownerToken,
    );
    expect(errorCode(badUrl)).toBe('BAD_USER_INPUT');
    const [otherReq] = (await view(other.id)).requirements;
    const otherEv = (await attest(otherReq!.id, '別対策の証跡')).data!.submitEvidenceAttestation;
    const crossSupersede = await attest(req!.id, '取り違え', { supersedesId: otherEv.id });
    expect(errorCode(crossSupersede)).toBe('BAD_USER_INPUT');
    const after = await snapshotDb();
    // Only the one deliberate submission for the other countermeasure was written.
    expect(after.evidence.length).toBe(before.evidence.length + 1);
    expect(after.trail.length).toBe(before.trail.length + 1);
    expect({
      ...after,
      evidence: after.evidence.filter((e) => e.id !== otherEv.id),
      trail: after.trail.slice(0, -1),
      reqs: after.reqs.filter((r) => r.id !== otherReq!.id),
    }).toEqual({
      ...before,
      reqs: before.reqs.filter((r) => r.id !== otherReq!.id),
    });
  });
});
