/**
 * Stalls of the server's thread while it is otherwise idle: the built server (production mode, background jobs on)
 * on a fresh test database, asked `/health` one request at a time, every 10 ms, for SECONDS (default 70: more than
 * two of any 30-second timer). A request that waits long waited for something else on the server's thread (a job's
 * work, a timer's look, a garbage collection). Prints the latencies and each answer slower than STALL_MS; asserts
 * nothing.
 *
 *   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/stalls.bench.ts
 *   BENCH_SERVER_JS=/tmp/before/dist/apps/api/src/main.js …   # another build, for before and after
 */
import { pct, startBenchServer } from './support';

const SECONDS = Number(process.env.SECONDS ?? 70);
const STALL_MS = Number(process.env.STALL_MS ?? 50);

async function main(): Promise<void> {
  const { base, stop } = await startBenchServer({ prefix: 'stalls' });
  try {
    const ms: number[] = [];
    const stalls: string[] = [];
    const t0 = performance.now();
    while (performance.now() - t0 < SECONDS * 1000) {
      const s = performance.now();
      const res = await fetch(`${base}/health`);
      await res.arrayBuffer();
      const took = performance.now() - s;
      ms.push(took);
      if (took > STALL_MS) stalls.push(`${((s - t0) / 1000).toFixed(1)} s: ${took.toFixed(0)} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    ms.sort((a, b) => a - b);
    console.log(
      `${ms.length} requests in ${SECONDS} s: p50 ${pct(ms, 50).toFixed(1)} ms  p99 ${pct(ms, 99).toFixed(1)} ms  max ${ms.at(-1)!.toFixed(0)} ms`,
    );
    console.log(`answers slower than ${STALL_MS} ms: ${stalls.length}${stalls.length ? `\n  ${stalls.join('\n  ')}` : ''}`);
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
