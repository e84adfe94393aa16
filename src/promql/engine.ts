/**
 * The PromQL engine: parses a query, fetches every selector's series from the MetricStore in
 * one batch, then evaluates synchronously at each step and shapes the result exactly like the
 * `data` object of Prometheus's HTTP API.
 */
import { LlmwatchError } from '../core/errors.js';
import type { Labels, MetricStore, SeriesData } from '../store/types.js';
import type { AtModifier, ExprNode, VectorSelectorNode } from './ast.js';
import { evaluateAt, type EvalContext, type EvalSettings } from './eval.js';
import { formatSampleValue, toUnixSeconds } from './format.js';
import { compareLabels, labelsKey, sortLabels } from './labels.js';
import { parsePromql } from './parse.js';
import { finishNameDrop, type EvalValue } from './values.js';

/** Default lookback of instant selectors, ms (Prometheus's 5m). */
export const DEFAULT_LOOKBACK_DELTA_MS = 5 * 60 * 1000;

/** Most steps a range query may have, beyond the first: Prometheus's 11,000 points limit. */
export const MAX_RANGE_QUERY_STEPS = 11_000;

/** One sample as Prometheus's JSON writes it: [unix seconds, "value"]. */
export type PromPoint = [number, string];

/** The `data` object of a Prometheus query response. */
export type QueryResult =
  | { resultType: 'vector'; result: Array<{ metric: Labels; value: PromPoint }> }
  | { resultType: 'matrix'; result: Array<{ metric: Labels; values: PromPoint[] }> }
  | { resultType: 'scalar'; result: PromPoint }
  | { resultType: 'string'; result: PromPoint };

/** Options of `createPromqlEngine`. */
export interface PromqlEngineOptions {
  /** Lookback of instant vector selectors in ms; default 300000 (5m). Must be positive. */
  lookbackDeltaMs?: number;
  /**
   * Step of subqueries written without one (`x[1h:]`), ms; default 60000 (Prometheus uses the
   * global evaluation interval, 1m by default). Must be positive.
   */
  defaultSubqueryStepMs?: number;
}

/** Default step of subqueries without an explicit step, ms. */
export const DEFAULT_SUBQUERY_STEP_MS = 60_000;

/** Evaluates PromQL over a MetricStore. */
export interface PromqlEngine {
  /**
   * Evaluates `expr` at `timeMs` (Unix ms). Rejects with LlmwatchError "promql_parse" for a bad
   * or unsupported query, "promql_bad_data" for a bad time, "promql_eval" for evaluation errors.
   */
  instantQuery(expr: string, timeMs: number): Promise<QueryResult>;
  /**
   * Evaluates `expr` at startMs, startMs + stepMs, ... ≤ endMs and returns a matrix. Rejects with
   * "promql_bad_data" when end < start, step ≤ 0, more than 11,000 steps, or the expression is
   * not a scalar or instant vector; otherwise as `instantQuery`.
   */
  rangeQuery(expr: string, startMs: number, endMs: number, stepMs: number): Promise<QueryResult>;
}

function badData(message: string): LlmwatchError {
  return new LlmwatchError('promql_bad_data', message);
}

/** Earliest and latest evaluation times (ms) at which a node is evaluated. */
interface TimeSpan {
  fromMs: number;
  toMs: number;
}

function pinned(at: AtModifier, span: TimeSpan, query: TimeSpan): TimeSpan {
  if (at === null) return span;
  const ms = at.kind === 'time' ? at.ms : at.kind === 'start' ? query.fromMs : query.toMs;
  return { fromMs: ms, toMs: ms };
}

/** Finds every selector and the [from, to] ms range of samples it needs. */
function collectSelectors(
  expr: ExprNode,
  span: TimeSpan,
  query: TimeSpan,
  settings: EvalSettings,
  out: Map<VectorSelectorNode, TimeSpan>,
): void {
  const add = (node: VectorSelectorNode, lookbehindMs: number): void => {
    const at = pinned(node.at, span, query);
    // Windows are left-open, so the sample exactly lookbehindMs before the start is not needed.
    out.set(node, {
      fromMs: at.fromMs - node.offsetMs - lookbehindMs + 1,
      toMs: at.toMs - node.offsetMs,
    });
  };
  switch (expr.kind) {
    case 'vectorSelector':
      add(expr, settings.lookbackDeltaMs);
      return;
    case 'matrixSelector':
      add(expr.selector, expr.rangeMs);
      return;
    case 'subquery': {
      const at = pinned(expr.at, span, query);
      const inner = {
        fromMs: at.fromMs - expr.offsetMs - expr.rangeMs,
        toMs: at.toMs - expr.offsetMs,
      };
      collectSelectors(expr.expr, inner, query, settings, out);
      return;
    }
    case 'negate':
      collectSelectors(expr.expr, span, query, settings, out);
      return;
    case 'aggregate':
      if (expr.param) collectSelectors(expr.param, span, query, settings, out);
      collectSelectors(expr.expr, span, query, settings, out);
      return;
    case 'binary':
      collectSelectors(expr.lhs, span, query, settings, out);
      collectSelectors(expr.rhs, span, query, settings, out);
      return;
    case 'call':
      for (const arg of expr.args) collectSelectors(arg, span, query, settings, out);
      return;
    default:
      return;
  }
}

async function fetchSeries(
  store: MetricStore,
  expr: ExprNode,
  startMs: number,
  endMs: number,
  settings: EvalSettings,
): Promise<Map<VectorSelectorNode, SeriesData[]>> {
  const query = { fromMs: startMs, toMs: endMs };
  const selectors = new Map<VectorSelectorNode, TimeSpan>();
  collectSelectors(expr, query, query, settings, selectors);
  const entries = await Promise.all(
    [...selectors].map(async ([node, span]) => {
      const series = await store.select(node.matchers, span.fromMs, span.toMs);
      return [node, series] as const;
    }),
  );
  return new Map(entries);
}

/** Evaluates at one step and applies Prometheus 3's delayed metric-name removal. */
function evaluateStep(expr: ExprNode, timeMs: number, ctx: EvalContext): EvalValue {
  const value = evaluateAt(expr, timeMs, ctx);
  if (value.type !== 'vector') return value;
  return { type: 'vector', samples: finishNameDrop(value.samples) };
}

/** True when the result order of an instant query is meaningful (sort(), topk, ...). */
function keepsOrder(expr: ExprNode): boolean {
  if (expr.kind === 'call') return expr.func.startsWith('sort');
  return expr.kind === 'aggregate' && (expr.op === 'topk' || expr.op === 'bottomk');
}

function checkTime(name: string, ms: number): void {
  if (!Number.isFinite(ms)) throw badData(`${name} must be a finite Unix time in ms, got ${ms}`);
}

/** Creates an engine over `store`. Throws LlmwatchError "config_invalid" for a bad lookback. */
export function createPromqlEngine(
  store: MetricStore,
  opts: PromqlEngineOptions = {},
): PromqlEngine {
  const lookbackDeltaMs = opts.lookbackDeltaMs ?? DEFAULT_LOOKBACK_DELTA_MS;
  if (!Number.isFinite(lookbackDeltaMs) || lookbackDeltaMs <= 0) {
    throw new LlmwatchError(
      'config_invalid',
      `promql lookbackDeltaMs must be a positive number of ms like 300000, got ${lookbackDeltaMs}`,
    );
  }
  const defaultSubqueryStepMs = opts.defaultSubqueryStepMs ?? DEFAULT_SUBQUERY_STEP_MS;
  if (!Number.isFinite(defaultSubqueryStepMs) || defaultSubqueryStepMs <= 0) {
    throw new LlmwatchError(
      'config_invalid',
      `promql defaultSubqueryStepMs must be a positive number of ms like 60000, got ${defaultSubqueryStepMs}`,
    );
  }
  const settings: EvalSettings = { lookbackDeltaMs, defaultSubqueryStepMs };

  return {
    async instantQuery(query, timeMs) {
      checkTime('time', timeMs);
      const { expr } = parsePromql(query);
      const fetched = await fetchSeries(store, expr, timeMs, timeMs, settings);
      const ctx: EvalContext = { fetched, settings, queryStartMs: timeMs, queryEndMs: timeMs };
      return shapeInstant(evaluateStep(expr, timeMs, ctx), timeMs, keepsOrder(expr));
    },

    async rangeQuery(query, startMs, endMs, stepMs) {
      checkTime('start', startMs);
      checkTime('end', endMs);
      if (endMs < startMs) throw badData('end timestamp must not be before start time');
      if (!Number.isFinite(stepMs) || stepMs <= 0) {
        throw badData(
          'zero or negative query resolution step widths are not accepted; use a positive step like 15s',
        );
      }
      if (Math.floor((endMs - startMs) / stepMs) > MAX_RANGE_QUERY_STEPS) {
        throw badData(
          'exceeded maximum resolution of 11,000 points per timeseries; try decreasing the query resolution (?step=XX)',
        );
      }
      const { expr, type } = parsePromql(query);
      if (type !== 'scalar' && type !== 'vector') {
        const described = type === 'matrix' ? 'range vector' : type;
        throw badData(
          `invalid expression type "${described}" for range query, must be Scalar or instant Vector`,
        );
      }
      const fetched = await fetchSeries(store, expr, startMs, endMs, settings);
      const ctx: EvalContext = { fetched, settings, queryStartMs: startMs, queryEndMs: endMs };

      const series = new Map<string, { metric: Labels; values: PromPoint[] }>();
      for (let t = startMs; t <= endMs; t += stepMs) {
        const value = evaluateStep(expr, t, ctx);
        const samples =
          value.type === 'scalar'
            ? [{ labels: {}, value: value.value }]
            : value.type === 'vector'
              ? value.samples
              : [];
        for (const sample of samples) {
          const key = labelsKey(sample.labels);
          let entry = series.get(key);
          if (!entry) {
            entry = { metric: sortLabels(sample.labels), values: [] };
            series.set(key, entry);
          }
          entry.values.push([toUnixSeconds(t), formatSampleValue(sample.value)]);
        }
      }
      const result = [...series.values()].sort((a, b) => compareLabels(a.metric, b.metric));
      return { resultType: 'matrix', result };
    },
  };
}

function shapeInstant(value: EvalValue, timeMs: number, ordered: boolean): QueryResult {
  const t = toUnixSeconds(timeMs);
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [t, formatSampleValue(value.value)] };
    case 'string':
      return { resultType: 'string', result: [t, value.value] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.samples
          .map((s) => ({
            metric: sortLabels(s.labels),
            value: [t, formatSampleValue(s.value)] as PromPoint,
          }))
          .sort((a, b) => (ordered ? 0 : compareLabels(a.metric, b.metric))),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: value.series
          .map((s) => ({
            metric: sortLabels(s.dropName ? withoutName(s.labels) : s.labels),
            values: s.timestampsMs.map(
              (ms, i) => [toUnixSeconds(ms), formatSampleValue(s.values[i] as number)] as PromPoint,
            ),
          }))
          .sort((a, b) => compareLabels(a.metric, b.metric)),
      };
  }
}

function withoutName(labels: Labels): Labels {
  const rest = { ...labels };
  delete rest.__name__;
  return rest;
}
