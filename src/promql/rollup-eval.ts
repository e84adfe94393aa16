/**
 * Range functions answered from rollup buckets (see rollup-plan.ts for when this path is taken
 * and how exact it is). Buckets are left-open like the windows, so a window `(a, b]` with a and
 * b on bucket boundaries holds exactly the samples of the buckets starting in `[a, b)`. Columns
 * are typed arrays, read in place.
 */
import type { RollupSeriesData } from '../store/types.js';
import { extrapolateIncrease, kahanAdd, type Window } from './range-functions.js';
import type { InstantSample } from './values.js';
import { firstAtOrAfter } from '../core/sorted.js';

/** Compensated sum of `column[from..to)`, finished as Prometheus finishes its sums. */
export function sumOf(column: Float64Array, from: number, to: number): number {
  const state = { sum: 0, c: 0 };
  for (let i = from; i < to; i++) kahanAdd(state, column[i] as number);
  return Number.isFinite(state.sum) ? state.sum + state.c : state.sum;
}

function countOf(s: RollupSeriesData, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) count += s.counts[i] as number;
  return count;
}

/** max (or min) with min/max_over_time's NaN rule: NaN only when every value is NaN. */
export function extremeOf(column: Float64Array, from: number, to: number, max: boolean): number {
  let best = column[from] as number;
  for (let i = from + 1; i < to; i++) {
    const v = column[i] as number;
    if ((max ? v > best : v < best) || Number.isNaN(best)) best = v;
  }
  return best;
}

/** increase/rate/delta over buckets `[from, to)`; undefined with fewer than 2 samples. */
function changeOf(
  s: RollupSeriesData,
  from: number,
  to: number,
  window: Window,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  const count = countOf(s, from, to);
  if (count < 2) return undefined;
  const firstValue = s.firsts[from] as number;
  let result = (s.lasts[to - 1] as number) - firstValue;
  if (isCounter) {
    // Prometheus's per-sample increase, summed bucket by bucket plus the jumps between them.
    result = s.increases[from] as number;
    for (let i = from + 1; i < to; i++) {
      const first = s.firsts[i] as number;
      const prevLast = s.lasts[i - 1] as number;
      result += (first < prevLast ? first : first - prevLast) + (s.increases[i] as number);
    }
  }
  return extrapolateIncrease(
    result,
    count,
    firstValue,
    s.firstTimestampsMs[from] as number,
    s.lastTimestampsMs[to - 1] as number,
    window,
    isCounter,
    isRate,
  );
}

function applyFunction(
  func: string,
  s: RollupSeriesData,
  from: number,
  to: number,
  window: Window,
): number | undefined {
  switch (func) {
    case 'count_over_time':
      return countOf(s, from, to);
    case 'sum_over_time':
      return sumOf(s.sums, from, to);
    case 'avg_over_time':
      return sumOf(s.sums, from, to) / countOf(s, from, to);
    case 'max_over_time':
      return extremeOf(s.maxs, from, to, true);
    case 'min_over_time':
      return extremeOf(s.mins, from, to, false);
    case 'increase':
      return changeOf(s, from, to, window, true, false);
    case 'rate':
      return changeOf(s, from, to, window, true, true);
    case 'delta':
      return changeOf(s, from, to, window, false, false);
    default:
      throw new Error(`range function ${func} has no rollup implementation`);
  }
}

/**
 * Evaluates `func` (one of ROLLUP_FUNCTIONS) over `window` for each series' buckets. Series with
 * no bucket in the window (or too few samples for a rate) give no sample, as with raw data.
 */
export function evaluateRollupCall(
  func: string,
  window: Window,
  series: readonly RollupSeriesData[],
): InstantSample[] {
  const out: InstantSample[] = [];
  for (const s of series) {
    const from = firstAtOrAfter(s.startsMs, window.startMs);
    const to = firstAtOrAfter(s.startsMs, window.endMs);
    if (to <= from) continue;
    const value = applyFunction(func, s, from, to, window);
    if (value === undefined) continue;
    out.push({ labels: s.labels, value, dropName: true });
  }
  return out;
}
