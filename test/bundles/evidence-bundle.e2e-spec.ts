import { createHash, createPublicKey, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash } from '@app/audit-trail';
import {
  canonicalJson,
  checkNoteSignature,
  DSSE_PAYLOAD_TYPE,
  fromBase64,
  LAYOUT_FILES,
  pae,
  parseBagInfo,
  parseManifest,
  parseNote,
  payloadOxum,
  verifyConsistency,
  verifyInclusion,
} from '@app/proofs';
import { ed25519Verify, sha256 } from '@app/proofs/node';
import { TestApp } from '../support/test-app';
import { download, exportBundle, waitFor, type ApiBundle } from './bundle-support';
import { readZip, type ZipEntryRead } from './bundle-zip-reader';

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

interface KeysDoc {
  keys: { purpose: string; name: string; fingerprint: string; publicKey: string; publicKeyPem: string; status: string }[];
}

/**
 * The evidence bundle end to end on the demo case: an auditor exports the
 * incident, the zip downloaded over HTTP is a complete BagIt bag whose tag
 * manifest is the signed subject, signed by the bundle key the tracker
 * publishes; the evidence files are the recorded bytes; every bundled trail
 * entry hashes right and is proven in the signed checkpoint; the same as-of
 * gives the same bytes; the export is on the trail with the bundle's SHA-256.
 */
describe('evidence bundle export (exportEvidenceBundle, GET /bundles/:id)', () => {
  let t: TestApp;
  let auditor: string;
  let incidentId: string;
  let first: ApiBundle;
  let zipBytes: Buffer;
  let entries: ZipEntryRead[];
  const file = (p: string) => {
    const e = entries.find((x) => x.path === p);
    if (!e) throw new Error(`no ${p} in the zip`);
    return e.bytes;
  };

  beforeAll(async () => {
    t = await TestApp.start({ DEMO: 'true', DEMO_PASSWORD: 'demo-password-for-bundles' });
    auditor = await (await t.createUser(['AUDITOR'])).token();
    const res = await t.gql<{ incidents: { nodes: { id: string }[] } }>(`{ incidents { nodes { id } } }`, {}, auditor);
    incidentId = res.data!.incidents.nodes[0]!.id;
    const asked = await exportBundle(t, auditor, { scope: 'INCIDENT', id: incidentId });
    expect(['QUEUED', 'BUILDING']).toContain(asked.status);
    expect(asked.downloadPath).toBeNull();
    first = await waitFor(t, auditor, asked.id);
    const res2 = await download(t, first.downloadPath ?? '/bundles/none', auditor);
    zipBytes = Buffer.from(await res2.arrayBuffer());
    entries = await readZip(zipBytes);
  }, 180_000);
  afterAll(async () => t?.close());

  it('becomes READY with its SHA-256 and size, and downloads as exactly those bytes', async () => {
    expect(first).toMatchObject({ status: 'READY', scope: 'INCIDENT', scopeId: incidentId, incidentId, error: null });
    expect(first.sha256).toBe(hex(zipBytes));
    expect(first.size).toBe(zipBytes.length);
    expect(first.filesTotal).toBeGreaterThan(0);
    expect(first.filesDone).toBe(first.filesTotal);
    expect(first.bytesDone).toBe(first.bytesTotal);
    const res = await download(t, `/bundles/${first.id}`, auditor);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-length')).toBe(String(first.size));
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${first.fileName}"; filename*=UTF-8''${encodeURIComponent(first.fileName!)}`,
    );
    expect(first.fileName).toMatch(/^evidence-bundle-incident-\d{8}T\d{6}Z\.zip$/);
    expect(res.headers.get('repr-digest')).toBe(`sha-256=:${Buffer.from(first.sha256!, 'hex').toString('base64')}:`);
    await res.arrayBuffer();
  });

  it('is laid out as the contract says: sorted, stored, dated 1980-01-01, nothing outside the layout', () => {
    const paths = entries.map((e) => e.path);
    expect(paths).toEqual([...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const p of LAYOUT_FILES) expect(paths).toContain(p);
    for (const p of paths) expect(LAYOUT_FILES.includes(p) || p.startsWith('bag/data/')).toBe(true);
    for (const e of entries) {
      expect(e.compressionMethod).toBe(0);
      expect(e.lastModDate).toBe((0 << 9) | (1 << 5) | 1);
      expect(e.lastModTime).toBe(0);
    }
    for (const name of ['incident', 'countermeasures', 'requirements', 'evidence', 'reviews', 'sign-offs', 'engagements', 'findings']) {
      expect(paths).toContain(`bag/data/records/${name}.json`);
    }
    expect(paths).toContain('bag/data/report/status-report.pdf');
    expect(file('bag/data/report/status-report.pdf').subarray(0, 5).toString()).toBe('%PDF-');
    expect(file('bag/bagit.txt').toString()).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    expect(file('VERIFY.txt').toString()).toContain('このファイルの確かめ方');
    expect(file('VERIFY.txt').toString()).toContain('npx remediation-verify');
  });

  it('is a complete bag: every payload file in the manifest with its hash, none more, Payload-Oxum right; the tag manifest right', () => {
    const manifest = parseManifest(file('bag/manifest-sha256.txt').toString());
    const payload = entries.filter((e) => e.path.startsWith('bag/data/'));
    expect(manifest.map((m) => `bag/${m.path}`).sort()).toEqual(payload.map((e) => e.path).sort());
    for (const m of manifest) expect(hex(file(`bag/${m.path}`))).toBe(m.sha256);
    const info = new Map(parseBagInfo(file('bag/bag-info.txt').toString()));
    expect(info.get('Payload-Oxum')).toBe(payloadOxum(payload.map((e) => ({ size: e.bytes.length }))));
    expect(info.get('External-Identifier')).toBe(`INCIDENT:${incidentId}`);
    expect(info.get('Bag-Group-Identifier')).toBe(incidentId);
    expect(info.get('X-As-Of')).toBe(first.asOf);
    expect(info.get('X-Trail-Checkpoint-Size')).toBe(String(first.checkpointSize));
    const tags = parseManifest(file('bag/tagmanifest-sha256.txt').toString());
    expect(tags.map((m) => m.path)).toEqual(['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt']);
    for (const m of tags) expect(hex(file(`bag/${m.path}`))).toBe(m.sha256);
  });

  it('is signed: the Statement’s subject is the tag manifest, the DSSE signature verifies under the bundle key the tracker publishes', async () => {
    const published = (await (await fetch(`${t.baseUrl}/.well-known/remediation-tracker/keys`)).json()) as KeysDoc;
    const bundleKey = published.keys.find((k) => k.purpose === 'bundle' && k.status === 'ACTIVE')!;
    const inZip = JSON.parse(file('keys.json').toString()) as KeysDoc;
    expect(inZip.keys.find((k) => k.fingerprint === bundleKey.fingerprint)).toBeDefined();

    const sig = JSON.parse(file('bundle.sigstore.json').toString()) as {
      mediaType: string;
      dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid: string }[] };
    };
    expect(sig.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(sig.dsseEnvelope.payloadType).toBe(DSSE_PAYLOAD_TYPE);
    expect(sig.dsseEnvelope.signatures).toHaveLength(1);
    expect(sig.dsseEnvelope.signatures[0]!.keyid).toBe(bundleKey.fingerprint);
    const payload = Buffer.from(sig.dsseEnvelope.payload, 'base64');
    const statement = JSON.parse(payload.toString()) as {
      subject: { name: string; digest: { sha256: string } }[];
      predicate: {
        scopeId: string;
        checkpoint: { size: number; rootHash: string; keyFingerprint: string };
        signOffs: { digest: string }[];
      };
    };
    expect(payload.toString()).toBe(canonicalJson(statement));
    expect(statement.subject).toEqual([
      { name: 'bag/tagmanifest-sha256.txt', digest: { sha256: hex(file('bag/tagmanifest-sha256.txt')) } },
    ]);
    expect(statement.predicate.scopeId).toBe(incidentId);
    // The signed predicate names the trail key that signed the checkpoint (keys.json beside the bag is not signed).
    const trailKey = published.keys.find((k) => k.purpose === 'trail' && k.status === 'ACTIVE')!;
    expect(statement.predicate.checkpoint.keyFingerprint).toBe(trailKey.fingerprint);
    const signature = Buffer.from(sig.dsseEnvelope.signatures[0]!.sig, 'base64');
    const key = createPublicKey(bundleKey.publicKeyPem);
    expect(verify(null, Buffer.from(pae(DSSE_PAYLOAD_TYPE, payload)), key, signature)).toBe(true);
    // One byte of the Statement changed: no longer the signed one.
    const tampered = Buffer.from(payload);
    tampered[10] ^= 1;
    expect(verify(null, Buffer.from(pae(DSSE_PAYLOAD_TYPE, tampered)), key, signature)).toBe(false);
  });

  it('holds every FILE evidence version as its exact recorded bytes, named by hash and file name', async () => {
    const evidence = JSON.parse(file('bag/data/records/evidence.json').toString()) as {
      id: string;
      kind: string;
      sha256: string;
      size: number | null;
      fileName: string;
      path: string | null;
    }[];
    const files = evidence.filter((e) => e.kind === 'FILE');
    expect(files.length).toBeGreaterThan(0);
    const rows = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM evidence e JOIN countermeasures c ON c.id = e.countermeasure_id
        WHERE c.incident_id = $1 AND e.kind = 'FILE' AND e.uploaded_at <= $2`,
      [incidentId, first.asOf],
    );
    expect(files).toHaveLength(rows[0]!.n);
    for (const e of files) {
      expect(e.path).toBe(`data/evidence/${e.sha256}/${e.fileName}`);
      const bytes = file(`bag/${e.path}`);
      expect(hex(bytes)).toBe(e.sha256);
      expect(bytes.length).toBe(e.size);
    }
    for (const e of evidence.filter((x) => x.kind !== 'FILE')) expect(e.path).toBeNull();
    // Sign-offs keep payload and digest: the digest is the SHA-256 of the canonical payload.
    const signOffs = JSON.parse(file('bag/data/records/sign-offs.json').toString()) as { payload: unknown; digest: string }[];
    expect(signOffs.length).toBeGreaterThan(0);
    for (const s of signOffs) expect(s.digest).toBe(hex(canonicalJson(s.payload)));
  });

  it('holds the trail in scope: each entry hashes right, each is proven in the signed checkpoint, earlier checkpoints are consistent', async () => {
    const lines = file('bag/data/trail/entries.jsonl').toString();
    expect(lines.endsWith('\n')).toBe(true);
    const trail = lines
      .slice(0, -1)
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown> & { seq: string; hash: string; entityId: string; occurredAt: string });
    expect(trail.length).toBeGreaterThan(10);
    expect(trail.some((e) => e.entityId === incidentId)).toBe(true);
    for (const e of trail) {
      expect(entryHash({ ...(e as unknown as Parameters<typeof entryHash>[0]), occurredAt: new Date(e.occurredAt) })).toBe(e.hash);
      expect(new Date(e.occurredAt).getTime()).toBeLessThanOrEqual(new Date(first.asOf).getTime());
    }
    const note = parseNote(file('bag/data/trail/checkpoint.txt').toString());
    const keys = JSON.parse(file('keys.json').toString()) as KeysDoc;
    const trailKey = keys.keys.find((k) => k.purpose === 'trail' && k.status === 'ACTIVE')!;
    const verifyEd = (pk: Uint8Array, m: Uint8Array, s: Uint8Array) => Promise.resolve(ed25519Verify(pk, m, s));
    expect(await checkNoteSignature(verifyEd, sha256, note, { name: trailKey.name, publicKey: fromBase64(trailKey.publicKey) })).toBe(
      'VALID',
    );
    const proofs = JSON.parse(file('bag/data/trail/proofs.json').toString()) as {
      treeSize: number;
      rootHash: string;
      inclusion: { seq: number; leafIndex: number; hashes: string[] }[];
      consistency: { fromSize: number; fromRootHash: string; hashes: string[] }[];
    };
    expect(note.body.split('\n')[1]).toBe(String(proofs.treeSize));
    expect(note.body.split('\n')[2]).toBe(proofs.rootHash);
    expect(proofs.treeSize).toBe(first.checkpointSize);
    const root = fromBase64(proofs.rootHash);
    expect(proofs.inclusion.map((p) => String(p.seq))).toEqual(trail.map((e) => e.seq));
    for (const [i, p] of proofs.inclusion.entries()) {
      const leaf = Buffer.from(trail[i]!.hash, 'hex');
      expect(verifyInclusion(sha256, leaf, p.leafIndex, proofs.treeSize, p.hashes.map(fromBase64), root)).toBe(true);
    }
    for (const c of proofs.consistency) {
      expect(c.fromSize).toBeLessThan(proofs.treeSize);
      expect(verifyConsistency(sha256, c.fromSize, proofs.treeSize, fromBase64(c.fromRootHash), root, c.hashes.map(fromBase64))).toBe(true);
    }
  });

  it('is on the trail when READY: evidence_bundle.exported with the bundle’s SHA-256, by the auditor', async () => {
    const rows = await t.sql<{ actor_label: string; after: Record<string, unknown> }>(
      `SELECT actor_label, "after" FROM audit_trail WHERE action = 'evidence_bundle.exported' AND entity_id = $1`,
      [first.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.after).toMatchObject({ sha256: first.sha256, sizeBytes: first.size, scope: 'INCIDENT', scopeId: incidentId });
    expect(rows[0]!.actor_label).toBe(first.requestedBy);
  });

  it('gives the same bytes for the same data and the same as-of, even after later trail entries and checkpoints', async () => {
    const again = await waitFor(t, auditor, (await exportBundle(t, auditor, { scope: 'INCIDENT', id: incidentId, asOf: first.asOf })).id);
    expect(again.status).toBe('READY');
    expect(again.id).not.toBe(first.id);
    expect(again.sha256).toBe(first.sha256);
    const bytes = Buffer.from(await (await download(t, again.downloadPath!, auditor)).arrayBuffer());
    expect(bytes.equals(zipBytes)).toBe(true);
  });

  it('an engagement’s bundle holds that engagement, its findings and clearances, and only its scope’s countermeasures', async () => {
    const [engagement] = await t.sql<{ id: string }>('SELECT id FROM audit_engagements WHERE incident_id = $1 LIMIT 1', [incidentId]);
    const scopeIds = (
      await t.sql<{ countermeasure_id: string }>('SELECT countermeasure_id FROM audit_scope_countermeasures WHERE engagement_id = $1', [
        engagement!.id,
      ])
    ).map((r) => r.countermeasure_id);
    const done = await waitFor(t, auditor, (await exportBundle(t, auditor, { scope: 'ENGAGEMENT', id: engagement!.id })).id);
    expect(done).toMatchObject({ status: 'READY', scope: 'ENGAGEMENT', incidentId });
    const zip = await readZip(Buffer.from(await (await download(t, done.downloadPath!, auditor)).arrayBuffer()));
    const json = (name: string) =>
      JSON.parse(zip.find((e) => e.path === `bag/data/records/${name}.json`)!.bytes.toString()) as Record<string, unknown>[];
    expect(json('engagements').map((e) => e.id)).toEqual([engagement!.id]);
    expect(
      json('countermeasures')
        .map((c) => c.id)
        .sort(),
    ).toEqual([...scopeIds].sort());
    for (const f of json('findings')) expect(f.engagementId).toBe(engagement!.id);
    for (const c of json('clearances')) expect(c.engagementId).toBe(engagement!.id);
  });

  it('fails the build, naming the file, when a stored evidence file is no longer its recorded bytes; no zip is left', async () => {
    const [blob] = await t.sql<{ sha256: string }>(
      `SELECT e.sha256 FROM evidence e JOIN countermeasures c ON c.id = e.countermeasure_id WHERE c.incident_id = $1 AND e.kind = 'FILE' LIMIT 1`,
      [incidentId],
    );
    const stored = path.join(process.env.DATA_DIR!, 'evidence', blob!.sha256.slice(0, 2), blob!.sha256.slice(2, 4), blob!.sha256);
    const original = fs.readFileSync(stored);
    const flipped = Buffer.from(original);
    flipped[0] ^= 0xff;
    fs.writeFileSync(stored, flipped);
    try {
      const failed = await waitFor(t, auditor, (await exportBundle(t, auditor, { scope: 'INCIDENT', id: incidentId })).id);
      expect(failed).toMatchObject({ status: 'FAILED', sha256: null, downloadPath: null });
      expect(failed.error).toContain(`bag/data/evidence/${blob!.sha256}/`);
      expect(failed.error).toContain('not the recorded ones');
      expect((await download(t, `/bundles/${failed.id}`, auditor)).status).toBe(404);
      expect(fs.readdirSync(path.join(process.env.DATA_DIR!, 'bundles')).filter((f) => f.startsWith(failed.id))).toEqual([]);
    } finally {
      fs.writeFileSync(stored, original);
    }
  });
});
