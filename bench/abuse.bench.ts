/**
 * Abuse benchmark (issue 11): runs the built server (production mode, as
 * deployed) on a fresh test database and prints
 *   1. the time to refuse an anonymous fragment chain of 20, 40 and 80 levels
 *      (each level spreads the next twice: 2^N selections written out) — must
 *      stay flat as N grows;
 *   2. `/health` latency (p50 / p99) while 100 parallel wrong sign-ins from 100
 *      addresses run, again and again, against the same latency at rest;
 *   3. the server's RSS before and after the 30-alias nested query of the
 *      issue (refused before execution), sent 5 times at once.
 * Prints numbers; asserts nothing.
 *
 *   npm run build && npx tsx bench/abuse.bench.ts                                        # embedded PostgreSQL
 *   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/abuse.bench.ts
 */
import * as fs from 'node:fs';
import { pct, startBenchServer } from './support';

const RUNS = Number(process.env.RUNS ?? 20);
const HEALTH_RUNS = Number(process.env.HEALTH_RUNS ?? 200);
const WAVES = Number(process.env.WAVES ?? 10);

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

/** Resident set size of a process, in MiB (Linux). */
function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

function fragmentChain(levels: number): string {
  const defs = Array.from({ length: levels }, (_, i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`);
  return `query { me { ...F0 } } ${defs.join(' ')} fragment F${levels} on User { id }`;
}

const THIRTY_ALIASES = `{ ${Array.from(
  { length: 30 },
  (_, i) =>
    `a${i}: countermeasures(first: 100) { nodes { key title requirements { title evidence { id name sha256 reviews { decision comment at } } } } }`,
).join(' ')} }`;

async function main(): Promise<void> {
  // The bench plays 100 clients from 100 addresses through one proxy hop.
  const { server, base, adminEmail, password, stop } = await startBenchServer({ prefix: 'abuse', env: { TRUST_PROXY_HOPS: '1' } });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  try {
    const login = await post({ query: `mutation { login(input: { email: "${adminEmail}", password: "${password}" }) { accessToken } }` });
    const token = ((await login.json()) as { data: { login: { accessToken: string } } }).data.login.accessToken;

    // 1. The fragment chain, refused: time to the answer, per depth.
    console.log('\n1. Anonymous fragment chain (each level spreads the next twice), time to the refusal:');
    for (const levels of [20, 40, 80]) {
      const body = { query: fragmentChain(levels) };
      const ms: number[] = [];
      let status = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const res = await post(body);
        await res.text();
        status = res.status;
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      console.log(
        `   ${String(levels).padStart(2)} levels (${JSON.stringify(body).length} bytes): HTTP ${status}, p50 ${fmt(pct(ms, 50))}, p99 ${fmt(pct(ms, 99))}`,
      );
    }

    // 2. /health while sign-in is hammered.
    const health = async (until?: () => boolean): Promise<number[]> => {
      const ms: number[] = [];
      for (let i = 0; until ? !until() : i < HEALTH_RUNS; i++) {
        const t0 = performance.now();
        const res = await fetch(`${base}/health`);
        await res.text();
        if (!res.ok) throw new Error(`/health answered ${res.status}`);
        ms.push(performance.now() - t0);
      }
      return ms.sort((a, b) => a - b);
    };
    const rest = await health();
    let done = false;
    const outcomes = new Map<string, number>();
    const attacker = async () => {
      for (let wave = 1; wave <= WAVES; wave++) {
        await Promise.all(
          Array.from({ length: 100 }, async (_, i) => {
            const res = await post(
              { query: `mutation { login(input: { email: "${adminEmail}", password: "wrong-${wave}-${i}" }) { accessToken } }` },
              { 'x-forwarded-for': `198.51.100.${i + 1}` },
            );
            const json = (await res.json()) as { errors?: { extensions?: { reason?: string; code?: string } }[] };
            const why = json.errors?.[0]?.extensions?.reason ?? json.errors?.[0]?.extensions?.code ?? 'SIGNED_IN';
            outcomes.set(why, (outcomes.get(why) ?? 0) + 1);
          }),
        );
      }
    };
    const attack = attacker().finally(() => (done = true));
    const loaded = await health(() => done);
    await attack;
    console.log('\n2. GET /health, sequential:');
    console.log(`   at rest:                                 p50 ${fmt(pct(rest, 50))}, p99 ${fmt(pct(rest, 99))}`);
    console.log(
      `   during ${WAVES} waves of 100 parallel bad logins (${loaded.length} checks): p50 ${fmt(pct(loaded, 50))}, p99 ${fmt(pct(loaded, 99))}`,
    );
    console.log(`   the sign-ins' answers: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);

    // 3. The 30-alias query, five at once: refused before execution.
    const before = rssMiB(server.pid!);
    const t0 = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const res = await post({ query: THIRTY_ALIASES }, { authorization: `Bearer ${token}` });
        return { status: res.status, body: (await res.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] } };
      }),
    );
    const took = performance.now() - t0;
    const after = rssMiB(server.pid!);
    const ext = answers[0]!.body.errors?.[0]?.extensions ?? {};
    if (ext.reason === undefined) console.log(`   unexpected answer: ${JSON.stringify(answers[0]!.body).slice(0, 300)}`);
    console.log('\n3. The 30-alias nested query, 5 at once:');
    console.log(
      `   answered HTTP ${answers.map((a) => a.status).join('/')} ${String(ext.reason)} (cost ${String(ext.cost)}, limit ${String(ext.limit)}) in ${fmt(took)}`,
    );
    console.log(`   server RSS: ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after`);
  } finally {
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
