/**
 * The PromQL engine: parses a query, fetches every selector's series from the MetricStore in
 * one batch, then evaluates synchronously at each step and shapes the result exactly like the
 * `data` object of Prometheus's HTTP API.
 */
import { LlmwatchError } from '../core/errors.js';
import type { Labels, MetricStore } from '../store/types.js';
import type { ExprNode } from './ast.js';
import { evaluateAt, type EvalContext, type EvalSettings } from './eval.js';
import { fetchForQuery, type FetchedData } from './fetch.js';
import {
  DEFAULT_MAX_SAMPLES,
  DEFAULT_QUERY_TIMEOUT_MS,
  DEFAULT_YIELD_INTERVAL_MS,
  effectiveTimeoutMs,
  QueryBudget,
  type QueryOptions,
} from './limits.js';
import { DEFAULT_ROLLUP_MIN_SPAN_MS, type RollupSettings } from './rollup-plan.js';
import { formatSampleValue, toUnixSeconds } from './format.js';
import { compareLabels, labelsKey, sortLabels, withoutName } from './labels.js';
import { parsePromql } from './parse.js';
import { rangeSteps, type RangeSteps } from './range-steps.js';
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
  /**
   * Timeout of every query, ms; default 120000 (Prometheus's 2m). A request's own `timeoutMs`
   * can only shorten it. Must be positive.
   */
  timeoutMs?: number;
  /**
   * Most samples one query may load (raw samples and rollup buckets of all selectors, plus the
   * points of a range query's result); default 50,000,000 (Prometheus's query.max-samples).
   */
  maxSamples?: number;
  /** Longest run of evaluation between yields to the event loop, ms; default 10. */
  yieldIntervalMs?: number;
  /** False reads every selector raw; default true (see rollup-plan.ts for the rule). */
  useRollups?: boolean;
  /** Shortest span a selector must cover to be read from rollups, ms; default 7200000 (2 h). */
  rollupMinSpanMs?: number;
}

/** Default step of subqueries without an explicit step, ms. */
export const DEFAULT_SUBQUERY_STEP_MS = 60_000;

/** Evaluates PromQL over a MetricStore. */
export interface PromqlEngine {
  /**
   * Evaluates `expr` at `timeMs` (Unix ms). Rejects with LlmwatchError "promql_parse" for a bad
   * or unsupported query, "promql_bad_data" for a bad time, "promql_eval" for evaluation errors,
   * "promql_timeout" past the timeout, "promql_too_many_samples" past maxSamples; store errors
   * (e.g. "store_too_many_series") pass through.
   */
  instantQuery(expr: string, timeMs: number, opts?: QueryOptions): Promise<QueryResult>;
  /**
   * Evaluates `expr` at startMs, startMs + stepMs, ... ≤ endMs and returns a matrix. Rejects with
   * "promql_bad_data" when end < start, step ≤ 0, more than 11,000 steps, or the expression is
   * not a scalar or instant vector; otherwise as `instantQuery`.
   */
  rangeQuery(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts?: QueryOptions,
  ): Promise<QueryResult>;
}

function badData(message: string): LlmwatchError {
  return new LlmwatchError('promql_bad_data', message);
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

/** Returns `value` when it is a positive finite number, else throws "config_invalid". */
function positiveOption(name: string, value: number, example: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new LlmwatchError(
      'config_invalid',
      `promql ${name} must be a positive number like ${example}, got ${value}`,
    );
  }
  return value;
}

/** Makes the evaluation context of one query. */
function contextFor(
  data: FetchedData,
  settings: EvalSettings,
  budget: QueryBudget,
  startMs: number,
  endMs: number,
  steps?: RangeSteps,
): EvalContext {
  return {
    steps,
    fetched: data.raw,
    rollups: data.rollups,
    settings,
    queryStartMs: startMs,
    queryEndMs: endMs,
    checkDeadline: () => budget.checkDeadline(),
  };
}

/** Creates an engine over `store`. Throws LlmwatchError "config_invalid" for a bad option. */
export function createPromqlEngine(
  store: MetricStore,
  opts: PromqlEngineOptions = {},
): PromqlEngine {
  const settings: EvalSettings = {
    lookbackDeltaMs: positiveOption(
      'lookbackDeltaMs',
      opts.lookbackDeltaMs ?? DEFAULT_LOOKBACK_DELTA_MS,
      '300000 (ms)',
    ),
    defaultSubqueryStepMs: positiveOption(
      'defaultSubqueryStepMs',
      opts.defaultSubqueryStepMs ?? DEFAULT_SUBQUERY_STEP_MS,
      '60000 (ms)',
    ),
  };
  const timeoutMs = positiveOption(
    'timeoutMs',
    opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    '120000 (ms)',
  );
  const maxSamples = positiveOption(
    'maxSamples',
    opts.maxSamples ?? DEFAULT_MAX_SAMPLES,
    '50000000',
  );
  const yieldIntervalMs = positiveOption(
    'yieldIntervalMs',
    opts.yieldIntervalMs ?? DEFAULT_YIELD_INTERVAL_MS,
    '10 (ms)',
  );
  const rollupSettings: RollupSettings = {
    enabled: opts.useRollups ?? true,
    minSpanMs: positiveOption(
      'rollupMinSpanMs',
      opts.rollupMinSpanMs ?? DEFAULT_ROLLUP_MIN_SPAN_MS,
      '7200000 (ms)',
    ),
  };
  const newBudget = (queryOpts?: QueryOptions): QueryBudget =>
    new QueryBudget(effectiveTimeoutMs(timeoutMs, queryOpts), maxSamples, yieldIntervalMs);

  return {
    async instantQuery(query, timeMs, queryOpts) {
      checkTime('time', timeMs);
      const { expr } = parsePromql(query);
      const budget = newBudget(queryOpts);
      const times = { startMs: timeMs, endMs: timeMs, stepMs: 0 };
      const data = await fetchForQuery(store, expr, times, settings, rollupSettings, budget);
      const ctx = contextFor(data, settings, budget, timeMs, timeMs);
      return shapeInstant(evaluateStep(expr, timeMs, ctx), timeMs, keepsOrder(expr));
    },

    async rangeQuery(query, startMs, endMs, stepMs, queryOpts) {
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
      const budget = newBudget(queryOpts);
      const times = { startMs, endMs, stepMs };
      const data = await fetchForQuery(store, expr, times, settings, rollupSettings, budget);
      const steps = rangeSteps(startMs, endMs, stepMs);
      const ctx = contextFor(data, settings, budget, startMs, endMs, steps);

      const series = new Map<string, { metric: Labels; values: PromPoint[] }>();
      for (let t = startMs; t <= endMs; t += stepMs) {
        await budget.maybeYield();
        const value = evaluateStep(expr, t, ctx);
        const samples =
          value.type === 'scalar'
            ? [{ labels: {}, value: value.value }]
            : value.type === 'vector'
              ? value.samples
              : [];
        budget.addSamples(samples.length);
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
