import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeRollups, ROLLUP_BASE_MS } from '../store/rollup.js';
import type { RollupSeriesData } from '../store/types.js';
import type { Window } from './range-functions.js';
import { evaluateRollupCall } from './rollup-eval.js';
import { ROLLUP_FUNCTIONS } from './rollup-plan.js';
import { rollupStepColumns } from './rollup-steps.js';
import { prng } from './rollup-fixture.js';
import { STALE_NAN } from './staleness.js';

const M5 = ROLLUP_BASE_MS;
const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** Raw samples of one series over 6 h: `value(i, rand)` at irregular times, with gaps. */
function rawSeries(
  seed: number,
  value: (i: number, rand: () => number, prev: number) => number,
): { ts: number[]; vs: number[] } {
  const rand = prng(seed);
  const ts: number[] = [];
  const vs: number[] = [];
  let t = T0 + 1000;
  let prev = 0;
  for (let i = 0; t < T0 + 6 * H; i++) {
    // Mostly 15 s, sometimes a sample exactly on a boundary, sometimes a gap of up to 50 min.
    const r = rand();
    t += r < 0.02 ? Math.floor(rand() * 50) * 60_000 : r < 0.1 ? M5 - (t % M5) : 15_000;
    prev = value(i, rand, prev);
    ts.push(t);
    vs.push(prev);
  }
  return { ts, vs };
}

/** Adversarial series as rollups: resets, NaN, ±Inf, -0, huge and tiny values, lone samples. */
function adversarial(): RollupSeriesData[] {
  const kinds: Array<(i: number, rand: () => number, prev: number) => number> = [
    // Integer counter with resets (to 0 and to -0).
    (i, rand, prev) => (rand() < 0.01 ? (i % 2 === 0 ? 0 : -0) : prev + Math.floor(rand() * 7)),
    // Float counter with resets.
    (_, rand, prev) => (rand() < 0.01 ? rand() : prev + rand() * 0.37),
    // Gauge with NaN, ±Inf, -0 and staleness markers.
    (i, rand) => [NaN, Infinity, -Infinity, -0, STALE_NAN][i % 61] ?? rand() * 100 - 50,
    // Huge and tiny values: sums overflow, Kahan compensation matters.
    (i, rand) => [1e308, 1.7e308, -1e308, 5e-324, 2 ** 53 + 1][i % 5]! * (rand() < 0.5 ? 1 : -1),
    // Few-decimal counter.
    (_, rand, prev) => Math.round((prev + rand() * 3) * 100) / 100,
  ];
  const out: RollupSeriesData[] = [];
  kinds.forEach((kind, k) => {
    for (let seed = 1; seed <= 3; seed++) {
      const { ts, vs } = rawSeries(seed * 100 + k, kind);
      const cols = computeRollups(ts, vs, M5);
      out.push({ labels: { kind: String(k), seed: String(seed) }, resolutionMs: M5, ...cols });
    }
  });
  // One lone sample, and a series whose every bucket holds one sample.
  const lone = computeRollups([T0 + 2 * H + 1], [42], M5);
  out.push({ labels: { kind: 'lone' }, resolutionMs: M5, ...lone });
  const sparse = computeRollups(
    Array.from({ length: 40 }, (_, i) => T0 + (i + 1) * 2 * M5),
    Array.from({ length: 40 }, (_, i) => (i % 9 === 4 ? 0 : i * 3)),
    M5,
  );
  out.push({ labels: { kind: 'sparse' }, resolutionMs: M5, ...sparse });
  return out;
}

/** Windows of a range query from `startMs` to `endMs` every `stepMs` (`pinned`: as with `@`). */
function windowsOf(
  startMs: number,
  endMs: number,
  stepMs: number,
  rangeMs: number,
  offsetMs = 0,
  pinnedMs?: number,
): Window[] {
  const out: Window[] = [];
  for (let t = startMs; t <= endMs; t += stepMs) {
    const end = (pinnedMs ?? t) - offsetMs;
    out.push({ startMs: end - rangeMs, endMs: end, rangeMs });
  }
  return out;
}

test('whole-range rollup columns equal step-by-step rollup evaluation bit for bit', () => {
  const series = adversarial();
  const shapes: Window[][] = [
    // Range edges: windows starting before the first bucket and ending after the last.
    windowsOf(T0 - 2 * H, T0 + 8 * H, M5, M5),
    windowsOf(T0 - H, T0 + 7 * H, 2 * M5, 8 * M5),
    windowsOf(T0, T0 + 6 * H, H, H),
    windowsOf(T0 + H, T0 + 6 * H, 3 * M5, 24 * H),
    windowsOf(T0 + H, T0 + 5 * H, 2 * M5, 4 * M5, H),
    windowsOf(T0 + H, T0 + 5 * H, M5, 2 * H, 0, T0 + 3 * H),
    windowsOf(T0 - 3 * H, T0 - H, M5, H),
  ];
  let compared = 0;
  let absent = 0;
  const special = { nan: 0, infinite: 0, negativeZero: 0 };
  for (const func of ROLLUP_FUNCTIONS) {
    for (const windows of shapes) {
      const columns = rollupStepColumns(func, series, windows);
      assert.equal(columns.labels.length, series.length);
      windows.forEach((window, k) => {
        const want = new Map(
          evaluateRollupCall(func, window, series).map((s) => [s.labels, s.value]),
        );
        series.forEach((s, i) => {
          const present = columns.present[i]?.[k] === 1;
          assert.equal(present, want.has(s.labels), `${func} ${JSON.stringify(s.labels)} #${k}`);
          if (!present) {
            absent++;
            return;
          }
          const got = columns.values[i]?.[k] as number;
          const expected = want.get(s.labels) as number;
          assert.ok(
            Object.is(got, expected),
            `${func} ${JSON.stringify(s.labels)} step ${k}: ${got} vs ${expected}`,
          );
          compared++;
          if (Number.isNaN(got)) special.nan++;
          else if (!Number.isFinite(got)) special.infinite++;
          else if (Object.is(got, -0)) special.negativeZero++;
        });
      });
    }
  }
  // Every shape and function contributes points, and windows with no bucket are left out.
  assert.ok(compared > 20_000, `only ${compared} points compared`);
  assert.ok(absent > 10_000, `only ${absent} absent points`);
  // The adversarial values reach the results (NaN, ±Inf and -0 compare by Object.is).
  assert.ok(special.nan > 100 && special.infinite > 100, JSON.stringify(special));
  assert.ok(special.negativeZero > 0, JSON.stringify(special));
});

test('whole-range rollup columns: exact values on a known series', () => {
  // Buckets (T0, T0+5m] .. : one sample each at 1, 4, 2 (a reset), 10; counts 1.
  const cols = computeRollups([T0 + M5, T0 + 2 * M5, T0 + 3 * M5, T0 + 4 * M5], [1, 4, 2, 10], M5);
  const series: RollupSeriesData[] = [{ labels: { a: '1' }, resolutionMs: M5, ...cols }];
  const windows = windowsOf(T0 + 2 * M5, T0 + 5 * M5, M5, 2 * M5);
  const increase = rollupStepColumns('increase', series, windows);
  // Windows of 2 buckets hold 2 samples each: 1→4 (+3), 4→2 (reset: +2), 2→10 (+8), 10 alone;
  // extrapolated by half... to the window start: +3 × 400/300 (stopped at zero), +2 × 2, +8 × 375/300.
  assert.deepEqual([...(increase.present[0] as Uint8Array)], [1, 1, 1, 0]);
  assert.deepEqual([...(increase.values[0] as Float64Array)].slice(0, 3), [4, 4, 10]);
  const count = rollupStepColumns('count_over_time', series, windows);
  assert.deepEqual([...(count.values[0] as Float64Array)], [2, 2, 2, 1]);
  const max = rollupStepColumns('max_over_time', series, windows);
  assert.deepEqual([...(max.values[0] as Float64Array)], [4, 4, 10, 10]);
  assert.throws(() => rollupStepColumns('changes', series, windows), /no rollup implementation/);
});
