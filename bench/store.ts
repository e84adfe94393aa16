/**
 * Benchmark of the SQLite metric store: ingest speed with gateway-like batches, against two
 * baselines measured in the same run, and the read speed of a typical dashboard query.
 *
 * Data: 1,000 series (50 metrics x 5 components x 4 copies, gateway labels), one batch per
 * timestamp holding every series (what the registry flusher writes each interval), timestamps
 * 15 s apart. Baselines over the same rows: "naive" is one INSERT per sample with no explicit
 * transaction (autocommit) into the same schema; "raw" is better-sqlite3 inserting
 * (series_id, ts, value) into a plain rowid table in one transaction per batch, with no labels,
 * validation or series lookup: the floor our layer adds overhead to.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../src/store/sqlite-store.js';
import type { MetricStore, Sample } from '../src/store/types.js';

/** Results of runStoreBench (all numbers). Rates are samples per second of wall time. */
export type StoreBenchResult = {
  /** Ingest rate through createSqliteStore().append(). */
  samplesPerSecond: number;
  seriesCount: number;
  /** Samples per append() call (one timestamp of every series). */
  batchSize: number;
  samplesWritten: number;
  /** Slowest single append(): how long one batch holds the event loop, in milliseconds. */
  maxAppendMs: number;
  /** Ingest rate with 5 timestamps (5,000 samples) per append(): fewer page writes per sample. */
  fiveStepBatchSamplesPerSecond: number;
  /** One INSERT per sample, autocommit; measured on `naiveSamples` rows (fewer: it is slow). */
  naiveSamplesPerSecond: number;
  naiveSamples: number;
  /** samplesPerSecond / naiveSamplesPerSecond. */
  speedupVsNaive: number;
  /** Raw better-sqlite3 batched inserts into a plain table. */
  rawSamplesPerSecond: number;
  /** samplesPerSecond / rawSamplesPerSecond (1 means no overhead). */
  ratioToRaw: number;
  /** Dashboard query: one metric's 20 series over the last hour. */
  queryMedianMs: number;
  queryP95Ms: number;
  querySeriesReturned: number;
  querySamplesReturned: number;
  /** Database file size after ingest, in bytes (WAL included). */
  dbSizeBytes: number;
};

const METRICS = 50;
const COMPONENTS = 5;
const COPIES = 4;
const STEP_MS = 15_000;
const START_MS = 1_700_000_000_000;

function seriesLabels(): Array<Record<string, string>> {
  const all: Array<Record<string, string>> = [];
  for (let m = 0; m < METRICS; m++) {
    for (let c = 0; c < COMPONENTS; c++) {
      for (let k = 0; k < COPIES; k++) {
        all.push({
          __name__: `llm_bench_metric_${m}`,
          component: `component-${c}`,
          model: `Model-${c}-7B-Instruct`,
          copy: `copy-${k}`,
          endpoint: 'bench-endpoint',
          source: 'gateway',
        });
      }
    }
  }
  return all;
}

function batchAt(labels: Array<Record<string, string>>, step: number): Sample[] {
  const timestampMs = START_MS + step * STEP_MS;
  return labels.map((l, i) => ({ labels: { ...l }, timestampMs, value: step * 0.5 + i }));
}

/** Appends steps [from, to) to `store`, `stepsPerBatch` timestamps per append() call. */
async function ingest(
  store: MetricStore,
  labels: Array<Record<string, string>>,
  from: number,
  to: number,
  stepsPerBatch: number,
): Promise<{ ingestMs: number; maxAppendMs: number }> {
  let ingestMs = 0;
  let maxAppendMs = 0;
  for (let step = from; step < to; step += stepsPerBatch) {
    const batch: Sample[] = [];
    for (let k = step; k < Math.min(to, step + stepsPerBatch); k++)
      batch.push(...batchAt(labels, k));
    const t0 = performance.now();
    await store.append(batch);
    const ms = performance.now() - t0;
    ingestMs += ms;
    maxAppendMs = Math.max(maxAppendMs, ms);
  }
  return { ingestMs, maxAppendMs };
}

function rate(count: number, ms: number): number {
  return Math.round((count / Math.max(ms, 0.001)) * 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/**
 * Runs the benchmark in a temporary directory (removed afterwards). `samples` (default 240,000,
 * i.e. one hour at 15 s for 1,000 series) is rounded down to whole batches, at least one.
 */
export async function runStoreBench(opts: { samples?: number } = {}): Promise<StoreBenchResult> {
  const labels = seriesLabels();
  const steps = Math.max(1, Math.floor((opts.samples ?? 240_000) / labels.length));
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-bench-store-'));
  try {
    // The store, one timestamp per batch.
    const path = join(dir, 'store.db');
    const store = createSqliteStore({ path });
    const { ingestMs, maxAppendMs } = await ingest(store, labels, 0, steps, 1);
    const samplesWritten = steps * labels.length;

    // A second store fed five timestamps per batch (a writer flushing every 5 s instead of 1 s).
    const multiStore = createSqliteStore({ path: join(dir, 'multi.db') });
    const multiSteps = Math.max(5, steps - (steps % 5));
    const multi = await ingest(multiStore, labels, 0, multiSteps, 5);
    await multiStore.close();

    // Dashboard query: one metric, 20 series, the last hour.
    const endMs = START_MS + (steps - 1) * STEP_MS;
    const matchers = [{ name: '__name__', type: '=' as const, value: 'llm_bench_metric_7' }];
    const queryTimes: number[] = [];
    let queried = await store.select(matchers, endMs - 3_600_000, endMs);
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      queried = await store.select(matchers, endMs - 3_600_000, endMs);
      queryTimes.push(performance.now() - t0);
    }
    queryTimes.sort((a, b) => a - b);
    await store.close();
    const dbSizeBytes = ['', '-wal', '-shm'].reduce((sum, suffix) => {
      try {
        return sum + statSync(path + suffix).size;
      } catch {
        return sum;
      }
    }, 0);

    // Baseline 1: naive, one autocommitted INSERT per sample, same schema.
    const naiveSamples = Math.min(samplesWritten, 20_000);
    const naivePath = join(dir, 'naive.db');
    await createSqliteStore({ path: naivePath }).close();
    const naive = new Database(naivePath);
    naive.pragma('journal_mode = WAL');
    naive.pragma('synchronous = NORMAL');
    const naiveMs = timeRows(naive, labels, naiveSamples, false);
    naive.close();

    // Baseline 2: raw batched inserts into a plain table.
    const raw = new Database(join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('CREATE TABLE samples (series_id INTEGER, ts INTEGER, value REAL)');
    const rawMs = timeRows(raw, labels, samplesWritten, true);
    raw.close();

    const samplesPerSecond = rate(samplesWritten, ingestMs);
    const naiveSamplesPerSecond = rate(naiveSamples, naiveMs);
    const rawSamplesPerSecond = rate(samplesWritten, rawMs);
    return {
      samplesPerSecond,
      seriesCount: labels.length,
      batchSize: labels.length,
      samplesWritten,
      maxAppendMs: round(maxAppendMs),
      fiveStepBatchSamplesPerSecond: rate(multiSteps * labels.length, multi.ingestMs),
      naiveSamplesPerSecond,
      naiveSamples,
      speedupVsNaive: round(samplesPerSecond / naiveSamplesPerSecond),
      rawSamplesPerSecond,
      ratioToRaw: round(samplesPerSecond / rawSamplesPerSecond),
      queryMedianMs: round(percentile(queryTimes, 0.5)),
      queryP95Ms: round(percentile(queryTimes, 0.95)),
      querySeriesReturned: queried.length,
      querySamplesReturned: queried.reduce((n, s) => n + s.values.length, 0),
      dbSizeBytes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Inserts `count` rows (series_id, ts, value) in the order the store got them and returns the
 * milliseconds taken: per batch in one transaction when `batched`, else one autocommit each.
 */
function timeRows(
  db: Database.Database,
  labels: unknown[],
  count: number,
  batched: boolean,
): number {
  const insert = db.prepare(
    'INSERT OR REPLACE INTO samples (series_id, ts, value) VALUES (?, ?, ?)',
  );
  const writeBatch = db.transaction((step: number) => {
    for (let i = 0; i < labels.length; i++)
      insert.run(i + 1, START_MS + step * STEP_MS, step * 0.5 + i);
  });
  const t0 = performance.now();
  if (batched) {
    for (let step = 0; step * labels.length < count; step++) writeBatch(step);
  } else {
    for (let n = 0; n < count; n++) {
      const step = Math.floor(n / labels.length);
      const i = n % labels.length;
      insert.run(i + 1, START_MS + step * STEP_MS, step * 0.5 + i);
    }
  }
  return performance.now() - t0;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const samples = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  console.log(JSON.stringify(await runStoreBench({ samples }), null, 2));
}
