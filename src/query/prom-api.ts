/**
 * Prometheus-compatible HTTP API as a plain function: the HTTP server passes the path and the GET
 * query string or POST form body as URLSearchParams, and writes back `status` and the JSON `body`.
 * Served: query, query_range, series, labels, label values, metadata, query_exemplars,
 * status/buildinfo and status/runtimeinfo.
 *
 * The `timeout` parameter (seconds or a duration like "30s") bounds the query; the engine's own
 * timeout still applies when shorter. Limits answer like Prometheus: timeout 503 "timeout",
 * too many samples or series 422 "execution".
 */
import { isLlmwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { PromqlEngine } from '../promql/engine.js';
import type { QueryOptions } from '../promql/limits.js';
import { errorResponse, successResponse, type PromApiResponse } from './envelope.js';
import type { MetadataRegistry } from './metadata.js';
import { invalidParam, parseDurationParam, parseTimeParam } from './params.js';
import {
  handleLabelNames,
  handleLabelValues,
  handleSeries,
  type QueryableStore,
} from './series-api.js';
import {
  handleBuildInfo,
  handleMetadata,
  handleQueryExemplars,
  handleRuntimeInfo,
} from './status-api.js';

export type { PromApiResponse } from './envelope.js';

/** What the handlers need: the engine for queries and the store for metadata endpoints. */
export interface PromApiDeps {
  engine: PromqlEngine;
  /** The store; its label index (labelNames/labelValues) is used when present. */
  store: QueryableStore;
  /** Metric metadata for /api/v1/metadata; without it the endpoint answers `{}`. */
  metadata?: MetadataRegistry;
  /** Where unexpected (500) failures are logged; optional, nothing is logged without it. */
  logger?: Logger;
}

const LABEL_VALUES_RE = /^\/api\/v1\/label\/([^/]+)\/values$/;

const SERVED =
  'llmwatch serves /api/v1/query, query_range, series, labels, label/<name>/values, metadata, ' +
  'query_exemplars, status/buildinfo and status/runtimeinfo';

function queryParam(params: URLSearchParams): string {
  const query = params.get('query');
  if (query === null || query.trim() === '') {
    throw invalidParam('query', 'missing', 'a PromQL expression like query=up');
  }
  return query;
}

/** The query options from the request: `timeout` in ms when given. */
function queryOptions(params: URLSearchParams): QueryOptions {
  const raw = params.get('timeout');
  if (raw === null || raw === '') return {};
  return { timeoutMs: parseDurationParam('timeout', raw) };
}

/**
 * Serves one Prometheus API request. `path` is the URL path (e.g. "/api/v1/query"), `nowMs` the
 * default evaluation time. Errors use Prometheus's envelope and statuses: bad parameters and
 * parse errors 400 "bad_data" naming the parameter; evaluation errors 422 "execution"; unknown
 * paths 404 "not_found"; anything else 500 "internal" (logged). Never throws.
 */
export async function handlePromApi(
  deps: PromApiDeps,
  path: string,
  params: URLSearchParams,
  nowMs: number,
): Promise<PromApiResponse> {
  try {
    return await route(deps, path.replace(/\/+$/, ''), params, nowMs);
  } catch (err) {
    return toErrorResponse(err, path, deps.logger);
  }
}

async function route(
  deps: PromApiDeps,
  path: string,
  params: URLSearchParams,
  nowMs: number,
): Promise<PromApiResponse> {
  switch (path) {
    case '/api/v1/query': {
      const query = queryParam(params);
      const timeMs = parseTimeParam('time', params.get('time'), nowMs);
      const opts = queryOptions(params);
      return successResponse(await deps.engine.instantQuery(query, timeMs, opts));
    }
    case '/api/v1/query_range': {
      const query = queryParam(params);
      const startMs = parseTimeParam('start', params.get('start'));
      const endMs = parseTimeParam('end', params.get('end'));
      const stepMs = parseDurationParam('step', params.get('step'));
      const opts = queryOptions(params);
      return successResponse(await deps.engine.rangeQuery(query, startMs, endMs, stepMs, opts));
    }
    case '/api/v1/series':
      return handleSeries(deps.store, params);
    case '/api/v1/labels':
      return handleLabelNames(deps.store, params);
    case '/api/v1/metadata':
      return handleMetadata(deps.metadata, params);
    case '/api/v1/query_exemplars':
      return handleQueryExemplars(params);
    case '/api/v1/status/buildinfo':
      return handleBuildInfo();
    case '/api/v1/status/runtimeinfo':
      return handleRuntimeInfo();
  }
  const labelValues = LABEL_VALUES_RE.exec(path);
  if (labelValues !== null) return handleLabelValues(deps.store, labelValues[1] as string, params);
  return errorResponse('not_found', `unknown API endpoint ${JSON.stringify(path)}; ${SERVED}`);
}

function toErrorResponse(err: unknown, path: string, logger?: Logger): PromApiResponse {
  if (isLlmwatchError(err)) {
    switch (err.code) {
      case 'promql_parse':
        return errorResponse('bad_data', `invalid parameter "query": ${err.message}`);
      case 'promql_bad_data':
        return errorResponse('bad_data', err.message);
      case 'promql_eval':
      case 'promql_too_many_samples':
      case 'store_too_many_samples':
      case 'store_too_many_series':
        return errorResponse('execution', err.message);
      case 'promql_timeout':
        return errorResponse('timeout', err.message);
      case 'promql_canceled':
        return errorResponse('canceled', err.message);
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  logger?.error({ path, err: message }, 'prometheus api query failed');
  return errorResponse('internal', `query failed: ${message}`);
}
