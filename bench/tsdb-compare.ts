/**
 * llmwatch's embedded store side by side with a real Prometheus 2.42 and VictoriaMetrics 1.79,
 * on the same generated LLM fleet (bench/fleet.ts), in one run.
 *
 * Scale: the fleet is 20 components × 8 copies and 64 GPUs at 15 s (6,912 series,
 * about 40 M samples a day). Thirty days of it do not fit a few minutes on 2 cores, so by
 * default this writes the same shape for fewer components (GPUs scaled with them) over a
 * shorter span; the options (or BENCH_TSDB_COMPONENTS / BENCH_TSDB_HOURS) set both, and the
 * result states exactly what was generated.
 *
 * Figures, each system measured alone (the others idle):
 * - ingest samples/s: llmwatch, store.append() in process, one batch per scrape (all series at
 *   one timestamp), sample objects built outside the timed part; servers, remote write end to
 *   end (HTTP POST of pre-encoded snappy protobuf bodies of ~10k samples, 2 in flight, one per
 *   half of the series so that each series' samples arrive in order, as Prometheus's own sender
 *   shards them, until the server answered), client encoding not timed.
 * - disk bytes per sample: allocated size of the data directory after llmwatch cut every head
 *   (flushHeads) and closed, Prometheus compacted what its head allowed, VictoriaMetrics
 *   force-flushed; Prometheus's compacted blocks alone are given too.
 * - memory: llmwatch, heap + array buffers after GC, minus the same before opening the store,
 *   measured after ingest (heads full); servers, VmRSS after ingest. Before llmwatch's baseline a
 *   throwaway store is fed through every ingest path (store-warm-up.ts), so that the code V8
 *   compiles for the store and the codecs' scratch buffers, a fixed cost of the process, are not
 *   divided among the series; that fixed cost is given as a note.
 * - query latency: every PromQL query of the Quantity dashboard ($component=".*",
 *   $__rate_interval and step chosen as the dashboard page does) over the last 1 h, 24 h and the
 *   whole span. Servers through /api/v1/query_range (JSON parsed); llmwatch through its PromQL
 *   engine in process over the reopened store, with the result JSON-serialised (no HTTP).
 */
import { linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { quantityDashboard } from '../src/dashboards/quantity.js';
import { createPromqlEngine } from '../src/promql/index.js';
import { createSqliteStore } from '../src/store/sqlite-store.js';
import { countingStore } from '../test/support/counting-store.js';
import { queryRange } from '../test/support/prometheus-api.js';
import { startPrometheus } from '../test/support/prometheus.js';
import { startVictoriaMetrics } from '../test/support/victoria-metrics.js';
import { FLEET_STEP_MS, createFleet, nextFleetBatch, type FleetOptions } from './fleet.js';
import { WARM_UP_HOURS, warmUpStore } from './store-warm-up.js';
import {
  diskBytes,
  feedRemoteWrite,
  percentile,
  pidListeningOn,
  processFlag,
  residentBytes,
  timeQueries,
} from './tsdb-servers.js';

/** Options of runTsdbCompare. */
export interface TsdbCompareOptions {
  /** Components of 8 copies each (GPUs: 64 × components / 20). Default 4. */
  components?: number;
  /** Span of data, hours. Default 48. */
  hours?: number;
  /** Rounds of the dashboard's queries per range and system (bounded by time). Default 5. */
  queryRounds?: number;
}

/** One system's figures. */
export interface SystemFigures {
  samplesPerSecond: number;
  diskBytesPerSample: number;
  memoryBytes: number;
  /** Query latency p50 / p95 per range name, ms. */
  latencyMs: Record<string, { p50: number; p95: number; runs: number }>;
}

/** The comparison: what was generated and every system's figures. */
export interface TsdbCompareResult {
  description: string;
  series: number;
  samples: number;
  systems: Record<'llmwatch' | 'prometheus' | 'victoriametrics', SystemFigures>;
  notes: string[];
}

const NICE_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600];

/** The dashboard page's step (≤ 240 points) and rate interval (max(4 step, 60 s)). */
export function dashboardQueries(rangeMs: number): { stepMs: number; queries: string[] } {
  const raw = rangeMs / 1000 / 240;
  const stepS = NICE_STEPS_S.find((s) => s >= raw) ?? Math.ceil(raw);
  const rateInterval = `${Math.max(4 * stepS, 60)}s`;
  const queries = quantityDashboard.panels.flatMap((p) =>
    p.queries.map((q) =>
      q.expr.replaceAll('$component', '.*').replaceAll('$__rate_interval', rateInterval),
    ),
  );
  return { stepMs: stepS * 1000, queries };
}

export function heapBytes(): number {
  setFlagsFromString('--expose-gc');
  // Twice: array buffers freed by the first collection may still be counted until the next.
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * With BENCH_TSDB_KEEP=<folder>, llmwatch's store file is linked there (a hard link: no copy)
 * once written, so that bench/fleet-store.ts (BENCH_FLEET_DIR=<folder>) can time queries over
 * the same data again later; the run's own temporary folder is removed as usual.
 */
function keepStore(path: string): void {
  const keep = process.env.BENCH_TSDB_KEEP;
  if (keep === undefined || keep === '') return;
  mkdirSync(keep, { recursive: true });
  rmSync(join(keep, 'store.db'), { force: true });
  linkSync(path, join(keep, 'store.db'));
}

const benchStart = performance.now();
/** One line on stderr per phase, so that a run of an hour shows where it is. */
function progress(message: string): void {
  const s = ((performance.now() - benchStart) / 1000).toFixed(0);
  process.stderr.write(`[tsdb-compare ${s} s] ${message}\n`);
}

/** Runs the comparison (servers on 127.0.0.1, temp dirs removed afterwards). */
export async function runTsdbCompare(opts: TsdbCompareOptions = {}): Promise<TsdbCompareResult> {
  const components = opts.components ?? Number(process.env.BENCH_TSDB_COMPONENTS ?? 4);
  const hours = opts.hours ?? Number(process.env.BENCH_TSDB_HOURS ?? 48);
  const rounds = opts.queryRounds ?? 5;
  const fleetOpts: FleetOptions = {
    components,
    copiesPerComponent: 8,
    gpus: Math.max(1, Math.round((64 * components) / 20)),
  };
  const steps = Math.round((hours * 3_600_000) / FLEET_STEP_MS);
  const endMs = Date.UTC(2024, 0, 15);
  const startMs = endMs - (steps - 1) * FLEET_STEP_MS;
  const seriesCount = createFleet(fleetOpts).labels.length;
  const samples = seriesCount * steps;
  const description =
    `${components} components × 8 copies and ${fleetOpts.gpus} GPUs (the issue's fleet has 20 ` +
    `and 64): ${seriesCount} series every 15 s for ${hours} h = ${steps} scrapes, ` +
    `${samples.toLocaleString('en-US')} samples`;
  const notes: string[] = [];
  // 1 h, 24 h and the whole span, each once (a 24-hour run has two ranges).
  const ranges: Array<[string, number]> = [
    ['1h', 3_600_000],
    ['24h', Math.min(86_400_000, endMs - startMs)],
    [`${hours}h`, endMs - startMs],
  ].filter(([name], i, all) => all.findIndex(([other]) => other === name) === i) as Array<
    [string, number]
  >;
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-bench-tsdb-'));
  const prom = await startPrometheus();
  const vm = await startVictoriaMetrics().catch(async (err: unknown) => {
    await prom.close();
    throw err;
  });
  try {
    // llmwatch, in process.
    const path = join(dir, 'llmwatch', 'store.db');
    // The fleet's label objects and value array belong to the caller (as a scraper's would):
    // built before the baseline so that only the store's own memory is counted.
    const fleet = createFleet(fleetOpts);
    const values = new Float64Array(seriesCount);
    const heapBeforeWarmUp = heapBytes();
    await warmUpStore();
    const heapBefore = heapBytes();
    notes.push(
      `llmwatch fixed memory, not in the figures above: ${((heapBefore - heapBeforeWarmUp) / 1e6).toFixed(2)} MB ` +
        `(heap + array buffers after a throwaway store of 1 component over ${WARM_UP_HOURS} h, minus before it: ` +
        "the store's compiled code and the codecs' scratch buffers; less where the process had already run them)",
    );
    progress(`llmwatch: appending ${samples} samples`);
    const store = createSqliteStore({ path, retentionDays: 0, retentionIntervalMs: 0 });
    let appendMs = 0;
    let maxAppendMs = 0;
    for (let step = 0; step < steps; step++) {
      const batch = nextFleetBatch(fleet, values, startMs + step * FLEET_STEP_MS);
      const t0 = performance.now();
      await store.append(batch);
      const ms = performance.now() - t0;
      appendMs += ms;
      if (ms > maxAppendMs) maxAppendMs = ms;
    }
    const llmwatchMemory = heapBytes() - heapBefore;
    await store.flushHeads();
    await store.close();
    const llmwatchDisk = diskBytes(join(dir, 'llmwatch'));
    keepStore(path);
    notes.push(`llmwatch slowest single append: ${maxAppendMs.toFixed(1)} ms`);

    // Prometheus, then VictoriaMetrics, by remote write.
    const feedOpts = { samplesPerRequest: 10_000, concurrency: 2 };
    progress('Prometheus: remote write');
    const promFeed = await feedRemoteWrite(
      prom.url,
      createFleet(fleetOpts),
      startMs,
      steps,
      feedOpts,
    ).catch((err: unknown) => {
      process.stderr.write(`Prometheus's last log lines:\n${prom.logTail()}\n`);
      throw err;
    });
    const promPid = pidListeningOn(Number(new URL(prom.url).port));
    const promRss = promPid === undefined ? Number.NaN : residentBytes(promPid);
    progress('VictoriaMetrics: remote write');
    const vmFeed = await feedRemoteWrite(vm.url, createFleet(fleetOpts), startMs, steps, feedOpts);
    await vm.forceFlush();
    const vmRss = residentBytes(vm.pid);
    await sleep(5_000); // let Prometheus finish the head compactions the appends triggered
    const promDir = promPid === undefined ? undefined : processFlag(promPid, '--storage.tsdb.path');
    const promDisk = promDir === undefined ? Number.NaN : diskBytes(promDir);
    const promBlocks =
      promDir === undefined ? Number.NaN : promDisk - diskBytes(join(promDir, 'wal'));
    if (promFeed.retries + vmFeed.retries > 0) {
      notes.push(
        `remote write: ${promFeed.retries} POSTs to Prometheus and ${vmFeed.retries} to VictoriaMetrics ` +
          'were sent again after a connection error (reset or broken pipe)',
      );
    }
    notes.push(
      `Prometheus data dir ${(promDisk / 1e6).toFixed(1)} MB of which compacted blocks and head ` +
        `chunks ${(promBlocks / 1e6).toFixed(1)} MB (${(promBlocks / samples).toFixed(2)} bytes/sample); ` +
        'the rest is its write-ahead log',
    );
    const vmDisk = diskBytes(vm.dataDir);

    // Query latency, each system alone. llmwatch with its block cache (default size) and, as a
    // note, with the cache off: a second store on the same file.
    const engineStore = createSqliteStore({ path, retentionDays: 0, retentionIntervalMs: 0 });
    const uncachedStore = createSqliteStore({
      path,
      retentionDays: 0,
      retentionIntervalMs: 0,
      blockCacheBytes: 0,
    });
    // Counts the engine's reads, to report which selectors the rollups answered.
    const { store: counting, calls: reads } = countingStore(engineStore);
    const engine = createPromqlEngine(counting);
    const uncachedEngine = createPromqlEngine(uncachedStore);
    const uncached: string[] = [];
    const readsPerRange: string[] = [];
    const latency = { llmwatch: {}, prometheus: {}, victoriametrics: {} } as Record<
      keyof TsdbCompareResult['systems'],
      SystemFigures['latencyMs']
    >;
    for (const [name, rangeMs] of ranges) {
      progress(`queries over ${name}`);
      const { stepMs, queries } = dashboardQueries(rangeMs);
      // As the dashboard page does: the start a whole number of steps before the (aligned) end.
      const from = endMs - Math.ceil(rangeMs / stepMs) * stepMs;
      const runners: Array<[keyof typeof latency, (q: string) => Promise<unknown>]> = [
        ['llmwatch', async (q) => JSON.stringify(await engine.rangeQuery(q, from, endMs, stepMs))],
        ['prometheus', (q) => queryRange(prom.url, q, from, endMs, stepMs)],
        ['victoriametrics', (q) => queryRange(vm.url, q, from, endMs, stepMs)],
      ];
      reads.select = 0;
      reads.selectRollups = 0;
      for (const q of queries) await engine.rangeQuery(q, from, endMs, stepMs);
      readsPerRange.push(`${name} ${reads.selectRollups} from rollups, ${reads.select} raw`);
      for (const [system, run] of runners) {
        const times = await timeQueries(queries, run, rounds, 10_000);
        latency[system][name] = {
          p50: percentile(times, 0.5),
          p95: percentile(times, 0.95),
          runs: times.length,
        };
      }
      const times = await timeQueries(
        queries,
        async (q) => JSON.stringify(await uncachedEngine.rangeQuery(q, from, endMs, stepMs)),
        rounds,
        10_000,
      );
      uncached.push(
        `${name} p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms`,
      );
    }
    const cache = engineStore.blockCacheStats();
    const chunks = engineStore.chunkCacheStats();
    notes.push(
      `llmwatch queries run with its decoded block cache on (blockCacheBytes ${(cache.maxBytes / 2 ** 20).toFixed(0)} MiB, ` +
        `empty when memory is measured): after the queries it held ${(cache.bytes / 2 ** 20).toFixed(1)} MiB ` +
        `in ${cache.entries} entries (blocks, and series' whole rollups), ${cache.hits} hits and ${cache.misses} misses; of which raw chunks ` +
        `${(chunks.bytes / 2 ** 20).toFixed(1)} MiB in ${chunks.entries} chunks, ${chunks.hits} hits and ` +
        `${chunks.misses} misses (hit rate ${((100 * chunks.hits) / Math.max(1, chunks.hits + chunks.misses)).toFixed(1)}%). ` +
        `With the cache off (blockCacheBytes 0): ${uncached.join('; ')}`,
    );
    await engineStore.close();
    await uncachedStore.close();
    notes.push(
      `llmwatch selector reads per range (one run of every query): ${readsPerRange.join('; ')}`,
    );

    const figures = (
      rate: number,
      disk: number,
      memory: number,
      lat: SystemFigures['latencyMs'],
    ): SystemFigures => ({
      samplesPerSecond: Math.round(rate),
      diskBytesPerSample: disk / samples,
      memoryBytes: memory,
      latencyMs: lat,
    });
    return {
      description,
      series: seriesCount,
      samples,
      systems: {
        llmwatch: figures(
          (samples / appendMs) * 1000,
          llmwatchDisk,
          llmwatchMemory,
          latency.llmwatch,
        ),
        prometheus: figures(
          (promFeed.samples / promFeed.postMs) * 1000,
          promDisk,
          promRss,
          latency.prometheus,
        ),
        victoriametrics: figures(
          (vmFeed.samples / vmFeed.postMs) * 1000,
          vmDisk,
          vmRss,
          latency.victoriametrics,
        ),
      },
      notes,
    };
  } finally {
    await vm.close();
    await prom.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The result as Markdown table lines, with ratios llmwatch / Prometheus and / VictoriaMetrics. */
export function tsdbCompareTable(r: TsdbCompareResult): string[] {
  const { llmwatch: l, prometheus: p, victoriametrics: v } = r.systems;
  const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
  const row = (name: string, a: number, b: number, c: number, digits = 2, better = 'lower') =>
    `| ${name} | ${f(a, digits)} | ${f(b, digits)} | ${f(c, digits)} | ${f(a / b)} | ${f(a / c)} | ${better} |`;
  const lines = [
    '| figure | llmwatch | Prometheus | VictoriaMetrics | llmwatch / Prometheus | llmwatch / VictoriaMetrics | better |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    row(
      'ingest samples/s',
      l.samplesPerSecond,
      p.samplesPerSecond,
      v.samplesPerSecond,
      0,
      'higher',
    ),
    row('disk bytes/sample', l.diskBytesPerSample, p.diskBytesPerSample, v.diskBytesPerSample),
    row('memory MB', l.memoryBytes / 1e6, p.memoryBytes / 1e6, v.memoryBytes / 1e6, 1),
    row(
      'memory bytes/series',
      l.memoryBytes / r.series,
      p.memoryBytes / r.series,
      v.memoryBytes / r.series,
      0,
    ),
  ];
  for (const range of Object.keys(l.latencyMs)) {
    const [a, b, c] = [l, p, v].map((s) => s.latencyMs[range]);
    if (!a || !b || !c) continue;
    lines.push(row(`query ${range} p50 ms`, a.p50, b.p50, c.p50, 1));
    lines.push(row(`query ${range} p95 ms`, a.p95, b.p95, c.p95, 1));
  }
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const result = await runTsdbCompare();
  console.log(result.description);
  console.log(tsdbCompareTable(result).join('\n'));
  for (const note of result.notes) console.log(`- ${note}`);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
