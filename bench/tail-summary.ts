/**
 * Where a bench round's slow answers came from: reads the answers written by the nested-page
 * bench's LATENCY_OUT and, optionally, the server's pauses written by bench/gc-trace.cjs, and prints
 * the latency percentiles, the pauses during the round by kind, and for the slowest 3 % of answers
 * how much of their time the server's thread spent in a collection or a stall.
 *
 *   npx tsx bench/tail-summary.ts /tmp/lat-tracker-1.json [/tmp/gc.json]
 */
import * as fs from 'node:fs';
import { pct } from './support';

type Answer = [start: number, ms: number, page: number];
type Pause = [start: number, kind: string, ms: number];

const answers = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Answer[];
const pauses = process.argv[3] ? (JSON.parse(fs.readFileSync(process.argv[3], 'utf8')) as Pause[]) : [];
if (answers.length === 0) throw new Error('no answers in the file');

const sorted = answers.map((a) => a[1]).sort((a, b) => a - b);
/** The bench's own percentile, so that p50 and p99 here are the ones its round line printed. */
const at = (p: number) => pct(sorted, p);
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
console.log(
  `${answers.length} answers; latency ms:`,
  [10, 25, 50, 75, 90, 95, 99].map((p) => `p${p} ${at(p).toFixed(0)}`).join('  '),
  ` max ${sorted.at(-1)!.toFixed(0)}`,
);
for (const page of [0, 1, 2, 3]) {
  const mine = answers.filter((a) => a[2] === page).map((a) => a[1]);
  console.log(`  page ${page + 1} of each walk: ${mine.length} answers, mean ${mean(mine).toFixed(0)} ms`);
}

const from = Math.min(...answers.map((a) => a[0]));
const to = Math.max(...answers.map((a) => a[0] + a[1]));
const during = pauses.filter((p) => p[0] >= from && p[0] <= to);
if (pauses.length) {
  console.log(`the server's pauses in the round's ${((to - from) / 1000).toFixed(1)} s:`);
  for (const kind of [...new Set(during.map((p) => p[1]))].sort()) {
    const ms = during.filter((p) => p[1] === kind).map((p) => p[2]);
    const sum = ms.reduce((s, v) => s + v, 0);
    console.log(
      `  ${kind.padEnd(15)} ${String(ms.length).padStart(4)}  mean ${(sum / ms.length).toFixed(1)} ms  max ${Math.max(...ms).toFixed(0)} ms  total ${(sum / 1000).toFixed(2)} s`,
    );
  }
  const slow = answers.filter((a) => a[1] >= at(97));
  /** The pauses that overlap the answer's time. */
  const within = (a: Answer) => during.filter((p) => p[0] < a[0] + a[1] && p[0] + p[2] > a[0]);
  /** Collections only: a stall holds a collection's time too, so adding both would count it twice. */
  const held = (a: Answer) =>
    within(a)
      .filter((p) => p[1] !== 'stall')
      .reduce((s, p) => s + Math.min(p[0] + p[2], a[0] + a[1]) - Math.max(p[0], a[0]), 0);
  const longest = (a: Answer) => Math.max(0, ...within(a).map((p) => p[2]));
  console.log(
    `the slowest 3 % (${slow.length}, from ${at(97).toFixed(0)} ms): ${mean(slow.map(held)).toFixed(0)} ms of collections each on average, longest pause within ${mean(slow.map(longest)).toFixed(0)} ms; all answers: ${mean(answers.map(held)).toFixed(0)} ms, ${mean(answers.map(longest)).toFixed(0)} ms`,
  );
  const clusters = [...new Set(slow.map((a) => Math.floor((a[0] + a[1] - from) / 1000)))].sort((a, b) => a - b);
  console.log(`  they ended in these seconds of the round: ${clusters.join(', ')}`);
}
