/**
 * Fetch planning: finds every selector of a query and the time range it needs, reads the ones
 * rollup-plan.ts allows from rollups and the rest raw, one selector after the other, counting
 * samples against the query's budget as they arrive. Plain instant selectors read from rollups
 * are handed to the evaluator as raw columns (rollup-lookback.ts).
 */
import { isLlmwatchError, LlmwatchError } from '../core/errors.js';
import type {
  LabelMatcher,
  MetricStore,
  RollupSeriesData,
  SeriesColumns,
  SeriesData,
} from '../store/types.js';
import type { AtModifier, ExprNode, VectorSelectorNode } from './ast.js';
import type { EvalSettings } from './eval.js';
import { TOO_MANY_SAMPLES_MESSAGE, type QueryBudget } from './limits.js';
import { isStaleMarker } from './staleness.js';
import { lookbackColumns } from './rollup-lookback.js';
import {
  LOOKBACK_COLUMNS,
  LOOKBACK_READ,
  ROLLUP_COLUMNS,
  planRollups,
  rollupsExact,
  type QueryTimes,
  type RollupRead,
  type RollupSettings,
} from './rollup-plan.js';

/** Earliest and latest evaluation times (ms) at which a node is evaluated. */
interface TimeSpan {
  fromMs: number;
  toMs: number;
}

/** What a query's selectors were answered with. */
export interface FetchedData {
  /** Raw samples per selector, as typed columns. */
  raw: Map<VectorSelectorNode, SeriesColumns[]>;
  /** Rollup buckets per selector read from rollups (those have no raw entry). */
  rollups: Map<VectorSelectorNode, RollupSeriesData[]>;
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
  const walk = (node: ExprNode, inner: TimeSpan = span): void =>
    collectSelectors(node, inner, query, settings, out);
  switch (expr.kind) {
    case 'vectorSelector':
      add(expr, settings.lookbackDeltaMs);
      return;
    case 'matrixSelector':
      add(expr.selector, expr.rangeMs);
      return;
    case 'subquery': {
      const at = pinned(expr.at, span, query);
      walk(expr.expr, {
        fromMs: at.fromMs - expr.offsetMs - expr.rangeMs,
        toMs: at.toMs - expr.offsetMs,
      });
      return;
    }
    case 'negate':
      walk(expr.expr);
      return;
    case 'aggregate':
      if (expr.param) walk(expr.param);
      walk(expr.expr);
      return;
    case 'binary':
      walk(expr.lhs);
      walk(expr.rhs);
      return;
    case 'call':
      for (const arg of expr.args) walk(arg);
      return;
    default:
      return;
  }
}

/** Store errors about size become Prometheus's too-many-samples error; others pass through. */
function translateStoreError(err: unknown): unknown {
  if (isLlmwatchError(err) && err.code === 'store_too_many_samples') {
    return new LlmwatchError(
      'promql_too_many_samples',
      `${TOO_MANY_SAMPLES_MESSAGE} (${err.message})`,
      {
        cause: err,
      },
    );
  }
  return err;
}

function countRaw(series: readonly SeriesColumns[]): number {
  let n = 0;
  for (const s of series) n += s.timestampsMs.length;
  return n;
}

function countBuckets(series: readonly RollupSeriesData[]): number {
  let n = 0;
  for (const s of series) n += s.startsMs.length;
  return n;
}

/**
 * The rollups `read` plans for `node`, or undefined when they would not answer exactly (rule 4
 * of rollup-plan.ts).
 */
async function readExactRollups(
  store: MetricStore,
  node: VectorSelectorNode,
  read: RollupRead,
): Promise<RollupSeriesData[] | undefined> {
  if (store.selectRollups === undefined) return undefined;
  const buckets = await store.selectRollups(
    node.matchers,
    read.fromMs,
    read.toMs,
    read.resolutionMs,
    ROLLUP_COLUMNS[read.func],
  );
  return rollupsExact(read.func, buckets) ? buckets : undefined;
}

/**
 * The samples a lookback read gives (rollup-lookback.ts) and the number of buckets read, or
 * undefined when the rollups cannot answer (rule 5 of the instant selector rule) or a series
 * keeps no rollups at this resolution (the store would compute them from raw samples, which
 * costs more than evaluating the raw samples directly).
 */
async function readLookback(
  store: MetricStore,
  node: VectorSelectorNode,
  read: RollupRead,
  lookbackDeltaMs: number,
): Promise<{ series: SeriesColumns[]; buckets: number } | undefined> {
  if (store.selectRollups === undefined) return undefined;
  let buckets: RollupSeriesData[];
  try {
    buckets = await store.selectRollups(
      node.matchers,
      read.fromMs,
      read.toMs,
      read.resolutionMs,
      LOOKBACK_COLUMNS,
      { storedOnly: true },
    );
  } catch (err) {
    if (isLlmwatchError(err) && err.code === 'store_rollups_not_stored') return undefined;
    throw err;
  }
  const series = lookbackColumns(buckets, read, lookbackDeltaMs);
  return series === undefined ? undefined : { series, buckets: countBuckets(buckets) };
}

/**
 * The raw samples of a selector as typed columns: from the store's selectColumns when it has
 * one, else copied from select()'s arrays (the stale mask tells markers apart, as the copy
 * may not keep NaN payloads).
 */
async function selectColumns(
  store: MetricStore,
  matchers: readonly LabelMatcher[],
  startMs: number,
  endMs: number,
): Promise<SeriesColumns[]> {
  if (store.selectColumns !== undefined) return store.selectColumns(matchers, startMs, endMs);
  return (await store.select(matchers, startMs, endMs)).map(toColumns);
}

function toColumns(series: SeriesData): SeriesColumns {
  const columns: SeriesColumns = {
    labels: series.labels,
    timestampsMs: Float64Array.from(series.timestampsMs),
    values: Float64Array.from(series.values),
  };
  const mask = new Uint8Array(series.values.length);
  let stale = false;
  series.values.forEach((v, i) => {
    if (series.staleMask?.[i] === 1 || isStaleMarker(v)) {
      mask[i] = 1;
      stale = true;
    }
  });
  if (stale) columns.staleMask = mask;
  return columns;
}

/**
 * Reads every selector of `expr` for a query over `times`. Rejects with "promql_timeout" or
 * "promql_too_many_samples" (via `budget`) and passes other store errors through.
 */
export async function fetchForQuery(
  store: MetricStore,
  expr: ExprNode,
  times: QueryTimes,
  settings: EvalSettings,
  rollupSettings: RollupSettings,
  budget: QueryBudget,
): Promise<FetchedData> {
  const query = { fromMs: times.startMs, toMs: times.endMs };
  const spans = new Map<VectorSelectorNode, TimeSpan>();
  collectSelectors(expr, query, query, settings, spans);
  const planned =
    store.selectRollups === undefined
      ? new Map<VectorSelectorNode, RollupRead>()
      : planRollups(expr, times, rollupSettings, settings.lookbackDeltaMs);
  const data: FetchedData = { raw: new Map(), rollups: new Map() };
  try {
    for (const [node, span] of spans) {
      budget.checkDeadline();
      const read = planned.get(node);
      if (read?.func === LOOKBACK_READ) {
        const found = await readLookback(store, node, read, settings.lookbackDeltaMs);
        if (found !== undefined) {
          budget.addSamples(found.buckets);
          data.raw.set(node, found.series);
          continue;
        }
      } else if (read !== undefined && store.selectRollups !== undefined) {
        const buckets = await readExactRollups(store, node, read);
        if (buckets !== undefined) {
          budget.addSamples(countBuckets(buckets));
          data.rollups.set(node, buckets);
          continue;
        }
      }
      const series = await selectColumns(store, node.matchers, span.fromMs, span.toMs);
      budget.addSamples(countRaw(series));
      data.raw.set(node, series);
    }
  } catch (err) {
    throw translateStoreError(err);
  }
  budget.checkDeadline();
  return data;
}
