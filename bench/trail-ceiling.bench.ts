/**
 * The trail's write ceiling (issue 17): every write appends to the one hash chain, and
 * the chain's lock orders them. On a fresh test database the built server (production
 * mode) gets INCIDENTS incidents, each with a gate and ITEMS countermeasures required for
 * it, owned by one task-force member per incident (so that the incident lock, which
 * orders the writes of ONE incident, is not what is measured). Then 1, 2, 4, 8 and 16
 * clients, each signed in as a different owner, move their items in a loop
 * (IN_PROGRESS → BLOCKED → IN_PROGRESS: the versioned UPDATE, the history row, the trail
 * entry, the gate re-evaluated before commit) for SECONDS seconds each, and the bench
 * prints, per level: writes/s, p50/p99 latency, and how long the chain lock was held per
 * write, sampled in PostgreSQL (pg_locks every ~2 ms from another connection: the share of
 * samples in which a transaction held the chain's exclusive lock, times the wall time,
 * divided by the writes; and the mean number of writers waiting for it). At the end the
 * whole trail is checked: one chain, seq without gaps, each entry linked to the one
 * before. Prints numbers; asserts nothing.
 *
 *   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/trail-ceiling.bench.ts
 *   LEVELS=1,4,16 SECONDS=10 REPEAT=3 DATABASE_URL=... npx tsx bench/trail-ceiling.bench.ts
 *   BENCH_SERVER_JS=/tmp/older-build/dist/apps/api/src/main.js ...   # another build, same bench
 */
import { Client } from 'pg';
import { checkChain, type StoredEntry } from '../libs/audit-trail/src/domain/audit-hash';
import { pct, startBenchServer } from './support';

const LEVELS = (process.env.LEVELS ?? '1,2,4,8,16').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS ?? 8);
const REPEAT = Number(process.env.REPEAT ?? 2);
const INCIDENTS = Math.max(...LEVELS);
const ITEMS = Number(process.env.ITEMS ?? 20);
/** One incident for every client (the default), or ONE_INCIDENT=true: all clients on one incident (its lock orders them). */
const ONE_INCIDENT = process.env.ONE_INCIDENT === 'true';

/**
 * The advisory keys a writer may hold exclusively for the chain: the one lock of
 * the original design (7264110001, held from the first append to COMMIT) and the
 * append lock of the deferred design (7264110002, held from the flush to COMMIT).
 * A bigint key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits).
 */
const CHAIN_KEYS = [7_264_110_001, 7_264_110_002].map((k) => `(${Math.floor(k / 2 ** 32)}, ${k % 2 ** 32})`).join(', ');

const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { id status version } }`;

interface Item {
  id: string;
  version: number;
  status: 'IN_PROGRESS' | 'BLOCKED';
}

async function seed(pg: Client, adminEmail: string): Promise<{ email: string; items: Item[] }[]> {
  // The owners sign in with the admin's password: same hash.
  const [{ hash }] = (await pg.query<{ hash: string }>('SELECT password_hash AS hash FROM users WHERE email = $1', [adminEmail])).rows as [
    { hash: string },
  ];
  const owners: { email: string; items: Item[] }[] = [];
  for (let i = 1; i <= INCIDENTS; i++) {
    const email = `owner${i}@bench.test`;
    const user = (
      await pg.query<{ id: string }>(
        `INSERT INTO users (email, display_name, display_name_kana, password_hash, roles, version)
         VALUES ($1, $2, $3, $4, '{TASK_FORCE}', 1) RETURNING id`,
        [email, `担当 ${i}`, `たんとう ${i}`, hash],
      )
    ).rows[0]!.id;
    const incident = ONE_INCIDENT ? 1 : i;
    const incidentId = `00000000-0000-4000-8000-${String(incident).padStart(12, '0')}`;
    if (incident === i) {
      await pg.query(`INSERT INTO incidents (id, title, summary, detected_on, version) VALUES ($1, $2, '概要', current_date - 30, 1)`, [
        incidentId,
        `ベンチ事案 ${i}`,
      ]);
      await pg.query(
        `INSERT INTO promotion_gates (id, incident_id, key, name, description, created_reason, state, blockers, created_at, updated_at, version)
         VALUES (gen_random_uuid(), $1, $2, '新規顧客向け販促', '', '監査完了まで停止', 'SUSPENDED', '[]', now() - interval '10 days', now(), 1)`,
        [incidentId, `new-customer-promotion-${i}`],
      );
    }
    await pg.query(
      `INSERT INTO task_force_members (incident_id, user_id, role_title, is_chief, joined_on) VALUES ($1, $2, '担当', false, current_date - 30)`,
      [incidentId, user],
    );
    const items = (
      await pg.query<{ id: string }>(
        `INSERT INTO countermeasures (id, incident_id, seq, title, description, category, owner_id, priority, due_date, required_for_gate, ongoing, status, created_at, updated_at, version)
         SELECT gen_random_uuid(), $1, (SELECT coalesce(max(seq), 0) FROM countermeasures WHERE incident_id = $1) + n, '対策 ' || n, '', 'ACCESS_RESTRICTION', $2, 'HIGH',
           current_date + 60, true, false, 'IN_PROGRESS', now() - interval '5 days', now(), 1
         FROM generate_series(1, ${ITEMS}) n RETURNING id`,
        [incidentId, user],
      )
    ).rows;
    await pg.query(
      `INSERT INTO countermeasure_transitions (countermeasure_id, from_status, to_status, cause, reason, actor_label, at)
       SELECT id, NULL, 'PLANNED', 'USER', NULL, 'bench', created_at FROM countermeasures WHERE owner_id = $1
       UNION ALL SELECT id, 'PLANNED', 'IN_PROGRESS', 'USER', NULL, 'bench', created_at + interval '1 day' FROM countermeasures WHERE owner_id = $1`,
      [user],
    );
    owners.push({ email, items: items.map((r) => ({ id: r.id, version: 1, status: 'IN_PROGRESS' as const })) });
  }
  await pg.query('VACUUM ANALYZE');
  return owners;
}

async function main(): Promise<void> {
  const { base, url, adminEmail, password, stop } = await startBenchServer({
    prefix: 'trail_ceiling',
    // The pool is not the ceiling here: one connection per client and some to spare.
    env: { DATABASE_POOL_SIZE: String(INCIDENTS + 4) },
  });
  try {
    const pg = new Client({ connectionString: url });
    pg.on('error', () => undefined);
    await pg.connect();
    const owners = await seed(pg, adminEmail);
    console.log(
      `seeded: ${INCIDENTS} owners, ${ONE_INCIDENT ? 'one incident' : `${INCIDENTS} incidents (one each)`}, ${ITEMS} items each, a gate per incident`,
    );
    const gql = async <T>(token: string | null, query: string, variables: Record<string, unknown>): Promise<T> => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!;
    };
    const tokens: string[] = [];
    for (const o of owners) {
      const { login } = await gql<{ login: { accessToken: string } }>(
        null,
        `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
        { input: { email: o.email, password } },
      );
      tokens.push(login.accessToken);
    }

    /** One client: moves its owner's items round-robin until `until`. */
    const client = async (i: number, until: number, ms: number[], failed = { n: 0 }) => {
      const owner = owners[i]!;
      let k = 0;
      while (Date.now() < until) {
        const item = owner.items[k++ % owner.items.length]!;
        const to = item.status === 'IN_PROGRESS' ? 'BLOCKED' : 'IN_PROGRESS';
        const t0 = performance.now();
        try {
          const { moveCountermeasure } = await gql<{ moveCountermeasure: { version: number; status: Item['status'] } }>(tokens[i]!, MOVE, {
            input: { id: item.id, expectedVersion: item.version, to, reason: to === 'BLOCKED' ? '委託先の回答待ち' : undefined },
          });
          ms.push(performance.now() - t0);
          item.version = moveCountermeasure.version;
          item.status = moveCountermeasure.status;
        } catch {
          // Refused under load (e.g. a statement timeout: DATABASE_UNAVAILABLE): counted, the item read again.
          failed.n++;
          const [row] = (await pg.query<Item>('SELECT version, status FROM countermeasures WHERE id = $1', [item.id])).rows;
          Object.assign(item, row);
        }
      }
    };

    /** pg_locks every ~2 ms: is the chain's exclusive lock held, and how many wait for it. */
    const sampler = new Client({ connectionString: url });
    sampler.on('error', () => undefined);
    await sampler.connect();
    const sample = async (until: number) => {
      let samples = 0;
      let held = 0;
      let waiting = 0;
      while (Date.now() < until) {
        const { rows } = await sampler.query<{ held: number; waiting: number }>(
          `SELECT count(*) FILTER (WHERE granted AND mode = 'ExclusiveLock')::int AS held, count(*) FILTER (WHERE NOT granted)::int AS waiting
             FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND (classid::bigint, objid::bigint) IN (${CHAIN_KEYS})`,
        );
        samples++;
        held += rows[0]!.held > 0 ? 1 : 0;
        waiting += rows[0]!.waiting;
        await new Promise((r) => setTimeout(r, 2));
      }
      return { samples, heldShare: held / Math.max(samples, 1), meanWaiting: waiting / Math.max(samples, 1) };
    };

    // Warm-up: every client a few moves (JIT, pools, plans).
    await Promise.all(owners.map((_, i) => client(i, Date.now() + 1500, [])));

    console.log(
      `\n${SECONDS} s per run, ${REPEAT} runs per level; lock held = share of samples with the chain's exclusive lock held × wall / writes`,
    );
    console.log('clients | writes/s | p50 ms | p99 ms | lock held per write ms | lock busy % | writers waiting (mean) | samples | failed');
    for (const level of LEVELS) {
      for (let r = 0; r < REPEAT; r++) {
        const ms: number[] = [];
        const failed = { n: 0 };
        const t0 = performance.now();
        const until = Date.now() + SECONDS * 1000;
        const [locks] = await Promise.all([sample(until), ...Array.from({ length: level }, (_, i) => client(i, until, ms, failed))]);
        const wall = (performance.now() - t0) / 1000;
        ms.sort((a, b) => a - b);
        const perWrite = (locks.heldShare * wall * 1000) / ms.length;
        console.log(
          `${String(level).padStart(7)} | ${(ms.length / wall).toFixed(1).padStart(8)} | ${pct(ms, 50).toFixed(1).padStart(6)} | ${pct(
            ms,
            99,
          )
            .toFixed(1)
            .padStart(6)} | ${perWrite.toFixed(2).padStart(22)} | ${(locks.heldShare * 100).toFixed(0).padStart(11)} | ${locks.meanWaiting
            .toFixed(2)
            .padStart(22)} | ${String(locks.samples).padStart(7)} | ${failed.n}`,
        );
      }
    }
    await sampler.end();

    // The chain: one sequence without gaps, each entry linked to the one before, each hash recomputed (as verifyAuditTrail).
    const rows = (
      await pg.query<Record<string, unknown>>(
        `SELECT seq::text AS seq, id, occurred_at AS "occurredAt", actor_id AS "actorId", actor_label AS "actorLabel", action,
                entity_type AS "entityType", entity_id AS "entityId", before, after, request_id AS "requestId", prev_hash AS "prevHash", hash
           FROM audit_trail ORDER BY audit_trail.seq`,
      )
    ).rows;
    const broken = checkChain(rows as unknown as StoredEntry[], null);
    console.log(
      `\nthe trail: ${rows.length} entries, ${broken ? `BROKEN: ${JSON.stringify(broken)}` : 'one unbroken chain (seq without gaps, links and hashes recomputed)'}`,
    );
    await pg.end();
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
