import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels, Sample } from '../store/types.js';
import { createPromqlEngine, type PromPoint } from './engine.js';
import { formatSampleValue } from './format.js';
import { createMemoryStore } from './memory-store.js';
import { extrapolatedRate } from './range-functions.js';
import { isStaleMarker, STALE_NAN } from './staleness.js';

/** Values of one adversarial series per name, one every 10 s from t = 0. */
const SERIES: Record<string, number[]> = {
  steady: [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33],
  resets: [5, 10, 2, 6, 1, 1, 0, 4, 9, 3, 3, 8],
  stale: [1, 2, 3, STALE_NAN, 5, 6, STALE_NAN, STALE_NAN, 9, 10, 11, 12],
  nan: [1, 2, NaN, 4, 5, NaN, 7, 8, 9, 10, 11, 12],
  infinite: [1, Infinity, 3, 4, -Infinity, 6, 7, 8, Infinity, Infinity, 11, 12],
  zeros: [-0, 0, -0, 0, 1, -0, 0, 0, -0, 2, 2, -0],
  extreme: [1e308, 1.7e308, 1e-300, 5e-324, 1e308, 9e15, 2 ** 53 + 2, 1, 2, 3, 4, 5],
};

function samplesOf(name: string, values: number[]): Sample[] {
  const labels: Labels = { __name__: 'm', series: name };
  return values.map((value, i) => ({ labels, timestampMs: i * 10_000, value }));
}

/**
 * The definition, step by step: the window's samples copied without staleness markers, then
 * extrapolatedRate. The engine computes the same in place on the fetched arrays.
 */
function expected(values: number[], func: string, rangeMs: number, tMs: number): string | null {
  const window = { startMs: tMs - rangeMs, endMs: tMs, rangeMs };
  const kept = { timestampsMs: [] as number[], values: [] as number[] };
  values.forEach((v, i) => {
    const ts = i * 10_000;
    if (ts <= window.startMs || ts > window.endMs || isStaleMarker(v)) return;
    kept.timestampsMs.push(ts);
    kept.values.push(v);
  });
  const isCounter = func !== 'delta';
  const result = extrapolatedRate(kept, window, isCounter, func === 'rate');
  return result === undefined ? null : formatSampleValue(result);
}

test('rate, increase and delta of a range query equal the window-by-window definition', async () => {
  const store = createMemoryStore();
  // Written out of order: the store sorts by time.
  for (const [name, values] of Object.entries(SERIES).reverse()) {
    await store.append(samplesOf(name, values).reverse());
  }
  const engine = createPromqlEngine(store);
  let compared = 0;
  for (const func of ['rate', 'increase', 'delta']) {
    for (const rangeMs of [20_000, 35_000, 60_000]) {
      const query = `${func}(m[${rangeMs / 1000}s])`;
      const result = await engine.rangeQuery(query, 0, 120_000, 5_000);
      assert.equal(result.resultType, 'matrix');
      const matrix: Array<{ metric: Labels; values: PromPoint[] }> =
        result.resultType === 'matrix' ? result.result : [];
      for (const [name, values] of Object.entries(SERIES)) {
        const got = matrix.find((s) => s.metric.series === name);
        for (let tMs = 0; tMs <= 120_000; tMs += 5_000) {
          const point = got?.values.find(([t]) => t === tMs / 1000);
          const want = expected(values, func, rangeMs, tMs);
          assert.equal(point?.[1] ?? null, want, `${query} of ${name} at ${tMs} ms`);
          if (want !== null) compared++;
        }
      }
    }
  }
  assert.ok(compared > 1000, `only ${compared} points compared`);
});

test('a staleness marker inside the window is left out; a NaN value is kept', async () => {
  const store = createMemoryStore();
  await store.append([...samplesOf('stale', SERIES.stale ?? []), ...samplesOf('nan', [1, NaN, 3])]);
  const engine = createPromqlEngine(store);
  // Window (0, 40s]: 2, 3, marker, 5 → increase 3 over 30 s, extrapolated to 40 s: 4.
  const stale = await engine.instantQuery('increase(m{series="stale"}[40s])', 40_000);
  assert.deepEqual(stale, {
    resultType: 'vector',
    result: [{ metric: { series: 'stale' }, value: [40, '4'] }],
  });
  // 1, NaN, 3: a NaN inside changes nothing (3 - 1 over 20 s, extrapolated to 30 s)...
  const inside = await engine.instantQuery('increase(m{series="nan"}[30s])', 20_000);
  assert.deepEqual(inside, {
    resultType: 'vector',
    result: [{ metric: { series: 'nan' }, value: [20, '3'] }],
  });
  // ...but a NaN first sample makes the result NaN.
  const first = await engine.instantQuery('increase(m{series="nan"}[20s])', 20_000);
  assert.deepEqual(first, {
    resultType: 'vector',
    result: [{ metric: { series: 'nan' }, value: [20, 'NaN'] }],
  });
});
