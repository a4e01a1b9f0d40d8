import {
  formatReport,
  keyPinFromText,
  toBase64,
  utf8,
  verifyBundle,
  vkey,
  type CheckName,
  type VerificationReport,
  type VerifyOptions,
} from '@app/proofs';
import { generateEd25519, nodePlatform, sha256 } from '@app/proofs/node';
import { describe, expect, it } from 'vitest';
import { EVIDENCE, KEPT_SIZE, makeBundle, memorySource, reseal, rehashManifest, TREE_SIZE, type MadeBundle } from './support/make-bundle';

/**
 * The offline verifier's core (verifyBundle of @app/proofs) on a bundle built
 * in memory: the good bundle passes every check, and each tampering fails
 * exactly the named check(s) it should, with details naming the file, entry or signer.
 */

const byKeysFile = (b: MadeBundle, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
  key: keyPinFromText(b.keysJson),
  cosigners: [b.auditorVkey],
  olderCheckpoint: b.keptCheckpoint,
  ...extra,
});

const verify = (b: MadeBundle, options: VerifyOptions = byKeysFile(b)) => verifyBundle(memorySource(b.files), options, nodePlatform);

function failing(report: VerificationReport): CheckName[] {
  return report.checks.filter((c) => c.status === 'FAIL').map((c) => c.name);
}

function problems(report: VerificationReport, name: CheckName) {
  return report.checks.find((c) => c.name === name)!.details.filter((d) => d.problem);
}

const evidencePath = (b: MadeBundle, name: string) => [...b.files.keys()].find((p) => p.endsWith(`/${name}`))!;

describe('verifyBundle', () => {
  it('passes a good bundle: every check PASS with the keys file, a co-signer and the kept checkpoint', async () => {
    const b = makeBundle();
    const report = await verify(b);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual(
      [
        'BAG_COMPLETE',
        'TAG_MANIFEST',
        'SIGNED_SUBJECT',
        'BUNDLE_SIGNATURE',
        'CHECKPOINT_SIGNATURE',
        'COSIGNATURES',
        'TRAIL_CHAIN',
        'TRAIL_INCLUSION',
        'CHECKPOINT_CONSISTENCY',
        'SIGN_OFF_DIGESTS',
        'CLEARANCE_DIGESTS',
        'EVIDENCE_BYTES',
      ].map((n) => [n, 'PASS']),
    );
    expect(report.ok).toBe(true);
    expect(report.summary.checkpointSize).toBe(TREE_SIZE);
    const ja = formatReport(report, 'ja');
    expect(ja).toContain('[合格] BUNDLE_SIGNATURE');
    expect(ja).toContain(`${b.auditorName} の共同署名を確認しました。`);
    expect(ja).toContain(`保管済みチェックポイントから整合しています（${KEPT_SIZE} → ${TREE_SIZE}）`);
    expect(formatReport(report, 'en')).toContain('Result: every check passed.');
  });

  it('passes with only the bundle key fingerprint: the trail key comes from keys.json, co-signatures and consistency are SKIPPED', async () => {
    const b = makeBundle();
    const report = await verify(b, { key: keyPinFromText(b.bundleFingerprint) });
    expect(failing(report)).toEqual([]);
    expect(report.ok).toBe(true);
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toMatchObject({
      BUNDLE_SIGNATURE: 'PASS',
      CHECKPOINT_SIGNATURE: 'PASS',
      COSIGNATURES: 'SKIPPED',
      CHECKPOINT_CONSISTENCY: 'SKIPPED',
    });
    expect(formatReport(report, 'en')).toContain(`The line by ${b.auditorName} was not checked`);
    expect(formatReport(report, 'en')).toContain('Result: no check failed (2 skipped).');
  });

  it('passes with PEM keys for the bundle and the trail', async () => {
    const b = makeBundle();
    const report = await verify(b, {
      key: keyPinFromText(b.keys.bundle.publicKeyPem),
      trailKey: keyPinFromText(b.keys.trail.publicKeyPem),
    });
    expect(failing(report)).toEqual([]);
  });

  it('a byte flipped in an evidence file: BAG_COMPLETE and EVIDENCE_BYTES fail, naming the file', async () => {
    const b = makeBundle();
    const path = evidencePath(b, EVIDENCE[0].name);
    b.files.get(path)![5] ^= 1;
    const report = await verify(b);
    expect(failing(report)).toEqual(['BAG_COMPLETE', 'EVIDENCE_BYTES']);
    expect(problems(report, 'BAG_COMPLETE').map((d) => d.file)).toEqual([path]);
    expect(problems(report, 'EVIDENCE_BYTES').map((d) => d.file)).toContain(path);
    expect(formatReport(report, 'ja')).toContain(`内容がマニフェストのハッシュと一致しません: ${path}`);
  });

  it('a file added (in the payload, or beside the bag): BAG_COMPLETE fails', async () => {
    const b = makeBundle();
    b.files.set('bag/data/records/追加.json', utf8('[]'));
    b.files.set('readme.exe', utf8('MZ'));
    const report = await verify(b);
    expect(failing(report)).toEqual(['BAG_COMPLETE']);
    expect(problems(report, 'BAG_COMPLETE').map((d) => d.file)).toEqual(['bag/data/records/追加.json', 'readme.exe', 'bag/bag-info.txt']);
    expect(formatReport(report, 'en')).toMatch(/Payload-Oxum differs \(stated \d+\.\d+, actual \d+\.\d+\)/);
    expect(formatReport(report, 'ja')).toContain('バンドルの構成にないファイルがあります: readme.exe');
  });

  it('a file removed: BAG_COMPLETE fails, and the sign-off, clearance and evidence checks that name it', async () => {
    const b = makeBundle();
    const path = evidencePath(b, EVIDENCE[1].name);
    b.files.delete(path);
    const report = await verify(b);
    expect(failing(report)).toEqual(['BAG_COMPLETE', 'SIGN_OFF_DIGESTS', 'CLEARANCE_DIGESTS', 'EVIDENCE_BYTES']);
    expect(problems(report, 'BAG_COMPLETE')[0].file).toBe(path);
    expect(formatReport(report, 'en')).toContain(`A file in the manifest is missing: ${path}`);
  });

  it('bag-info.txt edited: TAG_MANIFEST fails', async () => {
    const b = makeBundle();
    const info = new TextDecoder().decode(b.files.get('bag/bag-info.txt'));
    b.files.set('bag/bag-info.txt', utf8(info.replace('Source-Organization: tracker.example.jp', 'Source-Organization: 別の会社')));
    const report = await verify(b);
    expect(failing(report)).toEqual(['TAG_MANIFEST']);
    expect(problems(report, 'TAG_MANIFEST')[0].file).toBe('bag/bag-info.txt');
  });

  it('a record edited and re-hashed in the manifest: TAG_MANIFEST and SIGN_OFF_DIGESTS fail', async () => {
    const b = makeBundle();
    const path = 'bag/data/records/sign-offs.json';
    const edited = new TextDecoder()
      .decode(b.files.get(path))
      .replace('全ての要件の証跡を確認しました。', '一部の要件の証跡を確認しました。'); // same length: Payload-Oxum holds
    b.files.set(path, utf8(edited));
    rehashManifest(b);
    const report = await verify(b);
    expect(failing(report)).toEqual(['TAG_MANIFEST', 'SIGN_OFF_DIGESTS']);
    expect(problems(report, 'TAG_MANIFEST')[0].file).toBe('bag/manifest-sha256.txt');
    expect(problems(report, 'SIGN_OFF_DIGESTS')[0].en).toMatch(/digest is not the SHA-256 of its canonical payload/);
  });

  it('re-signed with another key: BUNDLE_SIGNATURE fails under the pinned keys file, and under a pinned fingerprint', async () => {
    const b = makeBundle();
    const path = 'bag/data/records/sign-offs.json';
    b.files.set(path, utf8(new TextDecoder().decode(b.files.get(path)).replace('全ての要件', '一部の要件')));
    const mallory = generateEd25519();
    reseal(b, mallory);
    const report = await verify(b);
    expect(failing(report)).toEqual(['BUNDLE_SIGNATURE', 'SIGN_OFF_DIGESTS']);
    expect(problems(report, 'BUNDLE_SIGNATURE')[0].en).toContain('does not verify under the pinned key');
    // Swapping keys.json for one with the forger's key does not help against a pinned fingerprint.
    b.files.set('keys.json', utf8(b.keysJson.replaceAll(toBase64(b.keys.bundle.publicKey), toBase64(mallory.publicKey))));
    const byFingerprint = await verify(b, { key: keyPinFromText(b.bundleFingerprint) });
    expect(failing(byFingerprint)).toContain('BUNDLE_SIGNATURE');
  });

  it('a trail entry dropped (even re-sealed with the real key): TRAIL_INCLUSION fails naming its seq', async () => {
    const b = makeBundle();
    const path = 'bag/data/trail/entries.jsonl';
    const lines = new TextDecoder().decode(b.files.get(path)).split('\n');
    const dropped = (JSON.parse(lines[3]) as { seq: string }).seq;
    lines.splice(3, 1);
    b.files.set(path, utf8(lines.join('\n')));
    const unsealed = await verify(b);
    expect(failing(unsealed)).toEqual(['BAG_COMPLETE', 'TRAIL_INCLUSION']);
    reseal(b);
    const report = await verify(b);
    expect(failing(report)).toEqual(['TRAIL_INCLUSION']);
    expect(problems(report, 'TRAIL_INCLUSION').map((d) => d.seq)).toEqual([dropped]);
    expect(formatReport(report, 'ja')).toContain(`seq ${dropped}: 包含証明に対応するエントリがありません。`);
  });

  it('a trail entry edited and re-sealed: TRAIL_CHAIN fails naming its seq', async () => {
    const b = makeBundle();
    const path = 'bag/data/trail/entries.jsonl';
    b.files.set(path, utf8(new TextDecoder().decode(b.files.get(path)).replace('"承認済み"', '"差し戻し"')));
    reseal(b);
    const report = await verify(b);
    expect(failing(report)).toEqual(['TRAIL_CHAIN']);
    expect(problems(report, 'TRAIL_CHAIN')[0].seq).toBe('2');
  });

  it('a fork: a kept checkpoint of the same size with another root, signed by the trail key, fails CHECKPOINT_CONSISTENCY (FORK)', async () => {
    const b = makeBundle();
    const forked = b.signCheckpoint(TREE_SIZE, sha256(utf8('別の歴史')));
    const report = await verify(b, byKeysFile(b, { olderCheckpoint: forked }));
    expect(failing(report)).toEqual(['CHECKPOINT_CONSISTENCY']);
    expect(problems(report, 'CHECKPOINT_CONSISTENCY')[0].code).toBe('FORK');
    const smaller = await verify(b, byKeysFile(b, { olderCheckpoint: b.signCheckpoint(KEPT_SIZE, sha256(utf8('別の歴史'))) }));
    expect(problems(smaller, 'CHECKPOINT_CONSISTENCY')[0].code).toBe('FORK');
  });

  it('a bundle older than the auditor’s checkpoint fails CHECKPOINT_CONSISTENCY (BUNDLE_OLDER_THAN_CHECKPOINT)', async () => {
    const b = makeBundle();
    const newer = b.signCheckpoint(TREE_SIZE + 6, sha256(utf8('その後の木')));
    const report = await verify(b, byKeysFile(b, { olderCheckpoint: newer }));
    expect(failing(report)).toEqual(['CHECKPOINT_CONSISTENCY']);
    expect(problems(report, 'CHECKPOINT_CONSISTENCY')[0].code).toBe('BUNDLE_OLDER_THAN_CHECKPOINT');
    expect(formatReport(report, 'en')).toContain('BUNDLE_OLDER_THAN_CHECKPOINT: The bundle');
  });

  it('a kept checkpoint not signed by the trail key, or one the proofs do not reach, fails CHECKPOINT_CONSISTENCY', async () => {
    const b = makeBundle();
    const other = b.signCheckpoint(KEPT_SIZE, b.tree.root(KEPT_SIZE), generateEd25519());
    const report = await verify(b, byKeysFile(b, { olderCheckpoint: other }));
    expect(failing(report)).toEqual(['CHECKPOINT_CONSISTENCY']);
    expect(problems(report, 'CHECKPOINT_CONSISTENCY')[0].en).toContain('not signed by the trail key');
    const unproven = await verify(b, byKeysFile(b, { olderCheckpoint: b.signCheckpoint(7, b.tree.root(7)) }));
    expect(problems(unproven, 'CHECKPOINT_CONSISTENCY')[0].code).toBe('INCONSISTENT_WITH_CHECKPOINT');
  });

  it('a checkpoint signed by another key (re-sealed): CHECKPOINT_SIGNATURE fails', async () => {
    const b = makeBundle();
    const forged = b.signCheckpoint(TREE_SIZE, b.tree.root(), generateEd25519());
    b.files.set('bag/data/trail/checkpoint.txt', utf8(forged));
    reseal(b);
    const report = await verify(b, byKeysFile(b, { cosigners: [] }));
    expect(failing(report)).toEqual(['CHECKPOINT_SIGNATURE']);
  });

  it('a named co-signer whose line is missing or does not verify: COSIGNATURES fails naming them', async () => {
    const b = makeBundle();
    const stranger = generateEd25519();
    const report = await verify(
      b,
      byKeysFile(b, {
        cosigners: [b.auditorVkey, vkey(sha256, 'other@example.jp', stranger.publicKey), vkey(sha256, b.auditorName, stranger.publicKey)],
      }),
    );
    expect(failing(report)).toEqual(['COSIGNATURES']);
    expect(problems(report, 'COSIGNATURES').map((d) => d.signer)).toEqual(['other@example.jp', b.auditorName]);
  });

  it('malformed records and a broken keys.json are failures of their checks, not exceptions', async () => {
    const b = makeBundle();
    b.files.set('bag/data/records/sign-offs.json', utf8('[{"id":"x"}]'));
    const proofs = JSON.parse(new TextDecoder().decode(b.files.get('bag/data/trail/proofs.json'))) as { inclusion: unknown[] };
    proofs.inclusion[0] = null;
    b.files.set('bag/data/trail/proofs.json', utf8(JSON.stringify(proofs)));
    reseal(b);
    const report = await verify(b);
    expect(failing(report)).toEqual(['TRAIL_INCLUSION', 'SIGN_OFF_DIGESTS']);
    expect(problems(report, 'TRAIL_INCLUSION').map((d) => d.seq)).toEqual(['1']);
    // keys.json is not signed: with a keys file pinned, a mangled one beside the bag changes nothing.
    const good = makeBundle();
    good.files.set('keys.json', utf8('{"format":"something else"}'));
    expect(failing(await verify(good))).toEqual([]);
    expect(failing(await verify(good, { key: keyPinFromText(good.bundleFingerprint) }))).toEqual([
      'BUNDLE_SIGNATURE',
      'CHECKPOINT_SIGNATURE',
    ]);
  });

  it('reports an unreadable bundle as failures, not an exception', async () => {
    const report = await verifyBundle(
      memorySource(new Map([['bag/bagit.txt', utf8('x')]])),
      { key: keyPinFromText('SHA256:' + 'a'.repeat(64)) },
      nodePlatform,
    );
    expect(report.ok).toBe(false);
    expect(failing(report)).toEqual(expect.arrayContaining(['BAG_COMPLETE', 'BUNDLE_SIGNATURE', 'TRAIL_CHAIN', 'EVIDENCE_BYTES']));
  });
});
