/**
 * The Prometheus metadata endpoints over the store: `/api/v1/series`, `/api/v1/labels` and
 * `/api/v1/label/<name>/values`.
 *
 * Limitation: `/api/v1/labels` and label values ignore `start`/`end` when the store has a label
 * index (the SQLite store): they list names and values of every stored series, also ones without
 * samples in the range. `/api/v1/series` honours the range but reads the samples in it, so its
 * cost grows with the range.
 */
import { isLlmwatchError } from '../core/errors.js';
import { parsePromql } from '../promql/parse.js';
import { canonicalLabelsKey, compareLabels } from '../store/labels.js';
import type { LabelMatcher, Labels, MetricStore } from '../store/types.js';
import { successResponse, type PromApiResponse } from './envelope.js';
import { invalidParam, parseTimeParam } from './params.js';

/** Optional label index reads a store may offer (the SQLite store does); ranges not honoured. */
export interface LabelIndex {
  labelNames(matchers?: readonly LabelMatcher[]): Promise<string[]>;
  labelValues(name: string, matchers?: readonly LabelMatcher[]): Promise<string[]>;
}

/** A store, with the label index when it has one. */
export type QueryableStore = MetricStore & Partial<LabelIndex>;

/** Earliest and latest time used when `start`/`end` are absent (Unix ms, ±2^53 - 1). */
const MIN_TIME_MS = -Number.MAX_SAFE_INTEGER;
const MAX_TIME_MS = Number.MAX_SAFE_INTEGER;

/** Matches every series: used when no `match[]` is given and the store has no label index. */
const ALL_SERIES: LabelMatcher[] = [{ name: '__name__', type: '=~', value: '.+' }];

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SELECTOR_FORM = 'a series selector like up{job="a"} or {__name__=~"llm_.*"}';

/**
 * Parses every `match[]` parameter as a series selector (an instant vector selector without
 * offset). Throws LlmwatchError "promql_bad_data" naming the parameter and the bad selector.
 */
export function parseMatchParams(params: URLSearchParams): LabelMatcher[][] {
  return params.getAll('match[]').map((selector) => {
    let parsed;
    try {
      parsed = parsePromql(selector);
    } catch (err) {
      if (isLlmwatchError(err)) throw invalidParam('match[]', err.message, SELECTOR_FORM);
      throw err;
    }
    if (parsed.expr.kind !== 'vectorSelector' || parsed.expr.offsetMs !== 0) {
      throw invalidParam(
        'match[]',
        `${JSON.stringify(selector)} is not a series selector`,
        SELECTOR_FORM,
      );
    }
    return parsed.expr.matchers;
  });
}

interface RangeAndLimit {
  startMs: number;
  endMs: number;
  /** 0 = no limit. */
  limit: number;
}

function parseRangeAndLimit(params: URLSearchParams): RangeAndLimit {
  const startMs = parseTimeParam('start', params.get('start'), MIN_TIME_MS);
  const endMs = parseTimeParam('end', params.get('end'), MAX_TIME_MS);
  const rawLimit = params.get('limit');
  let limit = 0;
  if (rawLimit !== null && rawLimit !== '') {
    limit = Number(rawLimit);
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw invalidParam(
        'limit',
        `cannot parse ${JSON.stringify(rawLimit)}`,
        'a non-negative integer',
      );
    }
  }
  return { startMs, endMs, limit };
}

/** Applies `limit`, adding Prometheus's warning when results were cut. */
function limited<T>(items: T[], limit: number): PromApiResponse {
  if (limit > 0 && items.length > limit) {
    return successResponse(items.slice(0, limit), { warnings: ['results truncated due to limit'] });
  }
  return successResponse(items);
}

/** `/api/v1/series`: label sets of series matching any `match[]` with samples in the range. */
export async function handleSeries(
  store: QueryableStore,
  params: URLSearchParams,
): Promise<PromApiResponse> {
  const matchSets = parseMatchParams(params);
  if (matchSets.length === 0) {
    throw invalidParam('match[]', 'no match[] parameter provided', SELECTOR_FORM);
  }
  const { startMs, endMs, limit } = parseRangeAndLimit(params);
  const byKey = new Map<string, Labels>();
  for (const matchers of matchSets) {
    for (const series of await store.select(matchers, startMs, endMs)) {
      byKey.set(canonicalLabelsKey(series.labels), sortedLabels(series.labels));
    }
  }
  return limited([...byKey.values()].sort(compareLabels), limit);
}

/** `/api/v1/labels`: sorted label names, `__name__` included. */
export async function handleLabelNames(
  store: QueryableStore,
  params: URLSearchParams,
): Promise<PromApiResponse> {
  const matchSets = parseMatchParams(params);
  const { startMs, endMs, limit } = parseRangeAndLimit(params);
  const names = new Set<string>();
  if (store.labelNames !== undefined) {
    const sets = matchSets.length === 0 ? [undefined] : matchSets;
    for (const matchers of sets)
      for (const name of await store.labelNames(matchers)) names.add(name);
  } else {
    for (const matchers of matchSets.length === 0 ? [ALL_SERIES] : matchSets) {
      for (const series of await store.select(matchers, startMs, endMs)) {
        for (const name of Object.keys(series.labels)) names.add(name);
      }
    }
  }
  return limited([...names].sort(), limit);
}

/**
 * `/api/v1/label/<name>/values`: sorted values of one label (`__name__` gives metric names).
 * `rawName` is the path segment, percent-decoded here; an invalid name is bad_data.
 */
export async function handleLabelValues(
  store: QueryableStore,
  rawName: string,
  params: URLSearchParams,
): Promise<PromApiResponse> {
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    name = rawName;
  }
  if (!LABEL_NAME_RE.test(name)) {
    throw invalidParam(
      'label name',
      `invalid label name: ${JSON.stringify(name)}`,
      'letters, digits and _',
    );
  }
  const matchSets = parseMatchParams(params);
  const { startMs, endMs, limit } = parseRangeAndLimit(params);
  const values = new Set<string>();
  if (store.labelValues !== undefined) {
    const sets = matchSets.length === 0 ? [undefined] : matchSets;
    for (const matchers of sets) {
      for (const value of await store.labelValues(name, matchers)) values.add(value);
    }
  } else {
    const hasName: LabelMatcher = { name, type: '=~', value: '.+' };
    for (const matchers of matchSets.length === 0 ? [[]] : matchSets) {
      for (const series of await store.select([...matchers, hasName], startMs, endMs)) {
        const value = series.labels[name];
        if (value !== undefined) values.add(value);
      }
    }
  }
  return limited([...values].sort(), limit);
}

/** Labels with names in sorted order, as Prometheus prints them ("__proto__" stays a key). */
function sortedLabels(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}
