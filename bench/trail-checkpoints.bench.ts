/**
 * Trail checkpoint benchmark (issue 13): on a fresh database of the test
 * PostgreSQL server, a trail of N entries with a valid hash chain (default
 * 100 000), then the time of
 *   1. the Merkle tree of all N entries from the hash column (what every checkpoint,
 *      proof and `verifyAuditTrail --against` reads), its root and one inclusion proof;
 *   2. the chain check of the whole trail (what the FIRST checkpoint also does; later
 *      ones check only the entries since the newest checkpoint);
 *   3. the tree again after 1 000 more entries (a later scheduled checkpoint);
 * and the process's peak RSS. Prints numbers; asserts nothing.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/trail-checkpoints.bench.ts
 *   N=1000000 DATABASE_URL=... npx tsx bench/trail-checkpoints.bench.ts
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { entryHash, GENESIS_HASH, AuditTrailEntryEntity } from '@app/audit-trail';
import { dataSourceOptions, runMigrations } from '@app/database';
import { toBase64 } from '@app/proofs';
import { readTrailTree } from '../libs/audit-trail/src/checkpoints/trail-tree';
import { checkChainRange } from '../libs/audit-trail/src/checkpoints/trail-chain-range';

const N = Number(process.env.N ?? 100_000);
const server = process.env.DATABASE_URL;
if (!server) throw new Error('DATABASE_URL (a test server) is required');

async function time<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await fn();
  console.log(`${label}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return result;
}

/** Appends `count` entries with a valid chain after `prev` (seq `from`+1 on). */
async function fill(ds: DataSource, from: number, count: number, prev: string): Promise<string> {
  let prevHash = prev;
  for (let done = 0; done < count;) {
    const batch = [];
    for (let i = 0; i < 5000 && done < count; i++, done++) {
      const e = {
        seq: String(from + done + 1),
        id: randomUUID(),
        occurredAt: new Date(Date.UTC(2026, 11, 1) + (from + done) * 1000),
        actorId: null,
        actorLabel: 'system:bench',
        action: 'bench.entry',
        entityType: 'Bench',
        entityId: `bench-${from + done}`,
        before: null,
        after: { 件名: `ベンチ ${from + done}` },
        requestId: null,
        prevHash,
      };
      const hash = entryHash(e);
      batch.push({ ...e, hash });
      prevHash = hash;
    }
    await ds.getRepository(AuditTrailEntryEntity).insert(batch);
  }
  return prevHash;
}

async function main(): Promise<void> {
  const db = `bench_trail_test_${Date.now()}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${db}"`);
  const url = new URL(server!);
  url.pathname = `/${db}`;
  const ds = new DataSource({ ...dataSourceOptions(url.toString(), 4), entities: [AuditTrailEntryEntity] });
  try {
    await runMigrations(url.toString());
    await ds.initialize();
    const head = await time(`filling ${N} entries (not part of a checkpoint)`, () => fill(ds, 0, N, GENESIS_HASH));
    const { tree } = await time(`1. Merkle tree of ${N} entries from the hash column`, () => readTrailTree(ds.manager, N));
    console.log(`   root ${toBase64(tree.root())}, inclusion proof of entry #1: ${tree.inclusionProof(0).length} hashes`);
    const broken = await time(`2. chain check of all ${N} entries (the first checkpoint only)`, () => checkChainRange(ds.manager, 0, N));
    if (broken) throw new Error(`chain broken: ${JSON.stringify(broken)}`);
    await fill(ds, N, 1000, head);
    await time(`3. Merkle tree of ${N + 1000} entries (a later checkpoint) + chain check of the 1 000 new`, async () => {
      await readTrailTree(ds.manager, N + 1000);
      await checkChainRange(ds.manager, N, N + 1000);
    });
    console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await admin.query(`DROP DATABASE "${db}"`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
