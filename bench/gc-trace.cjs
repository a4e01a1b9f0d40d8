/**
 * A preload for a server under a bench: `SERVER_NODE_ARGS="-r ./bench/gc-trace.cjs"` with
 * `GC_TRACE_OUT=/tmp/gc.json` in the environment. It records each garbage collection (its kind, when
 * it began, how long it took) and each stall of the event loop (a 10 ms timer found more than 30 ms
 * late: a collection, or a long stretch of one request's synchronous work), in wall-clock
 * milliseconds, and writes them to GC_TRACE_OUT as JSON every second and at exit. With the nested-page
 * bench's LATENCY_OUT, `bench/tail-summary.ts` tells which slow answers waited through which pauses.
 */
'use strict';
const fs = require('node:fs');
const { PerformanceObserver, constants, performance } = require('node:perf_hooks');

const out = process.env.GC_TRACE_OUT;
if (out) {
  const KINDS = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
  };
  /** [wall-clock start ms, kind, duration ms] */
  const events = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      events.push([performance.timeOrigin + e.startTime, KINDS[e.detail.kind] ?? String(e.detail.kind), e.duration]);
    }
  }).observe({ entryTypes: ['gc'] });
  const TICK = 10;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > TICK + 30) events.push([performance.timeOrigin + last, 'stall', now - last - TICK]);
    last = now;
  }, TICK).unref();
  const write = () => fs.writeFileSync(out, JSON.stringify(events));
  setInterval(write, 1000).unref();
  process.on('exit', write);
}
