/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went:
 * self time by package (node_modules/<pkg>, our own code, node internals, GC)
 * and the top functions by self time and by inclusive time.
 *
 *   npx tsx bench/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [TOP] [LAST_SECONDS]
 *
 * LAST_SECONDS: only the samples of the profile's last seconds (the load, not the start-up).
 */
import * as fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  endTime: number;
  startTime: number;
}

const file = process.argv[2]!;
const top = Number(process.argv[3] ?? 25);
const lastUs = Number(process.argv[4] ?? 0) * 1e6;
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
let at = p.startTime;
const from = lastUs > 0 ? p.endTime - lastUs : -Infinity;
p.samples.forEach((id, i) => {
  at += p.timeDeltas[i] ?? 0;
  if (at >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function pkgOf(url: string, name: string): string {
  if (name === '(garbage collector)') return '(gc)';
  if (name === '(idle)' || name === '(program)') return name;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.includes('/dist/')) return '(ours) ' + (/dist\/((?:apps|libs)\/[^/]+)/.exec(url)?.[1] ?? 'other');
  if (url.startsWith('node:') || url === '') return '(node/native)';
  return url;
}
const label = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, '')}:${n.callFrame.lineNumber}`;
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

const byPkg = new Map<string, number>();
const bySelf = new Map<string, number>();
const byTotal = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  add(byPkg, pkgOf(n.callFrame.url, n.callFrame.functionName), us);
  add(bySelf, label(n), us);
  // inclusive: every distinct frame on the stack
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (!seen.has(l)) {
      seen.add(l);
      add(byTotal, l, us);
    }
  }
}
const busy = total - (byPkg.get('(idle)') ?? 0);
const show = (title: string, m: Map<string, number>, k: number) => {
  console.log(`\n${title} (share of busy time ${(busy / 1e6).toFixed(2)} s)`);
  for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, k)) {
    console.log(`${((us / busy) * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
};
show('self time by package', byPkg, 30);
show('self time by function', bySelf, top);
show('inclusive time by function', byTotal, top);
