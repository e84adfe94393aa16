/**
 * Differential test against the real Prometheus (Debian's 2.42): the same deterministic LLM
 * serving series are written into llmwatch's SQLite store (append) and into Prometheus (remote
 * write, with llmwatch's own encoder), then dashboard- and alert-style range queries must give the
 * same series, timestamps and values (within 1e-9 relative or 1e-12 absolute) on both.
 *
 * A query llmwatch rejects as not implemented yet is reported as TODO (pending), never as a pass;
 * it is retried on every run. A wrong answer, or an error on any other query, fails the test.
 * Prometheus missing is a failure too (install Debian's `prometheus` package), never a skip.
 * 2.x versus 3.x differences kept out of the comparison are listed in promql-diff-queries.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWriteRequest } from '../../src/ingest/remote-write/codec.js';
import { createPromqlEngine, type PromqlEngine } from '../../src/promql/index.js';
import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import type { Sample } from '../../src/store/types.js';
import { compareResults } from '../support/compare-results.js';
import { generateLlmSeries, type GeneratedSeries } from '../support/llm-series.js';
import { postRemoteWrite, queryInstant, queryRange } from '../support/prometheus-api.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { DIFF_QUERIES } from '../support/promql-diff-queries.js';

const SEED = 20240115;
const DATA_START_MS = Date.UTC(2024, 0, 15, 8, 0, 0);
const INTERVALS = 600; // 2.5 h of 15 s intervals
/** Query times fall on x.500 s, away from every sample's ms part (see llm-series.ts). */
const QUERY_ALIGN_MS = 500;
/** Ten minutes past the last sample, so lookback expiry at the end is compared too. */
const QUERY_END_MS = DATA_START_MS + INTERVALS * 15_000 + 10 * 60_000 + QUERY_ALIGN_MS;
/** Samples per remote-write request; requests go out in time order. */
const WRITE_BATCH_MS = 20 * 60_000;
/**
 * Matches llmwatch's errors for features it does not have yet: "unsupported: ... is not
 * implemented yet" from the parser, "... which llmwatch does not implement yet" from evaluation.
 */
const PENDING_RE = /not implemented yet|does not implement yet/i;

let dir: string;
let prometheus: PrometheusServer | undefined;
let store: SqliteStore | undefined;
let engine: PromqlEngine;
let series: GeneratedSeries[];
let sampleCount = 0;
const outcomes = { passed: [] as string[], pending: [] as string[], failed: [] as string[] };

/**
 * Splits all series into remote-write bodies, each holding one 20-minute slice of every series,
 * in time order (so Prometheus never needs its out-of-order window for this data).
 */
function* writeBatches(all: GeneratedSeries[]): Generator<Buffer> {
  const lastMs = Math.max(...all.map((s) => s.samples.at(-1)?.timestampMs ?? 0));
  for (let from = DATA_START_MS - WRITE_BATCH_MS; from <= lastMs; from += WRITE_BATCH_MS) {
    const slice = all
      .map((s) => ({
        labels: s.labels,
        samples: s.samples.filter(
          (x) => x.timestampMs >= from && x.timestampMs < from + WRITE_BATCH_MS,
        ),
      }))
      .filter((s) => s.samples.length > 0);
    if (slice.length > 0) yield encodeWriteRequest(slice);
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llmwatch-promdiff-'));
  series = generateLlmSeries({ seed: SEED, startMs: DATA_START_MS, intervals: INTERVALS });
  sampleCount = series.reduce((n, s) => n + s.samples.length, 0);

  store = createSqliteStore({ path: join(dir, 'store.db') });
  const samples: Sample[] = series.flatMap((s) =>
    s.samples.map((x) => ({ labels: s.labels, timestampMs: x.timestampMs, value: x.value })),
  );
  for (let i = 0; i < samples.length; i += 20_000) await store.append(samples.slice(i, i + 20_000));
  engine = createPromqlEngine(store);

  prometheus = await startPrometheus();
  for (const body of writeBatches(series)) await postRemoteWrite(prometheus.url, body);
});

after(async () => {
  await prometheus?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `prometheus diff: ${outcomes.passed.length} agree, ${outcomes.pending.length} pending, ` +
      `${outcomes.failed.length} differ\n` +
      outcomes.pending.map((p) => `  pending: ${p}`).join('\n'),
  );
});

test('both stores hold every generated sample', async () => {
  // 7 copies x (4 status classes + 2 token counters + 10 + 2 duration + 9 + 2 TTFT histogram
  // series + 1 outstanding gauge + 3 engine gauges); the sample count pins the generator.
  assert.equal(series.length, 7 * 33);
  assert.equal(sampleCount, 126_154);
  // count_over_time drops the metric name, so count each name on its own and add them up.
  const names = [...new Set(series.map((s) => s.labels.__name__ as string))].sort();
  assert.equal(names.length, 13);
  let referenceCount = 0;
  for (const name of names) {
    const data = await queryInstant(
      prometheus!.url,
      `sum(count_over_time(${name}[1d]))`,
      QUERY_END_MS,
    );
    assert.equal(data.resultType, 'vector');
    if (data.resultType === 'vector') referenceCount += Number(data.result[0]?.value[1]);
  }
  // count_over_time skips staleness markers: 3 engine gauges x 3 endings (stop, gap, failed scrapes).
  assert.equal(referenceCount, sampleCount - 9);
  const stats = await store!.stats();
  assert.deepEqual(stats, { seriesCount: series.length, sampleCount });
});

for (const query of DIFF_QUERIES) {
  const stepMs = query.stepMs ?? 60_000;
  const startMs = DATA_START_MS + (query.startOffsetMs ?? 60_000) + QUERY_ALIGN_MS;
  test(`same answer: ${query.expr} (step ${stepMs / 1000}s)`, async (t) => {
    const reference = await queryRange(
      prometheus!.url,
      query.referenceExpr ?? query.expr,
      startMs,
      QUERY_END_MS,
      stepMs,
    );
    const referenceSeries = reference.resultType === 'matrix' ? reference.result.length : -1;
    if (query.expectEmpty) assert.equal(referenceSeries, 0, 'Prometheus should answer nothing');
    else
      assert.ok(referenceSeries > 0, `Prometheus answered no series, so the query proves nothing`);

    let actual;
    try {
      actual = await engine.rangeQuery(query.expr, startMs, QUERY_END_MS, stepMs);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (PENDING_RE.test(message)) {
        outcomes.pending.push(`${query.expr} (${message})`);
        t.todo(`pending in llmwatch: ${message}`);
        return;
      }
      outcomes.failed.push(query.expr);
      throw err;
    }
    const differences = compareResults(reference, actual);
    (differences.length === 0 ? outcomes.passed : outcomes.failed).push(query.expr);
    assert.deepEqual(
      differences,
      [],
      `llmwatch differs from Prometheus:\n${differences.join('\n')}`,
    );
  });
}

/**
 * The 2.x/3.x differences the comparison keeps out (promql-diff-queries.ts) are real: each is
 * shown here on a few hand-made samples, with the value each version's rules give. These are
 * written after the main data, to a metric name no diff query selects, and to a separate llmwatch
 * store.
 */
test('the documented Prometheus 2.x versus 3.x differences still hold', async () => {
  const t1 = QUERY_END_MS - QUERY_ALIGN_MS + 5 * 60_000; // a whole second after the compared range
  const probes = [
    // Samples on whole seconds, so window and lookback edges hit them exactly.
    {
      labels: { __name__: 'probe_edge' },
      samples: [0, 15, 30, 45, 60].map((s) => ({ timestampMs: t1 + s * 1000, value: s })),
    },
    // A counter first seen 20 s into a 60 s window, 100 above its zero point.
    {
      labels: { __name__: 'probe_counter' },
      samples: [100, 200, 300, 400].map((value, i) => ({
        timestampMs: t1 + 80_000 + i * 10_000,
        value,
      })),
    },
  ];
  await postRemoteWrite(prometheus!.url, encodeWriteRequest(probes));
  const probeStore = createSqliteStore({ path: ':memory:' });
  try {
    await probeStore.append(
      probes.flatMap((s) => s.samples.map((x) => ({ labels: s.labels, ...x }))),
    );
    const probeEngine = createPromqlEngine(probeStore);
    const both = async (query: string, atMs: number): Promise<[unknown, unknown]> => {
      const reference = await queryInstant(prometheus!.url, query, atMs);
      const llmwatch = await probeEngine.instantQuery(query, atMs);
      const values = (data: typeof reference): unknown =>
        data.resultType === 'vector' ? data.result.map((s) => s.value[1]) : data.result;
      return [values(reference), values(llmwatch)];
    };

    // Windows closed on the left (2.x) take the sample at t1; left-open ones (3.x) do not.
    assert.deepEqual(await both('count_over_time(probe_edge[1m])', t1 + 60_000), [['5'], ['4']]);
    // The same for the 5 m lookback of an instant selector.
    assert.deepEqual(await both('probe_edge', t1 + 60_000 + 300_000), [['60'], []]);
    // Extrapolation: 300 over 30 s sampled; the zero point is 10 s before the first sample.
    // 2.x: zero point first (10 s), then the 11 s threshold keeps it: 300 * 50 / 30 = 500.
    // 3.x: 20 s to the start exceeds the threshold, so half an interval (5 s): 300 * 45 / 30 = 450.
    assert.deepEqual(await both('increase(probe_counter[1m])', t1 + 60_000 + 60_000), [
      ['500'],
      ['450'],
    ]);
    // holt_winters is 2.x's name; 2.42 does not know 3.x's double_exponential_smoothing.
    await assert.rejects(
      queryInstant(prometheus!.url, 'double_exponential_smoothing(probe_edge[1m], 0.5, 0.5)', t1),
      /unknown function/,
    );
  } finally {
    await probeStore.close();
  }
});
