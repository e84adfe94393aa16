/**
 * Evaluation of a parsed expression at one instant over series already fetched from the store.
 * Selectors are resolved against `FetchedSeries`, so evaluation itself is synchronous;
 * subqueries evaluate their inner expression at each of their own steps.
 */
import type { RollupSeriesData, SeriesColumns } from '../store/types.js';
import type {
  AtModifier,
  ExprNode,
  MatrixSelectorNode,
  SubqueryNode,
  VectorSelectorNode,
} from './ast.js';
import { aggregate } from './aggregate.js';
import { evaluateBinary } from './binary.js';
import { evaluateCall } from './functions.js';
import { labelsKey } from './labels.js';
import { aggregateAtStep, type RangeSteps } from './range-steps.js';
import {
  assertUniqueLabels,
  evalError,
  type EvalValue,
  type InstantSample,
  type RangeSeries,
} from './values.js';

/** The series fetched for each selector node of the expression. */
export type FetchedSeries = ReadonlyMap<VectorSelectorNode, SeriesColumns[]>;

/** Settings that apply to a whole query. */
export interface EvalSettings {
  /** How far back an instant selector looks for the latest sample, ms (Prometheus: 5m). */
  lookbackDeltaMs: number;
  /** Step of subqueries written without one (`x[5m:]`), ms (Prometheus: the rule interval). */
  defaultSubqueryStepMs: number;
}

/** Everything evaluation needs besides the node and the time. */
export interface EvalContext {
  fetched: FetchedSeries;
  settings: EvalSettings;
  /** Start and end of the query, ms, for `@ start()` and `@ end()`. */
  queryStartMs: number;
  queryEndMs: number;
  /** Selectors answered from rollups instead of raw samples (see rollup-plan.ts). */
  rollups?: ReadonlyMap<VectorSelectorNode, RollupSeriesData[]>;
  /** Throws when the query ran past its timeout; called at each subquery step. */
  checkDeadline?: () => void;
  /** A range query's steps, for whole-range evaluation (range-steps.ts); absent otherwise. */
  steps?: RangeSteps;
}

/** Most inner steps one subquery evaluation may take; more is rejected as too expensive. */
export const MAX_SUBQUERY_STEPS = 100_000;

/** Index of the first timestamp strictly greater than `ms` (binary search). */
export function firstAfter(timestampsMs: Float64Array, ms: number): number {
  let lo = 0;
  let hi = timestampsMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((timestampsMs[mid] as number) <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The time an `@` modifier pins evaluation to, or `timeMs` without one. */
export function resolveAt(at: AtModifier, timeMs: number, ctx: EvalContext): number {
  if (at === null) return timeMs;
  if (at.kind === 'start') return ctx.queryStartMs;
  if (at.kind === 'end') return ctx.queryEndMs;
  return at.ms;
}

/** The window `(startMs, endMs]` a range argument covers at `timeMs`. */
export function rangeWindow(
  node: MatrixSelectorNode | SubqueryNode,
  timeMs: number,
  ctx: EvalContext,
): { startMs: number; endMs: number; rangeMs: number } {
  const target = node.kind === 'matrixSelector' ? node.selector : node;
  const endMs = resolveAt(target.at, timeMs, ctx) - target.offsetMs;
  return { startMs: endMs - node.rangeMs, endMs, rangeMs: node.rangeMs };
}

/** Evaluates `expr` at `timeMs`. Throws LlmwatchError "promql_eval" on evaluation errors. */
export function evaluateAt(expr: ExprNode, timeMs: number, ctx: EvalContext): EvalValue {
  switch (expr.kind) {
    case 'number':
      return { type: 'scalar', value: expr.value };
    case 'string':
      return { type: 'string', value: expr.value };
    case 'vectorSelector':
      return { type: 'vector', samples: selectInstant(expr, timeMs, ctx) };
    case 'matrixSelector':
      return { type: 'matrix', series: selectRange(expr, timeMs, ctx) };
    case 'subquery':
      return { type: 'matrix', series: evaluateSubquery(expr, timeMs, ctx) };
    case 'negate': {
      const inner = evaluateAt(expr.expr, timeMs, ctx);
      if (inner.type === 'scalar') return { type: 'scalar', value: -inner.value };
      if (inner.type !== 'vector') throw evalError('unary minus needs a scalar or vector');
      const samples = inner.samples.map((s) => ({
        labels: s.labels,
        value: -s.value,
        dropName: true,
      }));
      return { type: 'vector', samples };
    }
    case 'aggregate': {
      const atStep = aggregateAtStep(expr, timeMs, ctx);
      if (atStep !== undefined) return { type: 'vector', samples: atStep };
      const param = expr.param ? evaluateAt(expr.param, timeMs, ctx) : undefined;
      const input = vectorOf(evaluateAt(expr.expr, timeMs, ctx));
      return { type: 'vector', samples: aggregate(expr, input, param) };
    }
    case 'binary':
      return evaluateBinary(
        expr,
        evaluateAt(expr.lhs, timeMs, ctx),
        evaluateAt(expr.rhs, timeMs, ctx),
      );
    case 'call':
      return evaluateCall(expr, timeMs, ctx);
  }
}

/** The samples of an instant vector value; throws for any other type. */
export function vectorOf(value: EvalValue): InstantSample[] {
  if (value.type !== 'vector') throw evalError(`expected an instant vector, got ${value.type}`);
  return value.samples;
}

/** The number of a scalar value; throws for any other type. */
export function scalarOf(value: EvalValue): number {
  if (value.type !== 'scalar') throw evalError(`expected a scalar, got ${value.type}`);
  return value.value;
}

/**
 * True when sample `index` of `series` (value `value`) is a staleness marker: flagged in the
 * staleMask (fetch.ts sets it for every marker, whichever store it read).
 */
export function isStaleSample(series: SeriesColumns, index: number, value: number): boolean {
  if (value === value) return false;
  return series.staleMask?.[index] === 1;
}

function selectInstant(
  node: VectorSelectorNode,
  timeMs: number,
  ctx: EvalContext,
): InstantSample[] {
  const refMs = resolveAt(node.at, timeMs, ctx) - node.offsetMs;
  const oldestMs = refMs - ctx.settings.lookbackDeltaMs;
  const out: InstantSample[] = [];
  for (const series of ctx.fetched.get(node) ?? []) {
    const index = firstAfter(series.timestampsMs, refMs) - 1;
    if (index < 0) continue;
    const sampleMs = series.timestampsMs[index] as number;
    // The lookback window is left-open: a sample exactly lookbackDeltaMs old is not used.
    if (sampleMs <= oldestMs) continue;
    const value = series.values[index] as number;
    if (isStaleSample(series, index, value)) continue;
    out.push({ labels: series.labels, value, timestampMs: sampleMs });
  }
  return out;
}

function selectRange(node: MatrixSelectorNode, timeMs: number, ctx: EvalContext): RangeSeries[] {
  const { startMs, endMs } = rangeWindow(node, timeMs, ctx);
  const out: RangeSeries[] = [];
  for (const series of ctx.fetched.get(node.selector) ?? []) {
    const from = firstAfter(series.timestampsMs, startMs);
    const to = firstAfter(series.timestampsMs, endMs);
    if (to <= from) continue;
    const timestampsMs: number[] = [];
    const values: number[] = [];
    for (let i = from; i < to; i++) {
      const value = series.values[i] as number;
      if (isStaleSample(series, i, value)) continue;
      timestampsMs.push(series.timestampsMs[i] as number);
      values.push(value);
    }
    if (values.length > 0) out.push({ labels: series.labels, timestampsMs, values });
  }
  return out;
}

function evaluateSubquery(node: SubqueryNode, timeMs: number, ctx: EvalContext): RangeSeries[] {
  const { startMs: windowStartMs, endMs } = rangeWindow(node, timeMs, ctx);
  const stepMs = node.stepMs > 0 ? node.stepMs : ctx.settings.defaultSubqueryStepMs;
  // Inner steps are aligned to multiples of the step (Go's truncating division).
  let startMs = stepMs * Math.trunc(windowStartMs / stepMs);
  if (startMs <= windowStartMs) startMs += stepMs;
  if ((endMs - startMs) / stepMs > MAX_SUBQUERY_STEPS) {
    throw evalError(
      `subquery needs more than ${MAX_SUBQUERY_STEPS} steps; use a larger step or a shorter range`,
    );
  }

  const bySeries = new Map<string, RangeSeries>();
  for (let t = startMs; t <= endMs; t += stepMs) {
    ctx.checkDeadline?.();
    const samples = vectorOf(evaluateAt(node.expr, t, ctx));
    for (const sample of samples) {
      const key = (sample.dropName ? 'd' : 'k') + labelsKey(sample.labels);
      let series = bySeries.get(key);
      if (!series) {
        series = { labels: sample.labels, timestampsMs: [], values: [] };
        if (sample.dropName) series.dropName = true;
        bySeries.set(key, series);
      }
      series.timestampsMs.push(t);
      series.values.push(sample.value);
    }
  }
  return [...bySeries.values()];
}

/** Builds a vector value, rejecting duplicate label sets. */
export function checkedVector(samples: InstantSample[]): EvalValue {
  assertUniqueLabels(samples);
  return { type: 'vector', samples };
}
