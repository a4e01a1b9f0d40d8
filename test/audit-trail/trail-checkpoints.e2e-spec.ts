import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CASE_TIME_ZONE, SystemClock, todayIn } from '@app/common';
import { fromBase64, parseNote, utf8, verifyConsistency, verifyInclusion } from '@app/proofs';
import { TrailCheckpointsJob } from '../../apps/api/src/jobs/trail-checkpoints.job';
import { sha256, trailKeyVerifies } from './trail-proof-helpers';
import { makeCountermeasure, makeIncident } from '../support/remediation-factory';
import { errorCode, TestApp } from '../support/test-app';

const CHECKPOINT_FIELDS = `treeSize rootHash body signature keyId reason createdAt createdByLabel createdBy { email } text
  cosignatures { by { email } keyId signedAt signature }`;
const CREATE = `mutation { createTrailCheckpoint { ${CHECKPOINT_FIELDS} } }`;
const LIST = `query($first: Int, $after: String) { trailCheckpoints(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { treeSize reason } } }`;
const ONE = `query($size: String!) { trailCheckpoint(size: $size) { ${CHECKPOINT_FIELDS} } }`;
const INCLUSION = `query($seq: String!, $treeSize: String!) { trailInclusionProof(seq: $seq, treeSize: $treeSize) {
  seq leafIndex leafInput treeSize rootHash hashes } }`;
const CONSISTENCY = `query($from: String!, $to: String!) { trailConsistencyProof(fromSize: $from, toSize: $to) {
  fromSize fromRootHash toSize toRootHash hashes } }`;
const VERIFY = `query($against: String) { verifyAuditTrail(against: $against) { intact
  checkpoint { source code ok message treeSize rootHash keyId currentTreeSize } } }`;
const REGISTER = `mutation($key: String!) { registerCosigningKey(publicKey: $key) { name keyId publicKey vkey } }`;
const COSIGN = `mutation($size: String!, $sig: String!) { cosignTrailCheckpoint(size: $size, signature: $sig) { ${CHECKPOINT_FIELDS} } }`;

interface Checkpoint {
  treeSize: string;
  rootHash: string;
  body: string;
  signature: string;
  keyId: string;
  reason: string;
  createdByLabel: string;
  createdBy: { email: string } | null;
  text: string;
  cosignatures: { by: { email: string } | null; keyId: string; signedAt: string; signature: string }[];
}

const sha = sha256;

describe('trail checkpoints: signed, listed, proven, co-signed', () => {
  let t: TestApp;
  let auditor: Awaited<ReturnType<TestApp['createUser']>>;
  let auditorToken: string;
  let executiveToken: string;
  let memberToken: string;
  let clockAt = Date.now();

  const head = async () => Number((await t.sql<{ n: string }>('SELECT COALESCE(MAX(seq), 0)::text AS n FROM audit_trail'))[0]!.n);
  const stored = async () => (await t.sql<{ n: string }>('SELECT count(*)::text AS n FROM trail_checkpoints'))[0]!.n;
  const create = async (token = auditorToken) => {
    const res = await t.gql<{ createTrailCheckpoint: Checkpoint }>(CREATE, {}, token);
    expect(res.errors).toBeUndefined();
    return res.data!.createTrailCheckpoint;
  };

  beforeAll(async () => {
    // The app's Clock reads the test's time (the scheduled job compares it with the newest checkpoint's).
    vi.spyOn(SystemClock.prototype, 'now').mockImplementation(() => new Date(clockAt));
    t = await TestApp.start({ CHECKPOINT_INTERVAL_SECONDS: '600', PROOF_ORIGIN: 'tracker.example.co.jp' });
    // The test runs the scheduled look itself (TrailCheckpointsJob.tick): TestApp works no job queue (JOBS_ENABLED=false).
    auditor = await t.createUser(['AUDITOR'], { email: 'kansa.hanako@example.test', displayName: '監査 花子' });
    auditorToken = await auditor.token();
    executiveToken = await (await t.createUser(['EXECUTIVE'])).token();
    memberToken = await (await t.createUser(['TASK_FORCE'])).token();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    vi.restoreAllMocks();
  });

  it('createTrailCheckpoint signs the whole trail with the trail key; asked again with nothing new, it gives the same one', async () => {
    const before = await head();
    const cp = await create();
    expect(cp.treeSize).toBe(String(before));
    expect(cp.reason).toBe('ON_DEMAND');
    expect(cp.createdBy).toEqual({ email: 'kansa.hanako@example.test' });
    expect(cp.body).toBe(`tracker.example.co.jp/trail\n${before}\n${cp.rootHash}\n`);
    expect(cp.text).toBe(`${cp.body}\n${cp.signature}\n`);
    expect(await trailKeyVerifies(t, cp.text)).toBe(true);
    const count = await stored();
    expect((await create(executiveToken)).treeSize).toBe(cp.treeSize);
    expect(await stored()).toBe(count);
    // Making a checkpoint adds nothing to the trail (it would grow the tree it just signed).
    expect(await head()).toBe(before);
  });

  it('asked for at once by several callers, one checkpoint is made and all get it', async () => {
    await t.createUser(['TASK_FORCE'], { displayName: '同時 一郎' });
    const count = Number(await stored());
    const made = await Promise.all([auditorToken, executiveToken, auditorToken, executiveToken].map((token) => create(token)));
    expect(new Set(made.map((c) => c.treeSize))).toEqual(new Set([String(await head())]));
    expect(Number(await stored())).toBe(count + 1);
  });

  it('lists newest first with pages, and finds one by size; an unknown size is NOT_FOUND, a bad one BAD_USER_INPUT', async () => {
    await t.createUser(['TASK_FORCE'], { displayName: '追加 一郎' });
    const second = await create();
    const page1 = await t.gql<{
      trailCheckpoints: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { treeSize: string }[] };
    }>(LIST, { first: 1 }, auditorToken);
    expect(page1.data!.trailCheckpoints.nodes).toEqual([{ treeSize: second.treeSize, reason: 'ON_DEMAND' }]);
    expect(page1.data!.trailCheckpoints.pageInfo.hasNextPage).toBe(true);
    const page2 = await t.gql<{ trailCheckpoints: { nodes: { treeSize: string }[] } }>(
      LIST,
      { first: 100, after: page1.data!.trailCheckpoints.pageInfo.endCursor },
      auditorToken,
    );
    const sizes = page2.data!.trailCheckpoints.nodes.map((n) => Number(n.treeSize));
    expect(sizes.every((s) => s < Number(second.treeSize))).toBe(true);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    const one = await t.gql<{ trailCheckpoint: Checkpoint }>(ONE, { size: second.treeSize }, auditorToken);
    expect(one.data!.trailCheckpoint.rootHash).toBe(second.rootHash);
    expect(errorCode(await t.gql(ONE, { size: '999999' }, auditorToken))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(ONE, { size: '12a' }, auditorToken))).toBe('BAD_USER_INPUT');
  });

  it('every entry’s inclusion proof and the consistency proof between two checkpoints verify with @app/proofs', async () => {
    const older = await create();
    await t.createUser(['EXECUTIVE'], { displayName: '証明 次郎' });
    await t.createUser(['EXECUTIVE'], { displayName: '証明 三郎' });
    const newer = await create();
    const n = Number(newer.treeSize);
    const hashes = await t.sql<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_trail ORDER BY audit_trail.seq');
    const root = fromBase64(newer.rootHash);
    for (const entry of hashes.slice(0, n)) {
      const res = await t.gql<{ trailInclusionProof: { leafIndex: number; leafInput: string; rootHash: string; hashes: string[] } }>(
        INCLUSION,
        { seq: entry.seq, treeSize: newer.treeSize },
        auditorToken,
      );
      const p = res.data!.trailInclusionProof;
      expect(p.leafInput).toBe(entry.hash);
      expect(p.rootHash).toBe(newer.rootHash);
      expect(verifyInclusion(sha, Buffer.from(entry.hash, 'hex'), p.leafIndex, n, p.hashes.map(fromBase64), root)).toBe(true);
      // The proof is for this entry only: another entry's hash does not lead to the root.
      const other = hashes[Number(entry.seq) % n]!.hash;
      if (other !== entry.hash) {
        expect(verifyInclusion(sha, Buffer.from(other, 'hex'), p.leafIndex, n, p.hashes.map(fromBase64), root)).toBe(false);
      }
    }
    const c = await t.gql<{ trailConsistencyProof: { fromRootHash: string; toRootHash: string; hashes: string[] } }>(
      CONSISTENCY,
      { from: older.treeSize, to: newer.treeSize },
      auditorToken,
    );
    const proof = c.data!.trailConsistencyProof;
    expect(proof.fromRootHash).toBe(older.rootHash);
    expect(proof.toRootHash).toBe(newer.rootHash);
    expect(verifyConsistency(sha, Number(older.treeSize), n, fromBase64(older.rootHash), root, proof.hashes.map(fromBase64))).toBe(true);
    expect(errorCode(await t.gql(CONSISTENCY, { from: newer.treeSize, to: older.treeSize }, auditorToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(INCLUSION, { seq: String(n + 1), treeSize: newer.treeSize }, auditorToken))).toBe('NOT_FOUND');
  });

  it('verifyAuditTrail compares the newest stored checkpoint without `against`, the given one with it; bad text is BAD_USER_INPUT', async () => {
    const cp = await create();
    const plain = await t.gql<{ verifyAuditTrail: { intact: boolean; checkpoint: Record<string, unknown> } }>(VERIFY, {}, auditorToken);
    expect(plain.data!.verifyAuditTrail.intact).toBe(true);
    expect(plain.data!.verifyAuditTrail.checkpoint).toMatchObject({
      source: 'STORED',
      code: 'CONSISTENT',
      ok: true,
      treeSize: cp.treeSize,
    });
    const given = await t.gql<{ verifyAuditTrail: { checkpoint: Record<string, unknown> } }>(VERIFY, { against: cp.text }, auditorToken);
    expect(given.data!.verifyAuditTrail.checkpoint).toMatchObject({ source: 'GIVEN', code: 'CONSISTENT', ok: true, keyId: cp.keyId });
    // A checkpoint signed by some other key proves nothing.
    const other = generateKeyPairSync('ed25519');
    const forged = `${cp.body}\n— tracker.example.co.jp/trail ${Buffer.concat([Buffer.from(cp.keyId, 'hex'), sign(null, utf8(cp.body), other.privateKey)]).toString('base64')}\n`;
    const bad = await t.gql<{ verifyAuditTrail: { checkpoint: Record<string, unknown> } }>(VERIFY, { against: forged }, auditorToken);
    expect(bad.data!.verifyAuditTrail.checkpoint).toMatchObject({ code: 'BAD_SIGNATURE', ok: false });
    for (const text of ['これはチェックポイントではありません', `${cp.body}`, cp.text.replace(/\n[^\n]+\n\n/, '\nnot-base64!\n\n')]) {
      expect(errorCode(await t.gql(VERIFY, { against: text }, auditorToken))).toBe('BAD_USER_INPUT');
    }
  });

  it('an auditor registers a key and co-signs; the co-signature shows on the checkpoint and in its text; a wrong one is refused', async () => {
    const cp = await create();
    const keys = generateKeyPairSync('ed25519');
    const raw = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const reg = await t.gql<{ registerCosigningKey: { name: string; keyId: string; vkey: string } }>(
      REGISTER,
      { key: raw.toString('base64') },
      auditorToken,
    );
    expect(reg.errors).toBeUndefined();
    const { name, keyId } = reg.data!.registerCosigningKey;
    expect(name).toBe('kansa.hanako@example.test');
    const line = (body: string, key = keys.privateKey, who = name, id = keyId) =>
      `— ${who} ${Buffer.concat([Buffer.from(id, 'hex'), sign(null, utf8(body), key)]).toString('base64')}`;

    const rowsBefore = await t.sql('SELECT * FROM trail_checkpoint_cosignatures');
    const wrongBody = await t.gql(COSIGN, { size: cp.treeSize, sig: line(cp.body.replace(/\n\d+\n/, '\n1\n')) }, auditorToken);
    expect(errorCode(wrongBody)).toBe('BAD_USER_INPUT');
    const otherKey = await t.gql(
      COSIGN,
      { size: cp.treeSize, sig: line(cp.body, generateKeyPairSync('ed25519').privateKey) },
      auditorToken,
    );
    expect(errorCode(otherKey)).toBe('BAD_USER_INPUT');
    const otherName = await t.gql(COSIGN, { size: cp.treeSize, sig: line(cp.body, keys.privateKey, 'someone@example.test') }, auditorToken);
    expect(errorCode(otherName)).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(COSIGN, { size: cp.treeSize, sig: 'でたらめ' }, auditorToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(COSIGN, { size: '987654', sig: line(cp.body) }, auditorToken))).toBe('NOT_FOUND');
    expect(await t.sql('SELECT * FROM trail_checkpoint_cosignatures')).toEqual(rowsBefore);

    const ok = await t.gql<{ cosignTrailCheckpoint: Checkpoint }>(COSIGN, { size: cp.treeSize, sig: line(cp.body) }, auditorToken);
    expect(ok.errors).toBeUndefined();
    const signed = ok.data!.cosignTrailCheckpoint;
    expect(signed.cosignatures).toEqual([{ by: { email: name }, keyId, signedAt: expect.any(String), signature: line(cp.body) }]);
    expect(signed.text).toBe(`${cp.body}\n${cp.signature}\n${line(cp.body)}\n`);
    const note = parseNote(signed.text);
    expect(note.signatures.map((s) => s.name)).toEqual(['tracker.example.co.jp/trail', name]);
    // The co-signed text still verifies against the trail (the extra line is by a name the tracker does not know).
    const v = await t.gql<{ verifyAuditTrail: { checkpoint: { code: string } } }>(VERIFY, { against: signed.text }, auditorToken);
    expect(v.data!.verifyAuditTrail.checkpoint.code).toBe('CONSISTENT');
    // Co-signing again changes nothing.
    await t.gql(COSIGN, { size: cp.treeSize, sig: line(cp.body) }, auditorToken);
    expect(await t.sql('SELECT * FROM trail_checkpoint_cosignatures WHERE tree_size = $1', [cp.treeSize])).toHaveLength(1);
    // Registering and co-signing are in the trail.
    const actions = await t.sql<{ action: string }>(`SELECT action FROM audit_trail WHERE actor_id = $1 ORDER BY seq`, [auditor.user.id]);
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['trail_cosigner_key.registered', 'trail_checkpoint.cosigned']));
  });

  it('co-signing without a registered key is CONFLICT; a key that is not 32 bytes of base64 is BAD_USER_INPUT', async () => {
    const other = await t.createUser(['AUDITOR']);
    const token = await other.token();
    const cp = await create();
    expect(errorCode(await t.gql(COSIGN, { size: cp.treeSize, sig: `— ${other.user.email} AAAA` }, token))).toBe('CONFLICT');
    expect(errorCode(await t.gql(REGISTER, { key: 'AAAA' }, token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(REGISTER, { key: Buffer.alloc(33).toString('base64') }, token))).toBe('BAD_USER_INPUT');
    expect(await t.sql('SELECT * FROM trail_cosigner_keys WHERE user_id = $1', [other.user.id])).toEqual([]);
  });

  it('who may call what: readers of the trail read, auditors/executives/admins make checkpoints, only auditors co-sign', async () => {
    const cp = await create();
    for (const [doc, vars] of [
      [LIST, {}],
      [ONE, { size: cp.treeSize }],
      [INCLUSION, { seq: '1', treeSize: cp.treeSize }],
      [CONSISTENCY, { from: '1', to: cp.treeSize }],
      [VERIFY, {}],
      [CREATE, {}],
      [REGISTER, { key: Buffer.alloc(32, 7).toString('base64') }],
      [COSIGN, { size: cp.treeSize, sig: '— x AAAA' }],
    ] as const) {
      expect(errorCode(await t.gql(doc, vars, memberToken))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(doc, vars))).toBe('UNAUTHENTICATED');
    }
    expect(errorCode(await t.gql(REGISTER, { key: Buffer.alloc(32, 7).toString('base64') }, executiveToken))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(COSIGN, { size: cp.treeSize, sig: '— x AAAA' }, executiveToken))).toBe('FORBIDDEN');
  });

  it('the scheduled job makes one when the trail grew and the interval has passed since the newest, none otherwise', async () => {
    const job = t.app.get(TrailCheckpointsJob);
    await create();
    const count = Number(await stored());
    clockAt += 3_600_000;
    await job.tick();
    expect(Number(await stored())).toBe(count); // nothing new in the trail: nothing to sign
    await t.createUser(['TASK_FORCE'], { displayName: '定期 四郎' });
    await job.tick();
    const made = await t.sql<{ tree_size: string; reason: string }>(
      `SELECT tree_size::text, reason FROM trail_checkpoints ORDER BY trail_checkpoints.tree_size DESC LIMIT 1`,
    );
    expect(made[0]).toEqual({ tree_size: String(await head()), reason: 'SCHEDULE' });
    expect(Number(await stored())).toBe(count + 1);
    await t.createUser(['TASK_FORCE'], { displayName: '定期 五郎' });
    clockAt += 599_000;
    await job.tick();
    expect(Number(await stored())).toBe(count + 1); // grown, but not 600 s since the newest
    clockAt += 1_000;
    await job.tick();
    expect(Number(await stored())).toBe(count + 2);
  });

  it('a sign-off, once committed, makes a checkpoint that covers it (SIGN_OFF), without waiting for the schedule', async () => {
    const ctx = await makeIncident(t);
    const owner = await ctx.addMember();
    const ownerToken = await owner.token();
    const cm = await makeCountermeasure(t, ctx.incident.id, owner.user.id, { requirements: [{ title: '停止記録' }] });
    const move = (expectedVersion: number, to: string) =>
      t.gql(
        `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { version } }`,
        { input: { id: cm.id, expectedVersion, to } },
        ownerToken,
      );
    expect((await move(1, 'IN_PROGRESS')).errors).toBeUndefined();
    const [requirement] = await t.sql<{ id: string }>('SELECT id FROM countermeasure_requirements WHERE countermeasure_id = $1', [cm.id]);
    const attested = await t.gql<{ submitEvidenceAttestation: { id: string; sha256: string } }>(
      `mutation($input: SubmitEvidenceAttestationInput!) { submitEvidenceAttestation(input: $input) { id sha256 } }`,
      {
        input: {
          requirementId: requirement!.id,
          title: 'DB停止の記録',
          statement: 'DBを停止しました。',
          effectiveOn: todayIn(CASE_TIME_ZONE, new Date(clockAt)),
        },
      },
      ownerToken,
    );
    expect(attested.errors).toBeUndefined();
    expect((await move(2, 'IMPLEMENTED')).errors).toBeUndefined();
    const evidence = attested.data!.submitEvidenceAttestation;
    const reviewed = await t.gql(
      `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { id } }`,
      { input: { evidenceId: evidence.id, sha256: evidence.sha256, expectedVersion: 1, decision: 'ACCEPTED', comment: '確認済み' } },
      auditorToken,
    );
    expect(reviewed.errors).toBeUndefined();
    const signed = await t.gql(
      `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { id } }`,
      { input: { countermeasureId: cm.id, expectedVersion: 3 } },
      auditorToken,
    );
    expect(signed.errors).toBeUndefined();
    const [entry] = await t.sql<{ seq: string }>(
      `SELECT seq::text AS seq FROM audit_trail WHERE action = 'countermeasure.signed_off' AND entity_id = $1`,
      [cm.id],
    );
    // Made by the job on the trail's commit notice: waited for, with a generous deadline.
    const deadline = Date.now() + 20_000;
    let row: { reason: string } | undefined;
    while (!row && Date.now() < deadline) {
      [row] = await t.sql<{ reason: string }>('SELECT reason FROM trail_checkpoints WHERE tree_size >= $1', [entry!.seq]);
      if (!row) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toEqual({ reason: 'SIGN_OFF' });
  });
});

describe('a checkpoint at start-up', () => {
  let t: TestApp | undefined;
  afterAll(async () => t?.close());

  it('when the trail grew while the server was down (START), none when it did not', async () => {
    t = await TestApp.start();
    const auditorToken = await (await t.createUser(['AUDITOR'])).token();
    const first = (await t.gql<{ createTrailCheckpoint: { treeSize: string } }>(CREATE, {}, auditorToken)).data!.createTrailCheckpoint;
    const sizes = () =>
      t!.sql<{ size: string; reason: string }>(
        'SELECT tree_size::text AS size, reason FROM trail_checkpoints ORDER BY trail_checkpoints.tree_size',
      );
    // Restarted with nothing new: no checkpoint.
    const before = t;
    await before.close();
    t = await TestApp.start({}, { restartOf: before });
    expect((await sizes()).at(-1)).toEqual({ size: first.treeSize, reason: 'ON_DEMAND' });
    // The trail grows, the server stops before any checkpoint covers it: the next start signs it.
    await t.createUser(['TASK_FORCE'], { displayName: '再起動 一郎' });
    const grown = Number((await t.sql<{ n: string }>('SELECT MAX(seq)::text AS n FROM audit_trail'))[0]!.n);
    const stopped = t;
    await stopped.close();
    t = await TestApp.start({}, { restartOf: stopped });
    expect((await sizes()).at(-1)).toEqual({ size: String(grown), reason: 'START' });
  }, 120_000);
});
