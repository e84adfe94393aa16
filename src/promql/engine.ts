/**
 * The PromQL engine: parses a query, fetches every selector's series from the MetricStore in
 * one batch, then evaluates synchronously at each step and shapes the result exactly like the
 * `data` object of Prometheus's HTTP API.
 */
import { LlmwatchError } from '../core/errors.js';
import type { Labels, MetricStore, SeriesData } from '../store/types.js';
import type { ExprNode, VectorSelectorNode } from './ast.js';
import { evaluateAt, type EvalSettings } from './eval.js';
import { formatSampleValue, toUnixSeconds } from './format.js';
import { compareLabels, labelsKey, sortLabels } from './labels.js';
import { parsePromql } from './parse.js';
import type { EvalValue } from './values.js';

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
}

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

function collectSelectors(expr: ExprNode, out: Map<VectorSelectorNode, number>): void {
  switch (expr.kind) {
    case 'vectorSelector':
      out.set(expr, -1);
      return;
    case 'matrixSelector':
      out.set(expr.selector, expr.rangeMs);
      return;
    case 'negate':
    case 'aggregate':
      collectSelectors(expr.expr, out);
      return;
    case 'binary':
      collectSelectors(expr.lhs, out);
      collectSelectors(expr.rhs, out);
      return;
    case 'call':
      for (const arg of expr.args) collectSelectors(arg, out);
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
  const selectors = new Map<VectorSelectorNode, number>();
  collectSelectors(expr, selectors);
  const entries = await Promise.all(
    [...selectors].map(async ([node, rangeMs]) => {
      const lookbehindMs = rangeMs < 0 ? settings.lookbackDeltaMs : rangeMs;
      // Windows are left-open, so the sample exactly lookbehindMs before the start is not needed.
      const fromMs = startMs - node.offsetMs - lookbehindMs + 1;
      const series = await store.select(node.matchers, fromMs, endMs - node.offsetMs);
      return [node, series] as const;
    }),
  );
  return new Map(entries);
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
  const settings: EvalSettings = { lookbackDeltaMs };

  return {
    async instantQuery(query, timeMs) {
      checkTime('time', timeMs);
      const { expr } = parsePromql(query);
      const fetched = await fetchSeries(store, expr, timeMs, timeMs, settings);
      return shapeInstant(evaluateAt(expr, timeMs, fetched, settings), timeMs);
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

      const series = new Map<string, { metric: Labels; values: PromPoint[] }>();
      for (let t = startMs; t <= endMs; t += stepMs) {
        const value = evaluateAt(expr, t, fetched, settings);
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

function shapeInstant(value: EvalValue, timeMs: number): QueryResult {
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
          .sort((a, b) => compareLabels(a.metric, b.metric)),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: value.series
          .map((s) => ({
            metric: sortLabels(s.labels),
            values: s.timestampsMs.map(
              (ms, i) => [toUnixSeconds(ms), formatSampleValue(s.values[i] as number)] as PromPoint,
            ),
          }))
          .sort((a, b) => compareLabels(a.metric, b.metric)),
      };
  }
}
