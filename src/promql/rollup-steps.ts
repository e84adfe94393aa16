/**
 * Whole-range evaluation of a range function answered from rollups (rollup-plan.ts says when):
 * every step of a range query at once, per series, into a value and a presence column, as
 * range-steps.ts does for raw rate/increase/delta. The windows only move forward with the
 * step, so the first and end bucket indices do too (no binary search per step), and no sample
 * object is made per series and step.
 *
 * Results are bit-identical to rollup-eval.ts's step-by-step evaluation: the same additions in
 * the same order. Counts are summed through prefix sums, which is exact because bucket counts
 * are integers (a series would need 2^53 samples to round); a counter's increase still adds
 * the window's buckets one by one (prefix sums of floats would round differently), each
 * bucket's term (jump from the previous bucket's last sample, plus its own increase) computed
 * once per series instead of once per window.
 */
import type { Labels, RollupSeriesData } from '../store/types.js';
import { extrapolateIncrease, type Window } from './range-functions.js';
import { extremeOf, sumOf } from './rollup-eval.js';

/** Per series, a call's value at each step of a range query and whether it has one. */
export interface StepColumns {
  labels: readonly Labels[];
  /** values[s][k]: series s at step k, meaningful only where present[s][k] is 1. */
  values: Float64Array[];
  present: Uint8Array[];
}

const enum Op {
  Count,
  Sum,
  Avg,
  Max,
  Min,
  Increase,
  Rate,
  Delta,
}

const OPS: Record<string, Op> = {
  count_over_time: Op.Count,
  sum_over_time: Op.Sum,
  avg_over_time: Op.Avg,
  max_over_time: Op.Max,
  min_over_time: Op.Min,
  increase: Op.Increase,
  rate: Op.Rate,
  delta: Op.Delta,
};

/** Scratch columns sized to the longest series, reused from series to series. */
interface Scratch {
  /** prefixCounts[i]: samples in buckets [0, i). */
  prefixCounts: Float64Array;
  /** terms[i], i ≥ 1: what bucket i adds to a counter's increase (see the file comment). */
  terms: Float64Array;
}

function prepare(s: RollupSeriesData, op: Op, scratch: Scratch): void {
  const n = s.startsMs.length;
  const { prefixCounts, terms } = scratch;
  let count = 0;
  prefixCounts[0] = 0;
  for (let i = 0; i < n; i++) {
    count += s.counts[i] as number;
    prefixCounts[i + 1] = count;
  }
  if (op !== Op.Increase && op !== Op.Rate) return;
  const { firsts, lasts, increases } = s;
  for (let i = 1; i < n; i++) {
    const first = firsts[i] as number;
    const prevLast = lasts[i - 1] as number;
    terms[i] = (first < prevLast ? first : first - prevLast) + (increases[i] as number);
  }
}

/** The call's value over buckets [from, to) (to > from), or undefined (a rate of < 2 samples). */
function valueOf(
  op: Op,
  s: RollupSeriesData,
  scratch: Scratch,
  from: number,
  to: number,
  window: Window,
): number | undefined {
  const count = (scratch.prefixCounts[to] as number) - (scratch.prefixCounts[from] as number);
  switch (op) {
    case Op.Count:
      return count;
    case Op.Sum:
      return sumOf(s.sums, from, to);
    case Op.Avg:
      return sumOf(s.sums, from, to) / count;
    case Op.Max:
      return extremeOf(s.maxs, from, to, true);
    case Op.Min:
      return extremeOf(s.mins, from, to, false);
    default:
      break;
  }
  if (count < 2) return undefined;
  const firstValue = s.firsts[from] as number;
  const isCounter = op !== Op.Delta;
  let result: number;
  if (isCounter) {
    result = s.increases[from] as number;
    const terms = scratch.terms;
    for (let i = from + 1; i < to; i++) result += terms[i] as number;
  } else {
    result = (s.lasts[to - 1] as number) - firstValue;
  }
  return extrapolateIncrease(
    result,
    count,
    firstValue,
    s.firstTimestampsMs[from] as number,
    s.lastTimestampsMs[to - 1] as number,
    window,
    isCounter,
    op === Op.Rate,
  );
}

/**
 * `func` (one of ROLLUP_FUNCTIONS) of every series at every window, windows in step order
 * (their starts and ends must not decrease). `checkDeadline` is called once per series.
 */
export function rollupStepColumns(
  func: string,
  series: readonly RollupSeriesData[],
  windows: readonly Window[],
  checkDeadline?: () => void,
): StepColumns {
  const op = OPS[func];
  if (op === undefined) throw new Error(`range function ${func} has no rollup implementation`);
  let longest = 0;
  for (const s of series) longest = Math.max(longest, s.startsMs.length);
  const scratch: Scratch = {
    prefixCounts: new Float64Array(longest + 1),
    terms: new Float64Array(longest),
  };
  const steps = windows.length;
  // One allocation for all series (a view each), not two per series.
  const allValues = new Float64Array(steps * series.length);
  const allPresent = new Uint8Array(steps * series.length);
  const columns: StepColumns = { labels: series.map((s) => s.labels), values: [], present: [] };
  for (let si = 0; si < series.length; si++) {
    checkDeadline?.();
    const s = series[si] as RollupSeriesData;
    const values = allValues.subarray(si * steps, (si + 1) * steps);
    const present = allPresent.subarray(si * steps, (si + 1) * steps);
    columns.values.push(values);
    columns.present.push(present);
    prepare(s, op, scratch);
    const starts = s.startsMs;
    const length = starts.length;
    // A window (startMs, endMs] holds the buckets starting in [startMs, endMs).
    let from = 0;
    let to = 0;
    for (let k = 0; k < steps; k++) {
      const window = windows[k] as Window;
      while (from < length && (starts[from] as number) < window.startMs) from++;
      if (to < from) to = from;
      while (to < length && (starts[to] as number) < window.endMs) to++;
      if (to <= from) continue;
      const value = valueOf(op, s, scratch, from, to, window);
      if (value === undefined) continue;
      values[k] = value;
      present[k] = 1;
    }
  }
  return columns;
}
