/**
 * Evaluation of a parsed expression at one instant over series already fetched from the store.
 * Selectors are resolved against `FetchedSeries`, so evaluation itself is synchronous.
 */
import type { SeriesData } from '../store/types.js';
import type { CallNode, ExprNode, MatrixSelectorNode, VectorSelectorNode } from './ast.js';
import { aggregate } from './aggregate.js';
import { evaluateBinary } from './binary.js';
import { histogramQuantile } from './histogram.js';
import { withoutLabels } from './labels.js';
import { extrapolatedRate, instantRate, overTime } from './range-functions.js';
import {
  assertUniqueLabels,
  evalError,
  type EvalValue,
  type InstantSample,
  type RangeSeries,
} from './values.js';

/** The series fetched for each selector node of the expression. */
export type FetchedSeries = ReadonlyMap<VectorSelectorNode, SeriesData[]>;

/** Settings that apply to a whole query. */
export interface EvalSettings {
  /** How far back an instant selector looks for the latest sample, ms (Prometheus: 5m). */
  lookbackDeltaMs: number;
}

/** Index of the first timestamp strictly greater than `ms` (binary search). */
function firstAfter(timestampsMs: readonly number[], ms: number): number {
  let lo = 0;
  let hi = timestampsMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((timestampsMs[mid] as number) <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Evaluates `expr` at `timeMs`. Throws LlmwatchError "promql_eval" on evaluation errors. */
export function evaluateAt(
  expr: ExprNode,
  timeMs: number,
  fetched: FetchedSeries,
  settings: EvalSettings,
): EvalValue {
  const evaluate = (node: ExprNode): EvalValue => {
    switch (node.kind) {
      case 'number':
        return { type: 'scalar', value: node.value };
      case 'string':
        return { type: 'string', value: node.value };
      case 'vectorSelector':
        return { type: 'vector', samples: selectInstant(node, timeMs, fetched, settings) };
      case 'matrixSelector':
        return { type: 'matrix', series: selectRange(node, timeMs, fetched) };
      case 'negate': {
        const inner = evaluate(node.expr);
        if (inner.type === 'scalar') return { type: 'scalar', value: -inner.value };
        if (inner.type !== 'vector') throw evalError('unary minus needs a scalar or vector');
        const samples = inner.samples.map((s) => ({
          labels: withoutLabels(s.labels, ['__name__']),
          value: -s.value,
        }));
        assertUniqueLabels(samples);
        return { type: 'vector', samples };
      }
      case 'aggregate':
        return { type: 'vector', samples: aggregate(node, vectorOf(evaluate(node.expr))) };
      case 'binary':
        return evaluateBinary(node, evaluate(node.lhs), evaluate(node.rhs));
      case 'call':
        return evaluateCall(node, timeMs, evaluate);
    }
  };
  return evaluate(expr);
}

function vectorOf(value: EvalValue): InstantSample[] {
  if (value.type !== 'vector') throw evalError(`expected an instant vector, got ${value.type}`);
  return value.samples;
}

function scalarOf(value: EvalValue): number {
  if (value.type !== 'scalar') throw evalError(`expected a scalar, got ${value.type}`);
  return value.value;
}

function selectInstant(
  node: VectorSelectorNode,
  timeMs: number,
  fetched: FetchedSeries,
  settings: EvalSettings,
): InstantSample[] {
  const refMs = timeMs - node.offsetMs;
  const out: InstantSample[] = [];
  for (const series of fetched.get(node) ?? []) {
    const index = firstAfter(series.timestampsMs, refMs) - 1;
    if (index < 0) continue;
    // The lookback window is left-open: a sample exactly lookbackDeltaMs old is not used.
    if ((series.timestampsMs[index] as number) <= refMs - settings.lookbackDeltaMs) continue;
    out.push({ labels: series.labels, value: series.values[index] as number });
  }
  return out;
}

function selectRange(
  node: MatrixSelectorNode,
  timeMs: number,
  fetched: FetchedSeries,
): RangeSeries[] {
  const endMs = timeMs - node.selector.offsetMs;
  const out: RangeSeries[] = [];
  for (const series of fetched.get(node.selector) ?? []) {
    const from = firstAfter(series.timestampsMs, endMs - node.rangeMs);
    const to = firstAfter(series.timestampsMs, endMs);
    if (to <= from) continue;
    out.push({
      labels: series.labels,
      timestampsMs: series.timestampsMs.slice(from, to),
      values: series.values.slice(from, to),
    });
  }
  return out;
}

function evaluateCall(
  node: CallNode,
  timeMs: number,
  evaluate: (n: ExprNode) => EvalValue,
): EvalValue {
  const args = node.args;
  switch (node.func) {
    case 'time':
      return { type: 'scalar', value: timeMs / 1000 };
    case 'vector':
      return {
        type: 'vector',
        samples: [{ labels: {}, value: scalarOf(evaluate(args[0] as ExprNode)) }],
      };
    case 'scalar': {
      const samples = vectorOf(evaluate(args[0] as ExprNode));
      return {
        type: 'scalar',
        value: samples.length === 1 ? (samples[0] as InstantSample).value : NaN,
      };
    }
    case 'histogram_quantile': {
      const q = scalarOf(evaluate(args[0] as ExprNode));
      return checked(histogramQuantile(q, vectorOf(evaluate(args[1] as ExprNode))));
    }
    case 'abs':
    case 'clamp_min':
    case 'clamp_max': {
      const samples = vectorOf(evaluate(args[0] as ExprNode));
      const bound = args[1] ? scalarOf(evaluate(args[1])) : 0;
      const apply =
        node.func === 'abs'
          ? Math.abs
          : node.func === 'clamp_min'
            ? (v: number) => Math.max(bound, v)
            : (v: number) => Math.min(bound, v);
      return checked(
        samples.map((s) => ({
          labels: withoutLabels(s.labels, ['__name__']),
          value: apply(s.value),
        })),
      );
    }
    default:
      return evaluateRangeCall(node, timeMs, evaluate);
  }
}

function evaluateRangeCall(
  node: CallNode,
  timeMs: number,
  evaluate: (n: ExprNode) => EvalValue,
): EvalValue {
  const arg = node.args[0] as MatrixSelectorNode;
  const value = evaluate(arg);
  if (value.type !== 'matrix')
    throw evalError(`${node.func} needs a range vector, got ${value.type}`);
  const endMs = timeMs - arg.selector.offsetMs;
  const window = { startMs: endMs - arg.rangeMs, endMs, rangeMs: arg.rangeMs };

  const out: InstantSample[] = [];
  for (const series of value.series) {
    let result: number | undefined;
    if (node.func === 'rate') result = extrapolatedRate(series, window, true, true);
    else if (node.func === 'increase') result = extrapolatedRate(series, window, true, false);
    else if (node.func === 'delta') result = extrapolatedRate(series, window, false, false);
    else if (node.func === 'irate') result = instantRate(series);
    else result = overTime(node.func, series);
    if (result !== undefined)
      out.push({ labels: withoutLabels(series.labels, ['__name__']), value: result });
  }
  return checked(out);
}

function checked(samples: InstantSample[]): EvalValue {
  assertUniqueLabels(samples);
  return { type: 'vector', samples };
}
