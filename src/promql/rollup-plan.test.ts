import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePromql } from './parse.js';
import { planRollups, type QueryTimes, type RollupSettings } from './rollup-plan.js';

const H = 3_600_000;
const M5 = 300_000;
const T = Date.UTC(2024, 0, 1); // on every boundary
const ON: RollupSettings = { enabled: true, minSpanMs: 2 * H };

/** The reads planned for `query`, as [metric, func, resolution, from, to, step] rows. */
function plan(query: string, times: QueryTimes, lookbackMs = M5, settings = ON) {
  const reads = planRollups(parsePromql(query).expr, times, settings, lookbackMs);
  return [...reads].map(([node, r]) => [
    node.matchers.find((m) => m.name === '__name__')?.value,
    r.func,
    r.resolutionMs,
    r.fromMs - T,
    r.toMs - T,
    r.stepMs ?? null,
  ]);
}

const DAY: QueryTimes = { startMs: T, endMs: T + 24 * H, stepMs: H };

describe('planRollups for plain instant selectors', () => {
  it('reads the bucket ending on each evaluation time, 1 hour when steps allow', () => {
    assert.deepEqual(plan('sum by (c) (a)', DAY), [['a', 'lookback', H, -H, 23 * H, H]]);
    assert.deepEqual(plan('a', { ...DAY, stepMs: 10 * 60_000 }), [
      ['a', 'lookback', M5, -M5, 24 * H - M5, 10 * 60_000],
    ]);
    // Offsets move the reference times; an aligned `@` pins one (the span rule aside).
    assert.deepEqual(plan('a offset 2h', DAY), [['a', 'lookback', H, -3 * H, 21 * H, H]]);
    assert.deepEqual(plan(`a @ ${(T + 6 * H) / 1000}`, DAY, M5, { ...ON, minSpanMs: M5 }), [
      ['a', 'lookback', H, 5 * H, 5 * H, 0],
    ]);
    // Next to range functions, each selector gets its own read.
    assert.deepEqual(plan('rate(b[1h]) / a', DAY), [
      ['b', 'rate', H, -H, 23 * H, null],
      ['a', 'lookback', H, -H, 23 * H, H],
    ]);
  });

  it('leaves selectors raw when a rule fails', () => {
    const none: Array<[string, QueryTimes, number?, RollupSettings?]> = [
      ['a', DAY, 6 * 60_000], // lookback over 5 minutes
      ['a', { ...DAY, stepMs: 7 * 60_000 }], // step off the buckets
      ['a', { ...DAY, startMs: T + 60_000 }], // start off the buckets
      ['a offset 1m', DAY], // offset off the buckets
      ['a', { startMs: T, endMs: T + H, stepMs: M5 }], // span under 2 hours
      ['a', { startMs: T, endMs: T, stepMs: 0 }], // instant query
      [`a @ ${(T + 6 * H) / 1000}`, DAY], // one time: span of 5 minutes
      ['max_over_time(a[1h:5m])', DAY], // subquery
      ['quantile_over_time(0.5, a[1h])', DAY], // matrix selector of another function
      ['a', DAY, M5, { enabled: false, minSpanMs: 2 * H }],
    ];
    for (const [query, times, lookbackMs, settings] of none) {
      assert.deepEqual(plan(query, times, lookbackMs, settings), [], query);
    }
  });
});
