import type { KeyObject } from 'node:crypto';
import { zipSync } from 'fflate';
import {
  BAG,
  bagInfoTxt,
  bagitTxt,
  bundleStatement,
  canonicalDigest,
  canonicalJson,
  checkpointBody,
  fingerprint,
  formatNote,
  keysDocument,
  keysDocumentKey,
  manifestTxt,
  MerkleTree,
  noteKeyId,
  pae,
  readableJson,
  sigstoreBundle,
  signatureLine,
  toBase64,
  toHex,
  TRAIL_GENESIS_HASH,
  trailEntryHash,
  utf8,
  vkey,
  fromHex,
  type BagInfo,
  type BagSource,
  type TrailEntryRecord,
} from '@app/proofs';
import { ed25519Sign, generateEd25519, sha256 } from '@app/proofs/node';

/**
 * A valid signed evidence bundle built in memory from synthetic data with
 * @app/proofs and fresh Ed25519 keys, for the verifier's tests (Node and browser).
 *
 *   const b = makeBundle();
 *   b.files                     // Map<zip path, bytes>: edit it to tamper
 *   b.zip()                     // the zip (fflate, stored, sorted, 1980 mtime)
 *   b.keysJson / b.bundleFingerprint / b.trailFingerprint / b.auditorVkey
 *   b.statementTrailKey         // the trail key fingerprint the signed predicate names (reseal writes it)
 *   b.keptCheckpoint            // a signed checkpoint of size KEPT_SIZE (what an auditor kept)
 *   b.signCheckpoint(size, rootHash)   // another checkpoint signed by the trail key (forks)
 *   rehashManifest(b)           // manifest-sha256.txt recomputed, nothing else
 *   reseal(b, key?)             // manifest, Payload-Oxum, tag manifest, statement and signature redone
 *                                  (with the bundle key, or `key`: "re-signed with another key")
 *   memorySource(b.files)       // a BagSource for verifyBundle
 */

export const ORIGIN = 'tracker.example.jp';
export const TREE_SIZE = 14;
/** Earlier checkpoints the tracker stored (the bundle carries consistency proofs from them). */
export const STORED_SIZES = [5, 9];
/** The size of `keptCheckpoint`. */
export const KEPT_SIZE = 9;
/** Trail entries in the bundle's scope (not contiguous, as in a real bundle). */
export const SCOPE_SEQS = [1, 2, 4, 5, 6, 8, 9, 10, 12];

export const EVIDENCE: { name: string; bytes: Uint8Array }[] = [
  { name: '退職者アカウント棚卸し.csv', bytes: utf8('社員番号,氏名,状態\n1001,山田太郎,無効化済み\n1002,佐藤花子,無効化済み\n') },
  { name: 'アクセスログ確認結果.txt', bytes: utf8('2026年11月のアクセスログを確認しました。不審なアクセスはありません。\n') },
  { name: 'MFA設定画面.png', bytes: Uint8Array.from({ length: 2048 }, (_, i) => (i * 31) % 256) },
];

export interface Ed25519Key {
  privateKey: KeyObject;
  publicKey: Uint8Array;
  publicKeyPem: string;
}

export interface MadeBundle {
  files: Map<string, Uint8Array>;
  /** Payload files kept outside memory (large-file tests): listed in the manifest by their hash and size; zip them yourself. */
  external: { path: string; sha256: string; size: number }[];
  keys: { trail: Ed25519Key; bundle: Ed25519Key; auditor: Ed25519Key };
  keysJson: string;
  bundleFingerprint: string;
  trailFingerprint: string;
  /** The trail key fingerprint `reseal` writes into the signed predicate (null: none, as an older bundle). */
  statementTrailKey: string | null;
  auditorName: string;
  auditorVkey: string;
  keptCheckpoint: string;
  tree: MerkleTree;
  bagInfo: BagInfo;
  signCheckpoint(size: number, rootHash: string | Uint8Array, key?: Ed25519Key): string;
  zip(): Uint8Array;
}

const ids = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;

function trailEntries(): TrailEntryRecord[] {
  const out: TrailEntryRecord[] = [];
  let prevHash = TRAIL_GENESIS_HASH;
  for (let seq = 1; seq <= TREE_SIZE; seq++) {
    const entry = {
      seq: String(seq),
      id: ids('e0000000', seq),
      occurredAt: new Date(Date.UTC(2026, 10, 1, 0, seq, 0, seq)).toISOString(),
      actorId: ids('a0000000', 1),
      actorLabel: 'kansa@example.jp',
      action: seq % 2 ? 'evidence.submitted' : 'evidence.reviewed',
      entityType: 'evidence',
      entityId: ids('d0000000', seq),
      before: seq === 1 ? null : { 状態: '提出済み', 件数: seq - 1 },
      after: { 状態: seq % 2 ? '提出済み' : '承認済み', 件数: seq, 備考: '退職者アカウントの棚卸し' },
      requestId: `req-${seq}`,
      prevHash,
    };
    const hash = trailEntryHash(sha256, entry);
    out.push({ ...entry, hash });
    prevHash = hash;
  }
  return out;
}

export function makeBundle(): MadeBundle {
  const keys = { trail: generateEd25519(), bundle: generateEd25519(), auditor: generateEd25519() };
  const trailName = `${ORIGIN}/trail`;
  const auditorName = 'kansa@example.jp';
  const at = '2026-11-01T00:00:00.000Z';
  const keysJson = readableJson(
    keysDocument(ORIGIN, [
      keysDocumentKey(sha256, {
        purpose: 'trail',
        name: trailName,
        publicKey: keys.trail.publicKey,
        status: 'ACTIVE',
        activatedAt: at,
        retiredAt: null,
      }),
      keysDocumentKey(sha256, {
        purpose: 'bundle',
        name: `${ORIGIN}/bundles`,
        publicKey: keys.bundle.publicKey,
        status: 'ACTIVE',
        activatedAt: at,
        retiredAt: null,
      }),
    ]),
  );
  const signCheckpoint = (size: number, rootHash: string | Uint8Array, key: Ed25519Key = keys.trail) => {
    const body = checkpointBody({ origin: trailName, size, rootHash });
    return formatNote(body, [
      signatureLine(trailName, noteKeyId(sha256, trailName, key.publicKey), ed25519Sign(key.privateKey, utf8(body))),
    ]);
  };

  const entries = trailEntries();
  const tree = MerkleTree.fromLeafInputs(
    sha256,
    entries.map((e) => fromHex(e.hash)),
  );
  const root = toBase64(tree.root());
  const body = checkpointBody({ origin: trailName, size: TREE_SIZE, rootHash: root });
  const cosign = signatureLine(
    auditorName,
    noteKeyId(sha256, auditorName, keys.auditor.publicKey),
    ed25519Sign(keys.auditor.privateKey, utf8(body)),
  );
  const checkpointText = signCheckpoint(TREE_SIZE, root) + cosign;

  const files = new Map<string, Uint8Array>();
  const data = (path: string, bytes: Uint8Array | string) =>
    files.set(`${BAG}/data/${path}`, typeof bytes === 'string' ? utf8(bytes) : bytes);
  const record = (name: string, rows: unknown[]) => data(`records/${name}.json`, canonicalJson(rows));

  const evidence = EVIDENCE.map((f, i) => {
    const sha = toHex(sha256(f.bytes));
    const path = `data/evidence/${sha}/${f.name}`;
    files.set(`${BAG}/${path}`, f.bytes);
    return {
      id: ids('d0000000', i + 1),
      countermeasureId: ids('c0000000', 1),
      requirementId: ids('b0000000', i + 1),
      versionNo: 1,
      kind: 'FILE',
      status: 'SUBMITTED',
      sha256: sha,
      fileName: f.name,
      mediaType: 'application/octet-stream',
      size: f.bytes.length,
      path,
    };
  });
  const attestation = {
    ...evidence[0],
    id: ids('d0000000', 9),
    kind: 'ATTESTATION',
    sha256: canonicalDigest(sha256, { 宣誓: '確認済み' }),
    fileName: null,
    size: null,
    path: null,
  };
  const signOffPayload = {
    format: 'sign-off/v1',
    countermeasure: { id: ids('c0000000', 1), key: 'CM-001', incidentId: ids('10000000', 1), title: '退職者アカウントの無効化' },
    auditor: { id: ids('a0000000', 1), label: auditorName },
    signedAt: '2026-11-20T01:02:03.456Z',
    statement: '全ての要件の証跡を確認しました。',
    evidence: [...evidence, attestation].map((e) => ({
      requirementId: e.requirementId,
      requirementTitle: '棚卸し',
      evidenceId: e.id,
      versionNo: 1,
      kind: e.kind,
      sha256: e.sha256,
      reviewId: ids('f0000000', 1),
      reviewedAt: '2026-11-19T00:00:00.000Z',
    })),
    riskAcceptances: [],
  };
  const signOff = {
    id: ids('50000000', 1),
    countermeasureId: ids('c0000000', 1),
    payload: signOffPayload,
    digest: canonicalDigest(sha256, signOffPayload),
    signedAt: signOffPayload.signedAt,
    revokedAt: null,
  };
  const clearancePayload = {
    format: 'clearance/v1',
    clearanceId: ids('60000000', 1),
    engagementId: ids('70000000', 1),
    incidentId: ids('10000000', 1),
    firm: '監査法人さくら',
    leadAuditorId: ids('a0000000', 1),
    clearedBy: { id: ids('a0000000', 1), label: auditorName },
    clearedAt: '2026-11-25T00:00:00.000Z',
    statement: '是正は有効に運用されています。',
    countermeasures: [
      {
        id: ids('c0000000', 1),
        key: 'CM-001',
        status: 'VERIFIED',
        signOff: { id: signOff.id, digest: signOff.digest, signedAt: signOff.signedAt },
        evidence: evidence.map((e) => ({ id: e.id, requirementId: e.requirementId, sha256: e.sha256 })),
      },
    ],
    systems: [],
    findings: [],
  };
  const clearance = {
    id: ids('60000000', 1),
    engagementId: ids('70000000', 1),
    payload: clearancePayload,
    digest: canonicalDigest(sha256, clearancePayload),
    clearedAt: clearancePayload.clearedAt,
  };

  record('incident', [{ id: ids('10000000', 1), title: '顧客情報の漏えい' }]);
  record('countermeasures', [{ id: ids('c0000000', 1), key: 'CM-001', title: '退職者アカウントの無効化' }]);
  record('requirements', []);
  record('evidence', [...evidence, attestation]);
  record('reviews', []);
  record('sign-offs', [signOff]);
  record('engagements', []);
  record('findings', []);
  record('clearances', [clearance]);
  record('risk-acceptances', []);
  record('gate-history', []);
  const inScope = entries.filter((e) => SCOPE_SEQS.includes(Number(e.seq)));
  data('trail/entries.jsonl', inScope.map((e) => `${canonicalJson(e)}\n`).join(''));
  data('trail/checkpoint.txt', checkpointText);
  data(
    'trail/proofs.json',
    canonicalJson({
      treeSize: TREE_SIZE,
      rootHash: root,
      inclusion: inScope.map((e) => ({
        seq: Number(e.seq),
        leafIndex: Number(e.seq) - 1,
        hashes: tree.inclusionProof(Number(e.seq) - 1).map(toBase64),
      })),
      consistency: STORED_SIZES.map((m) => ({
        fromSize: m,
        fromRootHash: toBase64(tree.root(m)),
        hashes: tree.consistencyProof(m).map(toBase64),
      })),
    }),
  );
  data('report/status-report.pdf', utf8('%PDF-1.4 状況報告書 / status report\n'));
  files.set('keys.json', utf8(keysJson));
  files.set('VERIFY.txt', utf8('検証方法 / How to verify\n'));

  const made: MadeBundle = {
    files,
    external: [],
    keys,
    keysJson,
    bundleFingerprint: fingerprint(sha256, keys.bundle.publicKey),
    trailFingerprint: fingerprint(sha256, keys.trail.publicKey),
    statementTrailKey: fingerprint(sha256, keys.trail.publicKey),
    auditorName,
    auditorVkey: vkey(sha256, auditorName, keys.auditor.publicKey),
    keptCheckpoint: signCheckpoint(KEPT_SIZE, tree.root(KEPT_SIZE)),
    tree,
    bagInfo: {
      sourceOrganization: ORIGIN,
      scope: 'INCIDENT',
      scopeId: ids('10000000', 1),
      incidentId: ids('10000000', 1),
      baggingDate: '2026-12-01',
      asOf: '2026-11-30T15:00:00.000Z',
      generator: 'remediation-tracker 0.1.0',
      checkpointSize: TREE_SIZE,
      payloadOxum: '',
    },
    signCheckpoint,
    zip: () => zipFiles(files),
  };
  reseal(made);
  return made;
}

const text = (b: MadeBundle, path: string) => new TextDecoder().decode(b.files.get(path));
const payloadEntries = (b: MadeBundle) =>
  [...b.files.entries()]
    .filter(([p]) => p.startsWith(`${BAG}/data/`))
    .map(([p, bytes]) => ({ path: p.slice(BAG.length + 1), sha256: toHex(sha256(bytes)), size: bytes.length }))
    .concat(b.external.map((e) => ({ path: e.path.slice(BAG.length + 1), sha256: e.sha256, size: e.size })));

/** Recomputes manifest-sha256.txt from the data files (and nothing else). */
export function rehashManifest(b: MadeBundle): void {
  b.files.set(`${BAG}/manifest-sha256.txt`, utf8(manifestTxt(payloadEntries(b))));
}

/** Redoes everything a signer does: manifest, bag-info (Payload-Oxum), tag manifest, statement, signature (with `key`, default the bundle key). */
export function reseal(b: MadeBundle, key: Ed25519Key = b.keys.bundle): void {
  const payload = payloadEntries(b);
  rehashManifest(b);
  const info = bagInfoTxt({ ...b.bagInfo, payloadOxum: `${payload.reduce((n, f) => n + f.size, 0)}.${payload.length}` });
  b.files.set(`${BAG}/bagit.txt`, utf8(bagitTxt()));
  b.files.set(`${BAG}/bag-info.txt`, utf8(info));
  const tags = ['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt'].map((p) => ({
    path: p,
    sha256: toHex(sha256(b.files.get(`${BAG}/${p}`)!)),
  }));
  const tagManifest = utf8(manifestTxt(tags));
  b.files.set(`${BAG}/tagmanifest-sha256.txt`, tagManifest);
  const signOffs = JSON.parse(text(b, `${BAG}/data/records/sign-offs.json`)) as { id: string; countermeasureId: string; digest: string }[];
  const clearances = JSON.parse(text(b, `${BAG}/data/records/clearances.json`)) as { id: string; digest: string }[];
  const proofs = JSON.parse(text(b, `${BAG}/data/trail/proofs.json`)) as { treeSize: number; rootHash: string };
  const statement = bundleStatement(toHex(sha256(tagManifest)), {
    scope: b.bagInfo.scope,
    scopeId: b.bagInfo.scopeId,
    incidentId: b.bagInfo.incidentId,
    asOf: b.bagInfo.asOf,
    generator: b.bagInfo.generator,
    checkpoint: {
      origin: `${ORIGIN}/trail`,
      size: proofs.treeSize,
      rootHash: proofs.rootHash,
      ...(b.statementTrailKey === null ? {} : { keyFingerprint: b.statementTrailKey }),
    },
    signOffs: signOffs.map((s) => ({ id: s.id, countermeasureId: s.countermeasureId, digest: s.digest })),
    clearances: clearances.map((c) => ({ id: c.id, digest: c.digest })),
  });
  const statementBytes = utf8(canonicalJson(statement));
  const signature = ed25519Sign(key.privateKey, pae('application/vnd.in-toto+json', statementBytes));
  b.files.set('bundle.sigstore.json', utf8(readableJson(sigstoreBundle(statementBytes, signature, fingerprint(sha256, key.publicKey)))));
}

/** The zip of the files: stored (level 0), sorted by path, mtime 1980-01-01. */
export function zipFiles(files: Map<string, Uint8Array>): Uint8Array {
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  const sorted = [...files.keys()].sort();
  return zipSync(Object.fromEntries(sorted.map((p) => [p, [files.get(p)!, { level: 0, mtime }]])));
}

/** A BagSource over in-memory files. */
export function memorySource(files: Map<string, Uint8Array>): BagSource {
  return {
    paths: () => [...files.keys()],
    read: (path) => Promise.resolve(files.get(path)!),
    digest: (path) => Promise.resolve({ sha256: toHex(sha256(files.get(path)!)), size: files.get(path)!.length }),
  };
}
