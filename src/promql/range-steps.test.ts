import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSqliteStore } from '../store/sqlite-store.js';
import type { Labels, MetricStore, Sample } from '../store/types.js';
import { createPromqlEngine, type PromPoint } from './engine.js';
import { createMemoryStore } from './memory-store.js';
import { STALE_NAN } from './staleness.js';

/** Adversarial counters, one sample every 10 s from t = 10 s, per `le` of two components. */
const VALUES: number[][] = [
  [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39],
  [5, 10, 2, 6, 1, 1, 0, 4, 9, 3, 3, 8, 9, 10],
  [1, 2, 3, STALE_NAN, 5, 6, STALE_NAN, STALE_NAN, 9, 10, 11, 12, 13, 14],
  [1, 2, NaN, 4, 5, NaN, 7, 8, 9, 10, 11, 12, 13, 14],
  [1, Infinity, 3, 4, -Infinity, 6, 7, 8, Infinity, Infinity, 11, 12, 13, 14],
  [-0, 0, -0, 0, 1, -0, 0, 0, -0, 2, 2, -0, 0, 0],
  [1e308, 1.7e308, 1e-300, 5e-324, 1e308, 9e15, 2 ** 53 + 2, 1, 2, 3, 4, 5, 6, 7],
  [0.1, 0.2, 0.30000000000000004, 0.4, 1e-9, 7, 7.5, 8, 8.25, 9, 10, 11, 12.5, 13],
];

/** Every series of VALUES for components a and b, with `le` buckets, written out of order. */
function samples(): Sample[] {
  const out: Sample[] = [];
  for (const component of ['a', 'b']) {
    VALUES.forEach((values, i) => {
      const le = i === VALUES.length - 1 ? '+Inf' : String(0.1 * (i + 1));
      const labels: Labels = { __name__: 'h_bucket', component, le };
      values.forEach((value, k) => {
        // Component b misses a few samples, so groups appear and vanish from step to step.
        if (component === 'b' && k % 5 === 2) return;
        out.push({ labels, timestampMs: (k + 1) * 10_000, value });
      });
    });
  }
  return out.reverse();
}

const QUERIES = [
  'rate(h_bucket[30s])',
  'increase(h_bucket[25s] offset 5s)',
  'delta(h_bucket[40s])',
  'sum(rate(h_bucket[30s]))',
  'sum by (component) (increase(h_bucket[20s]))',
  'sum without (le) (rate(h_bucket[35s] @ 90))',
  'sum by (le, component) (rate(h_bucket[60s]))',
  'sum by (__name__, component) (rate(h_bucket[30s]))',
  'histogram_quantile(0.9, sum by (le, component) (rate(h_bucket[45s])))',
  'max_over_time(sum by (component) (rate(h_bucket[30s]))[40s:10s])',
  // Binary operators, whose matching and result labels are remembered per label object.
  '100 * (1 - sum by (component) (rate(h_bucket{le="0.1"}[30s])) / clamp_min(sum by (component) (rate(h_bucket[30s])), 1e-9))',
  'rate(h_bucket[30s]) / ignoring (le) group_left sum by (component) (rate(h_bucket[60s]))',
  'sum by (le, component) (rate(h_bucket[30s])) > on (le, component) sum by (le, component) (rate(h_bucket[20s]))',
  // Aggregations of instant selectors (markers, NaN, -0 and gaps inside) and max/min of calls.
  'max by (component) (h_bucket)',
  'min by (le) (h_bucket offset 5s)',
  'sum by (component) (h_bucket)',
  '100 * max by (component, le) (h_bucket)',
  'sum by (__name__) (h_bucket)',
  'max by (component) (h_bucket @ 50)',
  'max(rate(h_bucket[30s]))',
  'min by (component) (delta(h_bucket[40s]))',
  // Aggregations of aggregations (whose whole-range results share the per-node cache).
  'sum by (component) (max by (component, le) (h_bucket))',
  'max(sum by (component) (rate(h_bucket[30s])))',
];

/** A range query's points, compared with an instant query at each of its steps. */
async function assertSameAsInstant(store: MetricStore, lookbackDeltaMs?: number): Promise<number> {
  const engine = createPromqlEngine(store, { lookbackDeltaMs });
  let compared = 0;
  for (const query of QUERIES) {
    for (const [startMs, stepMs] of [
      [0, 5_000],
      [3_000, 7_000],
      [20_000, 10_000],
    ] as const) {
      const range = await engine.rangeQuery(query, startMs, 160_000, stepMs);
      assert.equal(range.resultType, 'matrix');
      const matrix = range.resultType === 'matrix' ? range.result : [];
      for (let t = startMs; t <= 160_000; t += stepMs) {
        const instant = await engine.instantQuery(query, t);
        const want = instant.resultType === 'vector' ? instant.result : [];
        const got: Array<{ metric: Labels; value: PromPoint }> = [];
        for (const series of matrix) {
          const point = series.values.find(([s]) => s === t / 1000);
          if (point !== undefined) got.push({ metric: series.metric, value: point });
        }
        assert.deepEqual(got, want, `${query} at ${t} ms`);
        compared += want.length;
      }
    }
  }
  return compared;
}

test('whole-range rate and sum give what step-by-step evaluation gives (memory store)', async () => {
  const store = createMemoryStore();
  await store.append(samples());
  assert.ok((await assertSameAsInstant(store)) > 2000);
});

test('whole-range selectors honour a short lookback delta', async () => {
  const store = createMemoryStore();
  await store.append(samples());
  // 10 s and 25 s: samples exactly lookback old are left out, and gaps of 20 s leave steps empty.
  assert.ok((await assertSameAsInstant(store, 10_000)) > 1000);
  assert.ok((await assertSameAsInstant(store, 25_000)) > 1000);
});

test('whole-range rate and sum give what step-by-step evaluation gives (SQLite store, chunks and heads)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-steps-'));
  try {
    const store = createSqliteStore({
      path: join(dir, 's.db'),
      retentionIntervalMs: 0,
      retentionDays: 0,
    });
    const all = samples();
    await store.append(all.slice(0, all.length / 2));
    await store.flushHeads();
    await store.append(all.slice(all.length / 2));
    assert.ok((await assertSameAsInstant(store)) > 2000);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('whole-range sums over more groups × steps than one tile of sums', async () => {
  // 2,100 groups × 33 steps is more than the 65,536 sums held at once: several tiles of steps.
  const store = createMemoryStore();
  const all: Sample[] = [];
  for (let s = 0; s < 4200; s++) {
    const labels: Labels = { __name__: 'c', s: String(s % 2100), k: String(s) };
    const values = VALUES[s % VALUES.length] as number[];
    values.forEach((value, k) => {
      if ((s + k) % 7 === 3) return; // gaps: groups vanish at some steps
      all.push({ labels, timestampMs: (k + 1) * 10_000, value: value * (1 + s / 100) });
    });
  }
  await store.append(all);
  const engine = createPromqlEngine(store);
  for (const query of [
    'sum by (s) (rate(c[30s]))',
    'max by (s) (c)',
    'min by (s) (rate(c[30s]))',
  ]) {
    const range = await engine.rangeQuery(query, 0, 160_000, 5_000);
    const matrix = range.resultType === 'matrix' ? range.result : [];
    let compared = 0;
    for (let t = 0; t <= 160_000; t += 5_000) {
      const instant = await engine.instantQuery(query, t);
      const want = instant.resultType === 'vector' ? instant.result : [];
      const got = matrix.flatMap((series) => {
        const point = series.values.find(([s]) => s === t / 1000);
        return point === undefined ? [] : [{ metric: series.metric, value: point }];
      });
      assert.deepEqual(got, want, `${query} at ${t} ms`);
      compared += want.length;
    }
    assert.ok(compared > 40_000, `${query}: compared ${compared}`);
  }
});
