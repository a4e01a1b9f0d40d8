import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatNote, parseNote, toBase64, utf8 } from '@app/proofs';
import { nodePlatform, sha256 } from '@app/proofs/node';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIDENCE, KEPT_SIZE, makeBundle, reseal, TREE_SIZE, type MadeBundle } from './support/make-bundle';

/**
 * The offline CLI as an auditor runs it: `node bin/remediation-verify.cjs`
 * (which builds dist/verifier/remediation-verify.cjs from the sources when it
 * is missing or stale) on zip files on disk; exit 0 when every check holds, 1
 * when one fails, 2 on a usage error; the report in Japanese and English.
 */
const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/remediation-verify.cjs');
let dir: string;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function write(name: string, data: Uint8Array | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
}

function files(b: MadeBundle, prefix: string) {
  return {
    zip: write(`${prefix}.zip`, b.zip()),
    keys: write(`${prefix}-keys.json`, b.keysJson),
    kept: write(`${prefix}-kept.txt`, b.keptCheckpoint),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'remediation-verify-'));
  // The first run builds the CLI; later ones reuse it.
  expect((await run(['--help'])).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('remediation-verify (CLI)', () => {
  it('passes a good bundle: exit 0, the Japanese then English report', async () => {
    const b = makeBundle();
    const f = files(b, 'good');
    const res = await run([f.zip, '--key', f.keys, '--checkpoint', f.kept, '--cosigner', b.auditorVkey]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('証跡バンドルの検証結果');
    expect(res.stdout).toContain('[合格] EVIDENCE_BYTES');
    expect(res.stdout).toContain('結果: すべての検査に合格しました。');
    expect(res.stdout).toContain('Result: every check passed.');
    expect(res.stdout.indexOf('結果:')).toBeLessThan(res.stdout.indexOf('Result:'));
    const en = await run([f.zip, '--key', b.bundleFingerprint, '--lang', 'en']);
    expect(en.code).toBe(0);
    expect(en.stdout).not.toContain('結果');
    expect(en.stdout).toContain(`[PASS] BUNDLE_SIGNATURE — Bundle signature (pinned key)\n    - Signed by ${b.bundleFingerprint}.`);
    expect(en.stdout).toContain('Result: no check failed (2 skipped).');
  });

  it('reads a zip another tool re-packed with deflate', async () => {
    const b = makeBundle();
    const deflated = zipSync(Object.fromEntries([...b.files.entries()].map(([p, bytes]) => [p, [bytes, { level: 6 }]])));
    const res = await run([write('deflated.zip', deflated), '--key', b.bundleFingerprint, '--lang', 'en']);
    expect(res.code).toBe(0);
  });

  it('a byte flipped in an evidence file: exit 1, BAG_COMPLETE and EVIDENCE_BYTES fail naming the file', async () => {
    const b = makeBundle();
    const evidence = [...b.files.keys()].find((p) => p.endsWith(EVIDENCE[0].name))!;
    b.files.get(evidence)![0] ^= 0x20;
    const f = files(b, 'flipped');
    const res = await run([f.zip, '--key', b.bundleFingerprint, '--lang', 'ja']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('[不合格] BAG_COMPLETE');
    expect(res.stdout).toContain(`✗ 内容がマニフェストのハッシュと一致しません: ${evidence}`);
    expect(res.stdout).toContain('[不合格] EVIDENCE_BYTES');
    expect(res.stdout).toContain('[合格] BUNDLE_SIGNATURE');
    expect(res.stdout).toContain('結果: 不合格（BAG_COMPLETE, EVIDENCE_BYTES）');
  });

  it('a trail entry dropped and re-sealed: exit 1, TRAIL_INCLUSION fails naming the seq', async () => {
    const b = makeBundle();
    const p = 'bag/data/trail/entries.jsonl';
    const lines = new TextDecoder().decode(b.files.get(p)).split('\n');
    lines.splice(1, 1);
    b.files.set(p, utf8(lines.join('\n')));
    reseal(b);
    const res = await run([files(b, 'dropped').zip, '--key', b.bundleFingerprint, '--lang', 'en']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('[FAIL] TRAIL_INCLUSION');
    expect(res.stdout).toContain('seq 2: an inclusion proof has no entry.');
    expect(res.stdout).toContain('Result: FAILED (TRAIL_INCLUSION)');
  });

  it('a fork and a bundle older than the kept checkpoint: exit 1 with FORK / BUNDLE_OLDER_THAN_CHECKPOINT', async () => {
    const b = makeBundle();
    const f = files(b, 'fork');
    const fork = write('fork.txt', b.signCheckpoint(TREE_SIZE, sha256(utf8('別の木'))));
    const res = await run([f.zip, '--key', f.keys, '--checkpoint', fork, '--lang', 'en']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('[FAIL] CHECKPOINT_CONSISTENCY');
    expect(res.stdout).toContain(`FORK: Two signed checkpoints of size ${TREE_SIZE} have different roots (a fork).`);
    const newer = write('newer.txt', b.signCheckpoint(TREE_SIZE + 3, sha256(utf8('後の木'))));
    const older = await run([f.zip, '--key', f.keys, '--checkpoint', newer, '--lang', 'ja']);
    expect(older.code).toBe(1);
    expect(older.stdout).toContain(
      'BUNDLE_OLDER_THAN_CHECKPOINT: バンドルのチェックポイント（サイズ 14）が保管済みのもの（サイズ 17）より古いです。',
    );
  });

  it('usage errors exit 2 with the usage text', async () => {
    const b = makeBundle();
    const f = files(b, 'usage');
    for (const args of [
      [f.zip],
      [f.zip, '--key', f.keys, '--lang', 'fr'],
      [f.zip, '--key', f.keys, '--bogus'],
      ['--key', f.keys],
      [f.zip, '--key', path.join(dir, 'none.json')],
    ]) {
      const res = await run(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain('使い方 / Usage:');
      expect(res.stdout).toBe('');
    }
    const notZip = await run([write('not.zip', 'これは zip ではありません'), '--key', f.keys]);
    expect(notZip.code).toBe(1);
  });

  it('cosign checks the tracker’s signature with the pinned trail key, then prints the auditor’s co-signature line', async () => {
    const b = makeBundle();
    const checkpoint = new TextDecoder().decode(b.files.get('bag/data/trail/checkpoint.txt'));
    const note = parseNote(checkpoint);
    const trailOnly = write('trail-only.txt', formatNote(note.body, [note.signatures[0].line]));
    const pem = write('auditor.pem', b.keys.auditor.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const keys = write('cosign-keys.json', b.keysJson);
    const trailPem = write('trail-public.pem', b.keys.trail.publicKeyPem);
    for (const trailKey of [keys, trailPem]) {
      const res = await run(['cosign', trailOnly, '--trail-key', trailKey, '--key', pem, '--name', b.auditorName]);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(note.signatures[1].line);
      expect(res.stderr).toContain(b.auditorVkey);
      expect(res.stderr).toContain(b.trailFingerprint);
      const cosigned = parseNote(formatNote(note.body, [note.signatures[0].line, res.stdout]));
      expect(await nodePlatform.verifyEd25519(b.keys.auditor.publicKey, utf8(cosigned.body), cosigned.signatures[1].signature)).toBe(true);
    }
    expect((await run(['cosign', trailOnly, '--trail-key', keys, '--key', pem])).code).toBe(2);
  });

  it('cosign refuses to co-sign without a trail key to check with (exit 2), and a checkpoint the trail key did not sign (exit 1)', async () => {
    const b = makeBundle();
    const pem = write('auditor2.pem', b.keys.auditor.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const keys = write('cosign2-keys.json', b.keysJson);
    const genuine = write('genuine.txt', b.keptCheckpoint);
    const noKey = await run(['cosign', genuine, '--key', pem, '--name', b.auditorName]);
    expect(noKey.code).toBe(2);
    expect(noKey.stdout).toBe('');
    expect(noKey.stderr).toContain('cosign は --trail-key <keys.json|PEM> が必要です');
    expect(noKey.stderr).toContain('could vouch for a forged one');
    const fingerprintOnly = await run(['cosign', genuine, '--trail-key', b.trailFingerprint, '--key', pem, '--name', b.auditorName]);
    expect(fingerprintOnly.code).toBe(2);
    expect(fingerprintOnly.stdout).toBe('');
    // A checkpoint of another tree, signed by a key of the same name that is not the tracker's,
    // and the genuine checkpoint's signature line moved onto another body.
    const forged = write('forged.txt', b.signCheckpoint(KEPT_SIZE, sha256(utf8('偽の木')), b.keys.bundle));
    const genuineNote = parseNote(b.keptCheckpoint);
    const moved = write(
      'moved.txt',
      formatNote(parseNote(b.signCheckpoint(KEPT_SIZE + 1, sha256(utf8('別の木')))).body, [genuineNote.signatures[0].line]),
    );
    for (const file of [forged, moved]) {
      const res = await run(['cosign', file, '--trail-key', keys, '--key', pem, '--name', b.auditorName]);
      expect(res.code, file).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain('証跡鍵の有効な署名がないため連署しません');
      expect(res.stderr).toContain('not co-signed: no valid signature by the trail key');
    }
    const bodyOnly = write('body-only.txt', genuineNote.body);
    expect((await run(['cosign', bodyOnly, '--trail-key', keys, '--key', pem, '--name', b.auditorName])).code).toBe(2);
  });

  it('checkpoint checks a checkpoint’s signature and its consistency with an older one', async () => {
    const b = makeBundle();
    const current = write('current.txt', new TextDecoder().decode(b.files.get('bag/data/trail/checkpoint.txt')));
    const keys = write('cp-keys.json', b.keysJson);
    const older = write('older.txt', b.keptCheckpoint);
    const proof = write(
      'proof.json',
      JSON.stringify({ fromSize: KEPT_SIZE, toSize: TREE_SIZE, hashes: b.tree.consistencyProof(KEPT_SIZE).map(toBase64) }),
    );
    const ok = await run(['checkpoint', current, '--key', keys, '--older', older, '--proof', proof, '--lang', 'en']);
    expect(ok.stdout).toContain(`Consistency: ${KEPT_SIZE} → ${TREE_SIZE} is consistent`);
    expect(ok.code).toBe(0);
    const graphql = write(
      'proof-graphql.json',
      JSON.stringify({ data: { trailConsistencyProof: { hashes: b.tree.consistencyProof(KEPT_SIZE).map(toBase64) } } }),
    );
    expect((await run(['checkpoint', current, '--key', keys, '--older', older, '--proof', graphql])).code).toBe(0);
    const forked = write('forked.txt', b.signCheckpoint(KEPT_SIZE, sha256(utf8('別の木'))));
    const bad = await run(['checkpoint', current, '--key', keys, '--older', forked, '--proof', proof, '--lang', 'en']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('INCONSISTENT_WITH_CHECKPOINT');
  });
});
