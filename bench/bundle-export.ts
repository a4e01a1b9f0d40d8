/**
 * Evidence bundle benchmark: ~1 GiB of evidence files (64 × 16 MiB of random
 * bytes, written straight into the evidence store under their SHA-256, with
 * their evidence rows) on one countermeasure of a fresh test database; the
 * built server (production mode, `npm run build` first) exports the incident's
 * bundle, and this prints how long the build took (MB/s of evidence into the
 * zip), the zip's size, and the server's resident memory: before, the peak
 * sampled every 20 ms while it built (VmRSS from /proc), and the process's
 * high-water mark (VmHWM). Flat memory means the peak stays near the idle
 * figure whatever the evidence size (try FILES=8 and FILES=64). Prints
 * numbers; asserts nothing. Linux (reads /proc).
 *
 *   npm run build && npx tsx bench/bundle-export.ts          # embedded PostgreSQL in a temp folder
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/bundle-export.ts
 *   FILES=64 FILE_MB=16 npx tsx bench/bundle-export.ts
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { startBenchServer } from './support';

const FILES = Number(process.env.FILES ?? 64);
const FILE_MB = Number(process.env.FILE_MB ?? 16);
const MiB = 1024 * 1024;

/** Resident memory of a process in bytes (VmRSS, VmHWM) from /proc. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

const mb = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

/** Writes one evidence file of random bytes into the store (DATA_DIR/evidence/aa/bb/<sha256>), 1 MiB at a time. */
function writeBlob(storeRoot: string, size: number): { sha256: string; size: number } {
  const temp = path.join(storeRoot, `bench-${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(temp, 'w');
  const hash = createHash('sha256');
  for (let done = 0; done < size; done += MiB) {
    const chunk = randomBytes(Math.min(MiB, size - done));
    hash.update(chunk);
    fs.writeSync(fd, chunk);
  }
  fs.closeSync(fd);
  const sha256 = hash.digest('hex');
  const dir = path.join(storeRoot, sha256.slice(0, 2), sha256.slice(2, 4));
  fs.mkdirSync(dir, { recursive: true });
  fs.renameSync(temp, path.join(dir, sha256));
  return { sha256, size };
}

function keyFile(dir: string, name: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const file = path.join(dir, `${name}.pem`);
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return file;
}

async function gql<T>(base: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-bundle-'));
  const keys = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-bench-keys-'));
  const bench = await startBenchServer({
    prefix: 'bundle',
    env: {
      DATA_DIR: dataDir,
      TRAIL_SIGNING_KEY_FILE: keyFile(keys, 'trail'),
      BUNDLE_SIGNING_KEY_FILE: keyFile(keys, 'bundle'),
      LOG_LEVEL: 'warn',
    },
  });
  const db = new Client({ connectionString: bench.url });
  await db.connect();
  try {
    const [{ id: adminId }] = (await db.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [bench.adminEmail])).rows;
    const incidentId = '00000000-0000-4000-8000-0000000000b1';
    const cmId = '00000000-0000-4000-8000-0000000000c1';
    const reqId = '00000000-0000-4000-8000-0000000000d1';
    await db.query(`INSERT INTO incidents (id, title, summary, version) VALUES ($1, 'ベンチマーク事案（証跡バンドル）', '概要', 1)`, [
      incidentId,
    ]);
    await db.query(
      `INSERT INTO countermeasures (id, incident_id, seq, title, category, owner_id, priority, due_date, status, version)
       VALUES ($1, $2, 1, 'ログの保全', 'MONITORING', $3, 'HIGH', '2027-03-31', 'IN_PROGRESS', 1)`,
      [cmId, incidentId, adminId],
    );
    await db.query(`INSERT INTO countermeasure_requirements (id, countermeasure_id, position, title) VALUES ($1, $2, 1, 'アクセスログ')`, [
      reqId,
      cmId,
    ]);

    const store = path.join(dataDir, 'evidence');
    fs.mkdirSync(store, { recursive: true });
    const t0 = Date.now();
    let total = 0;
    for (let i = 1; i <= FILES; i++) {
      const blob = writeBlob(store, FILE_MB * MiB);
      total += blob.size;
      await db.query(
        `INSERT INTO evidence (countermeasure_id, requirement_id, kind, name, media_type, size_bytes, sha256, effective_on, version_no,
                               uploaded_by_id, uploaded_by_label, uploaded_at, status, version)
         VALUES ($1, $2, 'FILE', $3, 'application/pdf', $4, $5, '2026-11-30', $6, $7, 'bench', now() - interval '1 minute', 'SUBMITTED', 1)`,
        [cmId, reqId, `アクセスログ_${String(i).padStart(3, '0')}.pdf`, blob.size, blob.sha256, i, adminId],
      );
    }
    console.log(`evidence: ${FILES} files, ${mb(total)} written into the store in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const token = (
      await gql<{ login: { accessToken: string } }>(bench.base, `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, {
        input: { email: bench.adminEmail, password: bench.password },
      })
    ).login.accessToken;

    const pid = bench.server.pid!;
    const idle = memoryOf(pid);
    let peak = idle.rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memoryOf(pid).rss);
    }, 20);
    const started = Date.now();
    const asked = await gql<{ exportEvidenceBundle: { id: string } }>(
      bench.base,
      `mutation($input: ExportEvidenceBundleInput!) { exportEvidenceBundle(input: $input) { id } }`,
      { input: { scope: 'INCIDENT', id: incidentId } },
      token,
    );
    let bundle: { status: string; size: number | null; error: string | null; sha256: string | null };
    for (;;) {
      bundle = (
        await gql<{ evidenceBundle: typeof bundle }>(
          bench.base,
          `query($id: ID!) { evidenceBundle(id: $id) { status size error sha256 } }`,
          { id: asked.exportEvidenceBundle.id },
          token,
        )
      ).evidenceBundle;
      if (bundle.status === 'READY' || bundle.status === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const end = memoryOf(pid);
    if (bundle.status !== 'READY') throw new Error(`bundle ${bundle.status}: ${bundle.error}`);
    console.log(`bundle: READY in ${seconds.toFixed(1)} s, zip ${mb(bundle.size!)}, SHA-256 ${bundle.sha256}`);
    console.log(`throughput: ${(total / MiB / seconds).toFixed(1)} MB/s of evidence (MiB/s, request to READY)`);
    console.log(
      `server RSS: idle ${mb(idle.rss)}, peak while building ${mb(peak)} (+${mb(peak - idle.rss)}), after ${mb(end.rss)}; process high-water mark ${mb(end.hwm)}`,
    );
  } finally {
    await db.end();
    await bench.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(keys, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
