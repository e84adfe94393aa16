/**
 * llmwatch's store alone on the generated fleet (bench/fleet.ts), at sizes the side-by-side
 * comparison (tsdb-compare.ts) cannot reach in its time: the full fleet over 30 days
 * takes over an hour there, most of it feeding Prometheus. No baseline runs here, so its figures
 * are absolute, measured as tsdb-compare measures llmwatch's: ingest as the sum of append() wall
 * time (and the process CPU over the same loop), memory as heap + array buffers after GC minus
 * the same before opening the store (after a warm-up store), disk after flushHeads and close,
 * and each Quantity dashboard query timed after one warm-up run.
 *
 * Env: BENCH_FLEET_COMPONENTS (20), BENCH_FLEET_HOURS (720), BENCH_FLEET_RANGES (hours, comma
 * separated; default "1,24" and the whole span), BENCH_FLEET_ROUNDS (5), BENCH_FLEET_DIR (a
 * folder to keep the store in and reuse; default a temporary one, removed afterwards; a store
 * kept by tsdb-compare.ts with BENCH_TSDB_KEEP holds the same data).
 * With BENCH_FLEET_VM=1, VictoriaMetrics (Debian's victoria-metrics) is fed the same fleet by
 * remote write as tsdb-compare.ts feeds it, and its query latency is timed in the same run
 * after llmwatch's, for each range (queries only: a baseline for the query figures of a store
 * built earlier; about 20 minutes of feeding for the full fleet over 30 days).
 * Run: node --import tsx bench/fleet-store.ts
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPromqlEngine } from '../src/promql/index.js';
import { createSqliteStore } from '../src/store/sqlite-store.js';
import { FLEET_STEP_MS, createFleet, nextFleetBatch } from './fleet.js';
import { warmUpStore } from './store-warm-up.js';
import { dashboardQueries, heapBytes } from './tsdb-compare.js';
import { queryRange } from '../test/support/prometheus-api.js';
import { startVictoriaMetrics } from '../test/support/victoria-metrics.js';
import { diskBytes, feedRemoteWrite, percentile, timeQueries } from './tsdb-servers.js';

const components = Number(process.env.BENCH_FLEET_COMPONENTS ?? 20);
const hours = Number(process.env.BENCH_FLEET_HOURS ?? 720);
const rounds = Number(process.env.BENCH_FLEET_ROUNDS ?? 5);
const kept = process.env.BENCH_FLEET_DIR;
const dir = kept ?? mkdtempSync(join(tmpdir(), 'llmwatch-bench-fleet-'));
const path = join(dir, 'store.db');
const fleetOpts = {
  components,
  copiesPerComponent: 8,
  gpus: Math.max(1, Math.round((64 * components) / 20)),
};
const steps = Math.round((hours * 3_600_000) / FLEET_STEP_MS);
const endMs = Date.UTC(2024, 0, 15);
const startMs = endMs - (steps - 1) * FLEET_STEP_MS;

try {
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    await warmUpStore();
    const fleet = createFleet(fleetOpts);
    const values = new Float64Array(fleet.labels.length);
    const before = heapBytes();
    const store = createSqliteStore({ path, retentionDays: 0, retentionIntervalMs: 0 });
    const cpu0 = process.cpuUsage();
    let appendMs = 0;
    for (let step = 0; step < steps; step++) {
      const batch = nextFleetBatch(fleet, values, startMs + step * FLEET_STEP_MS);
      const t0 = performance.now();
      await store.append(batch);
      appendMs += performance.now() - t0;
    }
    const cpu = process.cpuUsage(cpu0);
    const memory = heapBytes() - before;
    await store.flushHeads();
    await store.close();
    const series = fleet.labels.length;
    const samples = steps * series;
    console.log(
      `${components} components × 8 copies and ${fleetOpts.gpus} GPUs: ${series} series every ` +
        `15 s for ${hours} h = ${samples.toLocaleString('en-US')} samples\n` +
        `| ingest samples/s (append wall) | ${Math.round(samples / (appendMs / 1000))} |\n` +
        `| process CPU µs/sample (whole loop, fleet generation included) | ${((cpu.user + cpu.system) / samples).toFixed(3)} |\n` +
        `| memory bytes/series | ${Math.round(memory / series)} |\n` +
        `| disk bytes/sample | ${(diskBytes(dir) / samples).toFixed(2)} |`,
    );
  }
  const rangesH = (process.env.BENCH_FLEET_RANGES ?? `1,24,${hours}`).split(',').map(Number);
  const vm = process.env.BENCH_FLEET_VM === '1' ? await startVictoriaMetrics() : undefined;
  try {
    if (vm !== undefined) {
      const feedOpts = { samplesPerRequest: 10_000, concurrency: 2 };
      await feedRemoteWrite(vm.url, createFleet(fleetOpts), startMs, steps, feedOpts);
      await vm.forceFlush();
    }
    const store = createSqliteStore({ path, retentionDays: 0, retentionIntervalMs: 0 });
    const engine = createPromqlEngine(store);
    const p = (times: number[]) =>
      `${percentile(times, 0.5).toFixed(1)} / ${percentile(times, 0.95).toFixed(1)}`;
    for (const rangeH of rangesH) {
      const rangeMs = Math.min(rangeH * 3_600_000, endMs - startMs);
      const { stepMs, queries } = dashboardQueries(rangeMs);
      const from = endMs - Math.ceil(rangeMs / stepMs) * stepMs;
      const mine = await timeQueries(
        queries,
        async (q) => JSON.stringify(await engine.rangeQuery(q, from, endMs, stepMs)),
        rounds,
        Infinity,
      );
      if (vm === undefined) {
        console.log(`| query ${rangeH}h p50 / p95 ms | ${p(mine)} |`);
        continue;
      }
      const theirs = await timeQueries(
        queries,
        (q) => queryRange(vm.url, q, from, endMs, stepMs),
        rounds,
        Infinity,
      );
      const ratio = (k: number) => (percentile(mine, k) / percentile(theirs, k)).toFixed(2);
      console.log(
        `| query ${rangeH}h p50 / p95 ms | ${p(mine)} | ${p(theirs)} | ${ratio(0.5)} / ${ratio(0.95)} |`,
      );
    }
    const cache = store.blockCacheStats();
    console.log(
      `block cache after the queries: ${(cache.bytes / 2 ** 20).toFixed(1)} MiB, ` +
        `${cache.hits} hits, ${cache.misses} misses`,
    );
    await store.close();
  } finally {
    await vm?.close();
  }
} finally {
  if (kept === undefined) rmSync(dir, { recursive: true, force: true });
}
