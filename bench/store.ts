/**
 * Benchmark of the SQLite metric store (head + write-ahead log + column/Gorilla chunks +
 * rollups).
 *
 * Fleet: 10,000 series (gateway labels) scraped every 15 s, one append() per timestamp holding
 * every series; values are a realistic mix: integer counters, constant gauges and noisy gauges.
 * Figures: ingest rate (fresh label objects per sample, and label objects reused between
 * batches), slowest append, on-disk bytes per sample once chunks are cut (file size
 * after VACUUM, and the chunk / rollup payloads alone), memory per active series (heap plus
 * array buffers, after a forced GC, with every head nearly full), and select latency for a
 * 20-series dashboard query over 1 h and (on a 200-series fleet holding 24 h) over 24 h, raw and
 * from 5-minute rollups; chunk decoding speed (every stored chunk decoded, samples per second)
 * against the same samples Gorilla-encoded, decoded in the same run. Baseline: the previous layout, one row per sample in a
 * `samples(series_id, ts, value)` WITHOUT ROWID table, on a 200,000-sample subset.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { decodeStoredChunk, decodeStoredChunkInto } from '../src/store/chunk-codec.js';
import { decodeChunkInto, encodeChunk } from '../src/store/gorilla.js';
import { SampleBuffer } from '../src/store/sample-buffer.js';
import { createSqliteStore, type SqliteStore } from '../src/store/sqlite-store.js';
import type { Labels, Sample } from '../src/store/types.js';

const STEP_MS = 15_000;
const START_MS = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);

function fleet(count: number): Labels[] {
  return Array.from({ length: count }, (_, i) => ({
    __name__: `llm_bench_metric_${i % 50}`,
    component: `component-${i % 5}`,
    model: `Model-${i % 5}-7B-Instruct`,
    copy: `copy-${Math.floor(i / 50) % 40}`,
    endpoint: 'bench-endpoint',
    source: 'gateway',
    shard: String(Math.floor(i / 2000)),
  }));
}

/** Counter (a third), constant gauge (a third), noisy ratio gauge (a third). */
function valueAt(series: number, step: number): number {
  if (series % 3 === 0) return step * (series % 7) + Math.floor(step / 3);
  if (series % 3 === 1) return series % 4;
  return Math.round(((Math.sin(step / 10 + series) + 1) / 2) * 1000) / 1000;
}

/**
 * One batch. `stableLabels` passes the same label objects every time (as a registry or scraper
 * that keeps them between flushes can), which the store recognises by identity; otherwise each
 * sample gets a fresh copy (the worst case: every lookup hashes the labels).
 */
function batchAt(labels: Labels[], step: number, stableLabels = false): Sample[] {
  const timestampMs = START_MS + step * STEP_MS;
  return labels.map((l, i) => ({
    labels: stableLabels ? l : { ...l },
    timestampMs,
    value: valueAt(i, step),
  }));
}

async function ingest(
  store: SqliteStore,
  labels: Labels[],
  from: number,
  to: number,
  stableLabels = false,
) {
  let ingestMs = 0;
  let maxAppendMs = 0;
  for (let step = from; step < to; step++) {
    const batch = batchAt(labels, step, stableLabels);
    const t0 = performance.now();
    await store.append(batch);
    const ms = performance.now() - t0;
    ingestMs += ms;
    maxAppendMs = Math.max(maxAppendMs, ms);
  }
  return { ingestMs, maxAppendMs };
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function memoryBytes(): number {
  // Twice: array buffers freed by the first collection may still be counted until the next.
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function fileBytes(path: string): number {
  return ['', '-wal'].reduce((sum, s) => {
    try {
      return sum + statSync(path + s).size;
    } catch {
      return sum;
    }
  }, 0);
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timeIt(fn: () => Promise<unknown>, runs = 15): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return round(median(times));
}

/**
 * Decoding speed of the stored chunks and of the same samples as Gorilla chunks, samples per
 * second, the best of 5 alternating rounds each.
 */
function decodeSpeeds(rows: Array<[Uint8Array, number, number]>) {
  const gorilla = rows.map(([data, count, format]) => {
    const { timestampsMs, values } = decodeStoredChunk(format, data, count);
    return [encodeChunk(timestampsMs, values), count] as const;
  });
  const samples = rows.reduce((n, r) => n + r[1], 0);
  let storedMs = Infinity;
  let gorillaMs = Infinity;
  // One output buffer for all chunks, as a select decodes a batch of series into one.
  const out = new SampleBuffer(samples);
  for (let round = 0; round < 5; round++) {
    let t0 = performance.now();
    out.clear();
    for (const [data, count, format] of rows) {
      decodeStoredChunkInto(format, data, count, -Infinity, Infinity, out);
    }
    storedMs = Math.min(storedMs, performance.now() - t0);
    t0 = performance.now();
    out.clear();
    for (const [data, count] of gorilla) {
      decodeChunkInto(data, count, -Infinity, Infinity, out);
    }
    gorillaMs = Math.min(gorillaMs, performance.now() - t0);
  }
  return {
    chunkDecodeSamplesPerSecond: Math.round((samples / storedMs) * 1000),
    gorillaDecodeSamplesPerSecond: Math.round((samples / gorillaMs) * 1000),
  };
}

/** The previous layout: one row per sample, one transaction per batch. */
function baselineRowPerSample(dir: string, labels: Labels[], samples: number) {
  const path = join(dir, 'rows.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL,
    PRIMARY KEY (series_id, ts)) WITHOUT ROWID`);
  const insert = db.prepare('INSERT OR REPLACE INTO samples VALUES (?, ?, ?)');
  const write = db.transaction((step: number) => {
    for (let i = 0; i < labels.length; i++)
      insert.run(i + 1, START_MS + step * STEP_MS, valueAt(i, step));
  });
  const steps = Math.max(1, Math.floor(samples / labels.length));
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) write(step);
  const ms = performance.now() - t0;
  db.exec('VACUUM');
  db.close();
  const written = steps * labels.length;
  return {
    samplesPerSecond: Math.round((written / ms) * 1000),
    bytesPerSample: round(fileBytes(path) / written),
  };
}

/**
 * Runs the benchmark in a temporary directory (removed afterwards). `samples` (default
 * 4,800,000: 2 h of the 10,000-series fleet) is rounded down to whole 15 s steps.
 */
export async function runStoreBench(
  opts: { samples?: number } = {},
): Promise<Record<string, number>> {
  const labels = fleet(10_000);
  const steps = Math.max(130, Math.floor((opts.samples ?? 4_800_000) / labels.length));
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-bench-store-'));
  try {
    const path = join(dir, 'store.db');
    const memBefore = memoryBytes();
    const store = createSqliteStore({ path, retentionIntervalMs: 0 });
    // Heads hold 120 samples before a cut: measure memory when they are fullest.
    const warm = await ingest(store, labels, 0, 119);
    const memoryPerSeriesBytes = Math.round((memoryBytes() - memBefore) / labels.length);
    const rest = await ingest(store, labels, 119, steps);
    const samplesWritten = steps * labels.length;
    const ingestMs = warm.ingestMs + rest.ingestMs;

    const endMs = START_MS + (steps - 1) * STEP_MS;
    const matchers = [{ name: '__name__', type: '=' as const, value: 'llm_bench_metric_7' }];
    const select1hMs = await timeIt(() => store.select(matchers, endMs - 3_600_000, endMs));
    const oneHour = await store.select(matchers, endMs - 3_600_000, endMs);

    await store.flushHeads();
    await store.close();
    const db = new Database(path);
    const payload = db
      .prepare(
        'SELECT (SELECT sum(length(data)) FROM chunks), (SELECT sum(length(data)) FROM rollups)',
      )
      .raw()
      .get() as [number, number];
    const decode = decodeSpeeds(
      db.prepare('SELECT data, count, format FROM chunks').raw().all() as Array<
        [Uint8Array, number, number]
      >,
    );
    db.exec('VACUUM');
    db.close();

    // 24 h on a smaller fleet.
    const dayLabels = fleet(200);
    const dayPath = join(dir, 'day.db');
    const day = createSqliteStore({ path: dayPath, retentionIntervalMs: 0 });
    await ingest(day, dayLabels, 0, 5760);
    const dayEnd = START_MS + 5759 * STEP_MS;
    const dayMatchers = [{ name: '__name__', type: '=' as const, value: 'llm_bench_metric_7' }];
    const select24hMs = await timeIt(() => day.select(dayMatchers, dayEnd - 86_400_000, dayEnd), 5);
    const rollup24hMs = await timeIt(
      () => day.selectRollups(dayMatchers, dayEnd - 86_400_000, dayEnd, 300_000),
      5,
    );
    await day.close();

    // The same fleet and steps again, the label objects reused between batches.
    const stablePath = join(dir, 'stable.db');
    const stable = createSqliteStore({ path: stablePath, retentionIntervalMs: 0 });
    const stableRun = await ingest(stable, labels, 0, steps, true);
    await stable.close();

    const baseline = baselineRowPerSample(dir, labels, 200_000);
    const samplesPerSecond = Math.round((samplesWritten / ingestMs) * 1000);
    return {
      samplesPerSecond,
      samplesPerSecondStableLabels: Math.round((samplesWritten / stableRun.ingestMs) * 1000),
      seriesCount: labels.length,
      samplesWritten,
      batchSize: labels.length,
      maxAppendMs: round(Math.max(warm.maxAppendMs, rest.maxAppendMs)),
      bytesPerSampleOnDisk: round(fileBytes(path) / samplesWritten),
      chunkBytesPerSample: round(payload[0] / samplesWritten),
      rollupBytesPerSample: round(payload[1] / samplesWritten),
      memoryPerSeriesBytes,
      ...decode,
      select1hMs,
      select1hSeries: oneHour.length,
      select1hSamples: oneHour.reduce((n, s) => n + s.values.length, 0),
      select24hMs,
      select24hRollup5mMs: rollup24hMs,
      baselineRowPerSampleSamplesPerSecond: baseline.samplesPerSecond,
      baselineRowPerSampleBytesPerSample: baseline.bytesPerSample,
      speedupVsRowPerSample: round(samplesPerSecond / baseline.samplesPerSecond),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const samples = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  console.log(JSON.stringify(await runStoreBench({ samples }), null, 2));
}
