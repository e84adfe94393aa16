/** Calls of functions over range vectors: picks the window and applies the function per series. */
import type { CallNode, ExprNode, MatrixSelectorNode, SubqueryNode } from './ast.js';
import type { SeriesColumns } from '../store/types.js';
import {
  evaluateAt,
  firstAfter,
  isStaleSample,
  rangeWindow,
  scalarOf,
  type EvalContext,
} from './eval.js';
import { absentLabels } from './label-functions.js';
import {
  doubleExponentialSmoothing,
  extrapolatedRate,
  extrapolatedRateOf,
  instantRate,
  overTime,
  predictLinear,
  quantileOf,
  type Window,
  type WindowSamples,
} from './range-functions.js';
import { callAtStep } from './range-steps.js';
import { evaluateRollupCall } from './rollup-eval.js';
import { evalError, type EvalValue, type InstantSample } from './values.js';

/** Index of the range-vector argument of each function taking one besides the first. */
const MATRIX_ARG_INDEX: Record<string, number> = { quantile_over_time: 1 };

/** The extrapolating functions: [isCounter, isRate]. */
export const EXTRAPOLATED: Record<string, [boolean, boolean]> = {
  rate: [true, true],
  increase: [true, false],
  delta: [false, false],
};

function hasNaN(values: Float64Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    if (v !== v) return true;
  }
  return false;
}

/**
 * Per fetched series, `unusual[i]`: how many of samples `0..i-1` are NaN or lower than the
 * sample before them. Windows without such a sample (the usual case for counters) need neither
 * the staleness check nor the counter-reset loop. Built once per query and selector.
 */
const unusualCounts = new WeakMap<readonly SeriesColumns[], Int32Array[]>();

/** True when some value is NaN or lower than the one before it. */
function hasUnusual(values: Float64Array): boolean {
  let prev = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== v || v < prev) return true;
    prev = v;
  }
  return false;
}

function countUnusual(values: Float64Array): Int32Array {
  const counts = new Int32Array(values.length + 1);
  let n = 0;
  let prev = NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== v || v < prev) n++;
    counts[i + 1] = n;
    prev = v;
  }
  return counts;
}

export function unusualBefore(fetched: readonly SeriesColumns[]): Int32Array[] {
  let counts = unusualCounts.get(fetched);
  if (counts === undefined) {
    // Series without any unusual sample (most counters) share one array of zeros.
    let longest = 0;
    for (const series of fetched) longest = Math.max(longest, series.values.length);
    const zeros = new Int32Array(longest + 1);
    counts = fetched.map((series) =>
      hasUnusual(series.values) ? countUnusual(series.values) : zeros,
    );
    unusualCounts.set(fetched, counts);
  }
  return counts;
}

/**
 * rate/increase/delta of samples [from, to) of one fetched series (`unusual` from
 * unusualBefore), computed on the series' whole arrays instead of a copy of the window (the
 * copy is still made for a window holding a NaN, which may be a staleness marker to leave out).
 */
export function extrapolatedAt(
  series: SeriesColumns,
  unusual: Int32Array,
  from: number,
  to: number,
  window: Window,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  if (to - from < 2) return undefined;
  const ts = series.timestampsMs;
  const usual = unusual[to] === unusual[from];
  if (!usual && hasNaN(series.values, from, to)) {
    const kept: WindowSamples = { timestampsMs: [], values: [] };
    for (let i = from; i < to; i++) {
      const v = series.values[i] as number;
      if (isStaleSample(series, i, v)) continue;
      kept.timestampsMs.push(ts[i] as number);
      kept.values.push(v);
    }
    return extrapolatedRate(kept, window, isCounter, isRate);
  }
  const addResets = isCounter && !usual;
  return extrapolatedRateOf(ts, series.values, from, to, window, isCounter, isRate, addResets);
}

/**
 * rate/increase/delta of a raw selector at one window, per fetched series in place (see
 * extrapolatedAt). Same results, same order as the general path below.
 */
function extrapolatedInPlace(
  fetched: readonly SeriesColumns[],
  window: Window,
  isCounter: boolean,
  isRate: boolean,
): InstantSample[] {
  const out: InstantSample[] = [];
  const unusualOf = unusualBefore(fetched);
  for (let s = 0; s < fetched.length; s++) {
    const series = fetched[s] as SeriesColumns;
    const from = firstAfter(series.timestampsMs, window.startMs);
    const to = firstAfter(series.timestampsMs, window.endMs);
    const unusual = unusualOf[s] as Int32Array;
    const value = extrapolatedAt(series, unusual, from, to, window, isCounter, isRate);
    if (value !== undefined) out.push({ labels: series.labels, value, dropName: true });
  }
  return out;
}

/** Evaluates a function whose argument is a range vector (selector or subquery). */
export function evaluateRangeCall(node: CallNode, timeMs: number, ctx: EvalContext): EvalValue {
  const index = MATRIX_ARG_INDEX[node.func] ?? 0;
  const argNode = node.args[index] as ExprNode;
  if (argNode.kind !== 'matrixSelector' && argNode.kind !== 'subquery') {
    throw evalError(`${node.func}() needs a range vector selector or subquery`);
  }
  const rollups =
    argNode.kind === 'matrixSelector' ? ctx.rollups?.get(argNode.selector) : undefined;
  if (rollups !== undefined) {
    const atStep = callAtStep(node, timeMs, ctx);
    if (atStep !== undefined) return { type: 'vector', samples: atStep };
    const rollupWindow = rangeWindow(argNode as MatrixSelectorNode, timeMs, ctx);
    return { type: 'vector', samples: evaluateRollupCall(node.func, rollupWindow, rollups) };
  }
  const extrapolated = EXTRAPOLATED[node.func];
  if (extrapolated !== undefined && argNode.kind === 'matrixSelector') {
    const atStep = callAtStep(node, timeMs, ctx);
    if (atStep !== undefined) return { type: 'vector', samples: atStep };
    const fetched = ctx.fetched.get(argNode.selector) ?? [];
    const [isCounter, isRate] = extrapolated;
    const window = rangeWindow(argNode, timeMs, ctx);
    return { type: 'vector', samples: extrapolatedInPlace(fetched, window, isCounter, isRate) };
  }
  const value = evaluateAt(argNode, timeMs, ctx);
  if (value.type !== 'matrix')
    throw evalError(`${node.func} needs a range vector, got ${value.type}`);
  const window = rangeWindow(argNode as MatrixSelectorNode | SubqueryNode, timeMs, ctx);
  const scalarArg = (i: number): number =>
    scalarOf(evaluateAt(node.args[i] as ExprNode, timeMs, ctx));

  if (node.func === 'absent_over_time') {
    if (value.series.length > 0) return { type: 'vector', samples: [] };
    return { type: 'vector', samples: [{ labels: absentLabels(argNode), value: 1 }] };
  }

  let apply: (samples: WindowSamples) => number | undefined;
  switch (node.func) {
    case 'rate':
      apply = (s) => extrapolatedRate(s, window, true, true);
      break;
    case 'increase':
      apply = (s) => extrapolatedRate(s, window, true, false);
      break;
    case 'delta':
      apply = (s) => extrapolatedRate(s, window, false, false);
      break;
    case 'irate':
      apply = (s) => instantRate(s, true);
      break;
    case 'idelta':
      apply = (s) => instantRate(s, false);
      break;
    case 'predict_linear': {
      const seconds = scalarArg(1);
      apply = (s) => predictLinear(s, timeMs, seconds);
      break;
    }
    case 'quantile_over_time': {
      const q = scalarArg(0);
      apply = (s) => quantileOf(q, s.values);
      break;
    }
    case 'double_exponential_smoothing': {
      const smoothing = scalarArg(1);
      const trend = scalarArg(2);
      if (!(smoothing > 0 && smoothing < 1)) {
        throw evalError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${smoothing}`);
      }
      if (!(trend > 0 && trend < 1)) {
        throw evalError(`invalid trend factor. Expected: 0 < tf < 1, got: ${trend}`);
      }
      apply = (s) => doubleExponentialSmoothing(s.values, smoothing, trend);
      break;
    }
    default:
      apply = (s) => overTime(node.func, s);
  }

  const keepsName = node.func === 'last_over_time' || node.func === 'first_over_time';
  const out: InstantSample[] = [];
  for (const series of value.series) {
    const result = apply(series);
    if (result === undefined) continue;
    const sample: InstantSample = { labels: series.labels, value: result };
    if (!keepsName || series.dropName) sample.dropName = true;
    out.push(sample);
  }
  return { type: 'vector', samples: out };
}
