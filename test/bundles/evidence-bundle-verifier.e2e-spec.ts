import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../apps/verifier/src/cli';
import { TestApp } from '../support/test-app';
import { download, exportBundle, waitFor } from './bundle-support';
import { readZip } from './bundle-zip-reader';

/** The offline verifier (remediation-verify) as an auditor runs it. */
async function verifyOffline(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (out += t) });
  return { code, out };
}

/** The same entries re-zipped with one file's bytes changed (what a tamperer without the key can make). */
async function rezip(source: Buffer, target: string, change: (p: string, bytes: Buffer) => Buffer): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const e of await readZip(source)) zip.addBuffer(change(e.path, e.bytes), e.path, { compress: false });
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(target)).on('finish', resolve).on('error', reject);
  });
}

/**
 * A bundle exported through the API, downloaded, and checked by the offline
 * verifier with nothing but the file and the bundle key's fingerprint the
 * tracker publishes: every check passes; an evidence file with one byte changed
 * fails, naming the check.
 */
describe('evidence bundle checked offline by remediation-verify', () => {
  let t: TestApp;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bundle-verify-'));
  let zipPath: string;
  let zipBytes: Buffer;
  let fingerprint: string;

  beforeAll(async () => {
    t = await TestApp.start({ DEMO: 'true', DEMO_PASSWORD: 'demo-password-for-verifier' });
    const auditor = await (await t.createUser(['AUDITOR'])).token();
    const incidents = await t.gql<{ incidents: { nodes: { id: string }[] } }>(`{ incidents { nodes { id } } }`, {}, auditor);
    const done = await waitFor(
      t,
      auditor,
      (await exportBundle(t, auditor, { scope: 'INCIDENT', id: incidents.data!.incidents.nodes[0]!.id })).id,
    );
    expect(done.status).toBe('READY');
    zipBytes = Buffer.from(await (await download(t, done.downloadPath!, auditor)).arrayBuffer());
    zipPath = path.join(dir, done.fileName!);
    fs.writeFileSync(zipPath, zipBytes);
    const keys = (await (await fetch(`${t.baseUrl}/.well-known/remediation-tracker/keys`)).json()) as {
      keys: { purpose: string; status: string; fingerprint: string }[];
    };
    fingerprint = keys.keys.find((k) => k.purpose === 'bundle' && k.status === 'ACTIVE')!.fingerprint;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes every check with the published fingerprint', async () => {
    const { code, out } = await verifyOffline([zipPath, '--key', fingerprint, '--lang', 'en']);
    expect(out).not.toMatch(/FAIL/);
    expect(code).toBe(0);
    for (const check of [
      'BAG_COMPLETE',
      'TAG_MANIFEST',
      'SIGNED_SUBJECT',
      'BUNDLE_SIGNATURE',
      'CHECKPOINT_SIGNATURE',
      'TRAIL_CHAIN',
      'TRAIL_INCLUSION',
    ]) {
      expect(out).toContain(check);
    }
  });

  it('is consistent with the oldest checkpoint an auditor could have kept (--checkpoint)', async () => {
    const admin = await (await t.createUser(['ADMIN'])).token();
    const res = await t.gql<{ trailCheckpoints: { nodes: { treeSize: string; body: string; signature: string }[] } }>(
      `{ trailCheckpoints(first: 100) { nodes { treeSize body signature } } }`,
      {},
      admin,
    );
    const oldest = res.data!.trailCheckpoints.nodes.at(-1)!;
    const kept = path.join(dir, 'kept-checkpoint.txt');
    // The signed note as a file: body, a blank line, the signature line (each line ends with a newline).
    fs.writeFileSync(kept, `${oldest.body}\n${oldest.signature.replace(/\n?$/, '\n')}`);
    const { code, out } = await verifyOffline([zipPath, '--key', fingerprint, '--checkpoint', kept, '--lang', 'en']);
    expect(out).toMatch(/\[PASS\] CHECKPOINT_CONSISTENCY/);
    expect(code).toBe(0);
  });

  it('fails on an evidence file with one byte changed, naming the check', async () => {
    const tampered = path.join(dir, 'tampered.zip');
    let changed = '';
    await rezip(zipBytes, tampered, (p, bytes) => {
      if (changed || !p.startsWith('bag/data/evidence/')) return bytes;
      changed = p;
      const copy = Buffer.from(bytes);
      copy[0] ^= 0x01;
      return copy;
    });
    expect(changed).not.toBe('');
    const { code, out } = await verifyOffline([tampered, '--key', fingerprint, '--lang', 'en']);
    expect(code).toBe(1);
    expect(out).toMatch(/BAG_COMPLETE[^\n]*FAIL|FAIL[^\n]*BAG_COMPLETE/);
  });

  it('fails under another key than the one the tracker publishes', async () => {
    const other = `SHA256:${'ab'.repeat(32)}`;
    const { code, out } = await verifyOffline([zipPath, '--key', other, '--lang', 'en']);
    expect(code).toBe(1);
    expect(out).toMatch(/BUNDLE_SIGNATURE[^\n]*FAIL|FAIL[^\n]*BUNDLE_SIGNATURE/);
  });
});
