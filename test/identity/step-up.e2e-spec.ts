import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor, CASE_TIME_ZONE, addDays, todayIn } from '@app/common';
import { PromotionGateService } from '@app/promotion-gate';
import { readSignerProof } from '@app/proofs';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp, type GqlResponse } from '../support/test-app';

/**
 * Step-up at the moments that matter (issue 16): the seven operations that sign a record — a sign-off, a
 * clearance, a risk acceptance (finding, requirement), a gate's reopening, a PPC filing's submission, a signing
 * key's rotation — need a second factor proved in the last 5 minutes (STEP_UP_MAX_AGE_SECONDS, the default 300
 * here). With an older proof each is refused with STEP_UP_REQUIRED, saying how to get one, and nothing is written;
 * with a fresh one the record (or its trail entry) keeps how and when the signer proved it, and the sign-off's
 * and the clearance's digest covers that proof.
 */

const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { version } }`;
const ATTEST = `mutation($input: SubmitEvidenceAttestationInput!) { submitEvidenceAttestation(input: $input) { id sha256 } }`;
const REVIEW = `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { decision } }`;
const SIGN = `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { id digest payloadJson } }`;
const CREATE_ENGAGEMENT = `mutation($input: CreateAuditEngagementInput!) { createAuditEngagement(input: $input) { id } }`;
const MOVE_ENGAGEMENT = `mutation($input: MoveAuditEngagementInput!) { moveAuditEngagement(input: $input) { id } }`;
const RAISE = `mutation($input: RaiseAuditFindingInput!) { raiseAuditFinding(input: $input) { id version } }`;
const CLEAR = `mutation($input: ClearAuditInput!) { clearAudit(input: $input) { id digest payload } }`;
const AUTHORIZE = `mutation($input: GateDecisionInput!) { authorizeGateReopening(input: $input) { state version } }`;
const ACCEPT_FINDING = `mutation($input: AcceptFindingRiskInput!) { acceptFindingRisk(input: $input) { id status } }`;
const ACCEPT_REQUIREMENT = `mutation($input: AcceptRequirementRiskInput!) { acceptRequirementRisk(input: $input) { id status } }`;
const OPEN_RECORD = `mutation($input: OpenBreachNotificationInput!) { openBreachNotification(input: $input) { id } }`;
const DRAFT = `mutation($input: CreateBreachFilingDraftInput!) { createBreachFilingDraft(input: $input) { id version } }`;
const SUBMIT = `mutation($input: SubmitBreachFilingInput!) { submitBreachFiling(input: $input) { id status itemsSha256 } }`;
const ROTATE = `mutation($purpose: SigningKeyPurpose!) { rotateSigningKey(purpose: $purpose) { fingerprint status } }`;

type Proof = { method: string; at: string; amr: string[] | null; acr: string | null };

const ok = <T>(res: GqlResponse<T>): T => {
  expect(res.errors).toBeUndefined();
  return res.data!;
};
const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** What an auditor's own tool does: RFC 8785 canonical JSON of the stored payload, SHA-256, lowercase hex. */
const recompute = (payload: unknown) => sha256Hex(canonicalize(payload)!);

describe('step-up: the operations that sign a record need a second factor proved in the last 5 minutes', () => {
  let t: TestApp;
  let ctx: Awaited<ReturnType<typeof makeIncident>>;
  let today: string;
  const tokens: Record<'chief' | 'owner' | 'lead' | 'exec' | 'admin', string> = {} as never;

  beforeAll(async () => {
    // The production window (TestApp's default is a day, so that other specs never depend on how long they run).
    t = await TestApp.start({ STEP_UP_MAX_AGE_SECONDS: '300' });
    today = todayIn(CASE_TIME_ZONE, new Date());
    ctx = await makeIncident(t, '会員情報の漏えい');
    const owner = await ctx.addMember(['TASK_FORCE'], 'システム運用担当');
    const lead = await t.createUser(['AUDITOR'], { displayName: '監査 主任' });
    const exec = await t.createUser(['EXECUTIVE'], { displayName: '役員 次郎' });
    const admin = await t.createUser(['ADMIN']);
    tokens.chief = await ctx.chief.token();
    tokens.owner = await owner.token();
    tokens.lead = await lead.token();
    tokens.exec = await exec.token();
    tokens.admin = await admin.token();
    leadId = lead.user.id;
    ownerId = owner.user.id;
  });
  afterAll(async () => t?.close());
  let leadId: string;
  let ownerId: string;

  /** The session a token names: its second factor proved 10 minutes ago (older than the 5-minute window). */
  const staleProof = (token: string) =>
    t.sql(`UPDATE auth_sessions SET second_factor_at = now() - interval '10 minutes' WHERE id = $1`, [TestApp.sessionOf(token)]);
  /** Proved just now (as verifySecondFactor does): the time the record must carry. */
  const freshProof = async (token: string): Promise<string> => {
    const [row] = await t.sql<{ at: Date }>(
      `UPDATE auth_sessions SET second_factor_at = date_trunc('milliseconds', now()) WHERE id = $1 RETURNING second_factor_at AS at`,
      [TestApp.sessionOf(token)],
    );
    return row!.at.toISOString();
  };

  /** Every row a step-up operation could write (sessions aside), and the trail's length. */
  const dbState = async () => ({
    countermeasures: await t.sql('SELECT * FROM countermeasures ORDER BY id'),
    requirements: await t.sql('SELECT * FROM countermeasure_requirements ORDER BY id'),
    signOffs: await t.sql('SELECT * FROM countermeasure_sign_offs ORDER BY id'),
    engagements: await t.sql('SELECT * FROM audit_engagements ORDER BY id'),
    clearances: await t.sql('SELECT * FROM audit_clearances ORDER BY id'),
    findings: await t.sql('SELECT * FROM audit_findings ORDER BY id'),
    acceptances: await t.sql('SELECT * FROM audit_risk_acceptances ORDER BY id'),
    gates: await t.sql('SELECT * FROM promotion_gates ORDER BY id'),
    gateHistory: await t.sql('SELECT id FROM promotion_gate_history ORDER BY id'),
    filings: await t.sql('SELECT * FROM breach_filings ORDER BY id'),
    keys: await t.sql('SELECT * FROM signing_keys ORDER BY id'),
    trail: await t.sql('SELECT seq FROM audit_trail ORDER BY seq'),
  });

  /** With a 10-minute-old proof: STEP_UP_REQUIRED, saying how to get one, and the database as it was. */
  async function refusedWhenStale(token: string, call: () => Promise<GqlResponse>) {
    await staleProof(token);
    const before = await dbState();
    const res = await call();
    expect(errorCode(res)).toBe('STEP_UP_REQUIRED');
    expect(res.data ?? null).toBeNull();
    expect(res.errors![0]!.extensions).toMatchObject({ maxAgeSeconds: 300, methods: ['TOTP', 'RECOVERY_CODE', 'PASSKEY'] });
    expect(Date.parse(res.errors![0]!.extensions!.provedAt as string)).toBeLessThan(Date.now() - 9 * 60_000);
    expect(res.errors![0]!.message).toMatch(/verifySecondFactor/);
    expect(await dbState()).toEqual(before);
  }

  /**
   * A signed record's proof cannot be rewritten: the database refuses it, in the column as in the hashed payload.
   * Past that guard (triggers off, as the database's owner could): a proof changed in the payload (another method,
   * another time) no longer gives the stored digest when recomputed. The row is put back as it was after.
   */
  async function tamperingRefusedAndDetected(table: string, id: string, proof: Proof, refusal: RegExp) {
    const read = async () =>
      (await t.sql<{ payload: Record<string, unknown>; digest: string }>(`SELECT payload, digest FROM ${table} WHERE id = $1`, [id]))[0]!;
    const original = await read();
    const forgeries = [
      { ...proof, method: 'PASSKEY' },
      { ...proof, at: new Date(Date.parse(proof.at) - 1).toISOString() },
    ];
    for (const forged of forgeries) {
      await expect(t.sql(`UPDATE ${table} SET signer_proof = $2::jsonb WHERE id = $1`, [id, JSON.stringify(forged)])).rejects.toThrow(
        refusal,
      );
      await expect(
        t.sql(`UPDATE ${table} SET payload = jsonb_set(payload, '{signerProof}', $2::jsonb) WHERE id = $1`, [id, JSON.stringify(forged)]),
      ).rejects.toThrow(refusal);
    }
    const bypass = (payload: unknown) =>
      t.sql(
        `BEGIN; SET LOCAL session_replication_role = replica; UPDATE ${table} SET payload = $j$${JSON.stringify(payload)}$j$::jsonb WHERE id = '${id}'; COMMIT`,
      );
    try {
      for (const forged of forgeries) {
        await bypass({ ...original.payload, signerProof: forged });
        const tampered = await read();
        expect(tampered.payload.signerProof).toEqual(forged);
        expect(recompute(tampered.payload)).not.toBe(tampered.digest);
      }
    } finally {
      await bypass(original.payload);
    }
    expect(recompute((await read()).payload)).toBe(original.digest);
  }

  /** The newest trail entry of an action about an entity: its `after`. */
  const trailAfter = async (action: string, entityId: string) =>
    (
      await t.sql<{ after: Record<string, unknown> }>(
        `SELECT after FROM audit_trail WHERE action = $1 AND entity_id = $2 ORDER BY seq DESC LIMIT 1`,
        [action, entityId],
      )
    )[0]?.after;

  let gateCm: { id: string };
  let engagementId: string;
  let findingId: string;

  it('signOffCountermeasure: refused with a stale proof; with a fresh one the sign-off (payload, digest, column, trail) carries it, unchangeable, and the digest covers it', async () => {
    gateCm = await makeCountermeasure(t, ctx.incident.id, ownerId, { requiredForGate: true, requirements: [{ title: '権限棚卸し結果' }] });
    ok(await t.gql(MOVE, { input: { id: gateCm.id, expectedVersion: 1, to: 'IN_PROGRESS' } }, tokens.owner));
    const [req] = await t.sql<{ id: string }>('SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1', [gateCm.id]);
    const e = ok(
      await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
        ATTEST,
        { input: { requirementId: req!.id, title: '棚卸し', statement: '退職者のアカウントを全て無効化した', effectiveOn: today } },
        tokens.owner,
      ),
    ).submitEvidenceAttestation;
    ok(await t.gql(MOVE, { input: { id: gateCm.id, expectedVersion: 2, to: 'IMPLEMENTED' } }, tokens.owner));
    // Reviewing evidence is not a step-up operation: a stale proof is enough.
    await staleProof(tokens.lead);
    ok(await t.gql(REVIEW, { input: { evidenceId: e.id, sha256: e.sha256, expectedVersion: 1, decision: 'ACCEPTED' } }, tokens.lead));

    const input = { countermeasureId: gateCm.id, expectedVersion: 3, statement: '証跡を確認した' };
    await refusedWhenStale(tokens.lead, () => t.gql(SIGN, { input }, tokens.lead));

    const provedAt = await freshProof(tokens.lead);
    const signed = ok(
      await t.gql<{ signOffCountermeasure: { id: string; digest: string; payloadJson: string } }>(SIGN, { input }, tokens.lead),
    ).signOffCountermeasure;
    const proof: Proof = { method: 'TOTP', at: provedAt, amr: null, acr: null };
    const payload = JSON.parse(signed.payloadJson) as Record<string, unknown>;
    expect(payload).toMatchObject({ format: 'sign-off/v2', signerProof: proof });
    expect(recompute(payload)).toBe(signed.digest);
    const [row] = await t.sql<{ signer_proof: Proof; payload: Record<string, unknown>; digest: string }>(
      'SELECT signer_proof, payload, digest FROM countermeasure_sign_offs WHERE id = $1',
      [signed.id],
    );
    expect(row!.signer_proof).toEqual(proof);
    expect(recompute(row!.payload)).toBe(row!.digest);
    expect(readSignerProof('sign-off', row!.payload)).toEqual({ status: 'PROVED', method: 'TOTP' });
    expect(await trailAfter('countermeasure.signed_off', gateCm.id)).toMatchObject({ digest: signed.digest, signerProof: proof });

    await tamperingRefusedAndDetected('countermeasure_sign_offs', signed.id, proof, /only ever revoked/);
  });

  it('clearAudit: refused with a stale proof; with a fresh one the clearance carries it in its hashed snapshot and column, both unchangeable', async () => {
    engagementId = ok(
      await t.gql<{ createAuditEngagement: { id: string } }>(
        CREATE_ENGAGEMENT,
        {
          input: {
            incidentId: ctx.incident.id,
            title: '外部監査',
            firm: '監査法人さくら',
            leadAuditorId: leadId,
            countermeasureIds: [gateCm.id],
          },
        },
        tokens.chief,
      ),
    ).createAuditEngagement.id;
    const version = async () =>
      (await t.sql<{ version: number }>('SELECT version FROM audit_engagements WHERE id = $1', [engagementId]))[0]!.version;
    for (const to of ['FIELDWORK', 'REPORTING']) {
      ok(await t.gql(MOVE_ENGAGEMENT, { input: { id: engagementId, expectedVersion: await version(), to } }, tokens.lead));
    }
    // A LOW finding (it does not block the clearance): its risk is accepted below.
    findingId = ok(
      await t.gql<{ raiseAuditFinding: { id: string } }>(
        RAISE,
        { input: { engagementId, severity: 'LOW', title: '手順書の版管理', description: '手順書に改訂履歴がない。' } },
        tokens.lead,
      ),
    ).raiseAuditFinding.id;

    const input = async () => ({ engagementId, expectedVersion: await version(), statement: '全対象の運用を確認した' });
    const stale = await input();
    await refusedWhenStale(tokens.lead, () => t.gql(CLEAR, { input: stale }, tokens.lead));

    const provedAt = await freshProof(tokens.lead);
    const cleared = ok(
      await t.gql<{ clearAudit: { id: string; digest: string; payload: Record<string, unknown> } }>(
        CLEAR,
        { input: await input() },
        tokens.lead,
      ),
    ).clearAudit;
    const proof: Proof = { method: 'TOTP', at: provedAt, amr: null, acr: null };
    expect(cleared.payload).toMatchObject({ format: 'clearance/v2', signerProof: proof });
    expect(recompute(cleared.payload)).toBe(cleared.digest);
    const [row] = await t.sql<{ signer_proof: Proof; payload: Record<string, unknown>; digest: string }>(
      'SELECT signer_proof, payload, digest FROM audit_clearances WHERE id = $1',
      [cleared.id],
    );
    expect(row!.signer_proof).toEqual(proof);
    expect(recompute(row!.payload)).toBe(row!.digest);
    expect(await trailAfter('audit.cleared', engagementId)).toMatchObject({ digest: cleared.digest, signerProof: proof });

    await tamperingRefusedAndDetected('audit_clearances', cleared.id, proof, /only ever withdrawn/);
  });

  it('authorizeGateReopening: refused with a stale proof; with a fresh one the gate opens and its trail entry carries the proof', async () => {
    const gates = t.app.get(PromotionGateService);
    await gates.create(Actor.system('test'), {
      incidentId: ctx.incident.id,
      key: 'member-signup',
      name: '新規会員登録',
      reason: '監査完了まで停止',
    });
    const gate = await gates.getByKey('member-signup');
    expect(gate.state).toBe('ELIGIBLE');
    const input = { key: 'member-signup', expectedVersion: gate.version, statement: '監査完了を確認し再開を承認する' };
    await refusedWhenStale(tokens.chief, () => t.gql(AUTHORIZE, { input }, tokens.chief));

    const provedAt = await freshProof(tokens.chief);
    expect(
      ok(await t.gql<{ authorizeGateReopening: { state: string } }>(AUTHORIZE, { input }, tokens.chief)).authorizeGateReopening.state,
    ).toBe('OPEN');
    expect(await trailAfter('gate.authorized', gate.id)).toEqual({
      state: 'OPEN',
      statement: input.statement,
      signerProof: { method: 'TOTP', at: provedAt, amr: null, acr: null },
    });
  });

  it('acceptFindingRisk: refused with a stale proof; with a fresh one the acceptance and its trail entry carry the proof', async () => {
    const [f] = await t.sql<{ version: number }>('SELECT version FROM audit_findings WHERE id = $1', [findingId]);
    const input = {
      findingId,
      expectedVersion: f!.version,
      justification: '次回改訂で対応する',
      compensatingControls: '改訂時は部長が承認する',
      expiresOn: addDays(today, 30),
    };
    await refusedWhenStale(tokens.exec, () => t.gql(ACCEPT_FINDING, { input }, tokens.exec));

    const provedAt = await freshProof(tokens.exec);
    const accepted = ok(
      await t.gql<{ acceptFindingRisk: { id: string; status: string } }>(ACCEPT_FINDING, { input }, tokens.exec),
    ).acceptFindingRisk;
    const proof: Proof = { method: 'TOTP', at: provedAt, amr: null, acr: null };
    const [row] = await t.sql<{ signer_proof: Proof }>('SELECT signer_proof FROM audit_risk_acceptances WHERE id = $1', [accepted.id]);
    expect(row!.signer_proof).toEqual(proof);
    expect(await trailAfter('risk_acceptance.accepted', accepted.id)).toMatchObject({ findingId, signerProof: proof });
  });

  it('acceptRequirementRisk: refused with a stale proof; with a fresh one the acceptance and its trail entry carry the proof', async () => {
    const cm = await makeCountermeasure(t, ctx.incident.id, ownerId, { requirements: [{ title: '委託先の監査報告書' }] });
    const [req] = await t.sql<{ id: string }>('SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1', [cm.id]);
    const input = {
      requirementId: req!.id,
      justification: '委託先の監査は来期に実施される',
      compensatingControls: '委託先から月次で作業報告を受ける',
      expiresOn: addDays(today, 60),
    };
    await refusedWhenStale(tokens.exec, () => t.gql(ACCEPT_REQUIREMENT, { input }, tokens.exec));

    const provedAt = await freshProof(tokens.exec);
    const accepted = ok(
      await t.gql<{ acceptRequirementRisk: { id: string } }>(ACCEPT_REQUIREMENT, { input }, tokens.exec),
    ).acceptRequirementRisk;
    const proof: Proof = { method: 'TOTP', at: provedAt, amr: null, acr: null };
    const [row] = await t.sql<{ signer_proof: Proof }>('SELECT signer_proof FROM audit_risk_acceptances WHERE id = $1', [accepted.id]);
    expect(row!.signer_proof).toEqual(proof);
    expect(await trailAfter('risk_acceptance.accepted', accepted.id)).toMatchObject({ requirementId: req!.id, signerProof: proof });
  });

  it('submitBreachFiling: refused with a stale proof (the draft stays a draft); with a fresh one it is submitted and its trail entry carries the proof', async () => {
    ok(
      await t.gql(
        OPEN_RECORD,
        {
          input: {
            incidentId: ctx.incident.id,
            knownAt: '2026-07-03T10:00:00+09:00',
            cases: [{ code: 'UNLAWFUL_PURPOSE', rationale: '外部からの不正アクセスによる持ち出しの疑い' }],
            individualsEstimate: 1200,
            individualsEstimatedOn: '2026-07-04',
            authorityCode: 'DELEGATED_MINISTER',
            authorityName: '経済産業大臣',
            reporter: '株式会社テスト',
          },
        },
        tokens.chief,
      ),
    );
    const draft = ok(
      await t.gql<{ createBreachFilingDraft: { id: string; version: number } }>(
        DRAFT,
        { input: { incidentId: ctx.incident.id, kind: 'PRELIMINARY' } },
        tokens.chief,
      ),
    ).createBreachFilingDraft;
    const input = {
      filingId: draft.id,
      expectedVersion: draft.version,
      submittedAt: '2026-07-06T18:00:00.000Z',
      channel: 'PPC_WEB_FORM',
      referenceNumber: '受付-2026-000456',
    };
    await refusedWhenStale(tokens.chief, () => t.gql(SUBMIT, { input }, tokens.chief));

    const provedAt = await freshProof(tokens.chief);
    const filed = ok(
      await t.gql<{ submitBreachFiling: { status: string; itemsSha256: string } }>(SUBMIT, { input }, tokens.chief),
    ).submitBreachFiling;
    expect(filed.status).toBe('SUBMITTED');
    expect(await trailAfter('breach_filing.submitted', draft.id)).toMatchObject({
      itemsSha256: filed.itemsSha256,
      signerProof: { method: 'TOTP', at: provedAt, amr: null, acr: null },
    });
  });

  it('rotateSigningKey: refused with a stale proof (the key stays); with a fresh one the new key’s trail entry carries the proof', async () => {
    await refusedWhenStale(tokens.admin, () => t.gql(ROTATE, { purpose: 'BUNDLE' }, tokens.admin));

    const provedAt = await freshProof(tokens.admin);
    const rotated = ok(
      await t.gql<{ rotateSigningKey: { fingerprint: string; status: string } }>(ROTATE, { purpose: 'BUNDLE' }, tokens.admin),
    ).rotateSigningKey;
    expect(rotated.status).toBe('ACTIVE');
    const [key] = await t.sql<{ id: string }>('SELECT id FROM signing_keys WHERE fingerprint = $1', [rotated.fingerprint]);
    expect(await trailAfter('signing_key.activated', key!.id)).toMatchObject({
      fingerprint: rotated.fingerprint,
      signerProof: { method: 'TOTP', at: provedAt, amr: null, acr: null },
    });
  });

  it('the trail never holds a secret of the factor: only method, time and the IdP’s amr/acr', async () => {
    const rows = await t.sql<{ after: Record<string, unknown> }>(`SELECT after FROM audit_trail WHERE after ? 'signerProof'`);
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const r of rows) expect(Object.keys(r.after.signerProof as object).sort()).toEqual(['acr', 'amr', 'at', 'method']);
  });
});
