/**
 * Prometheus-compatible query endpoints (`/api/v1/query`, `/api/v1/query_range`) as a plain
 * function: the HTTP server passes the path, the GET query string or POST form body as
 * URLSearchParams, and writes back `status` and the JSON `body`.
 */
import { isLlmwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { PromqlEngine } from '../promql/engine.js';
import type { MetricStore } from '../store/types.js';
import { invalidParam, parseDurationParam, parseTimeParam } from './params.js';

/** What the handlers need: the engine for queries and the store for metadata endpoints. */
export interface PromApiDeps {
  engine: PromqlEngine;
  store: MetricStore;
  /** Where unexpected (500) failures are logged; optional, nothing is logged without it. */
  logger?: Logger;
}

/** An HTTP response: status code and the JSON body to send. */
export interface PromApiResponse {
  status: number;
  body: unknown;
}

function errorResponse(status: number, errorType: string, error: string): PromApiResponse {
  return { status, body: { status: 'error', errorType, error } };
}

function queryParam(params: URLSearchParams): string {
  const query = params.get('query');
  if (query === null || query.trim() === '') {
    throw invalidParam('query', 'missing', 'a PromQL expression like query=up');
  }
  return query;
}

/**
 * Serves one Prometheus API request. `path` is the URL path (e.g. "/api/v1/query"), `nowMs` the
 * default evaluation time. Bad parameters and parse errors give 400 "bad_data" naming the
 * parameter; evaluation errors 422 "execution"; unknown paths 404 "not_found"; anything else 500
 * "internal" (logged). Never throws.
 */
export async function handlePromApi(
  deps: PromApiDeps,
  path: string,
  params: URLSearchParams,
  nowMs: number,
): Promise<PromApiResponse> {
  try {
    switch (path.replace(/\/+$/, '')) {
      case '/api/v1/query': {
        const query = queryParam(params);
        const timeMs = parseTimeParam('time', params.get('time'), nowMs);
        const data = await deps.engine.instantQuery(query, timeMs);
        return { status: 200, body: { status: 'success', data } };
      }
      case '/api/v1/query_range': {
        const query = queryParam(params);
        const startMs = parseTimeParam('start', params.get('start'));
        const endMs = parseTimeParam('end', params.get('end'));
        const stepMs = parseDurationParam('step', params.get('step'));
        const data = await deps.engine.rangeQuery(query, startMs, endMs, stepMs);
        return { status: 200, body: { status: 'success', data } };
      }
      default:
        return errorResponse(
          404,
          'not_found',
          `unknown API endpoint ${JSON.stringify(path)}; llmwatch serves /api/v1/query and /api/v1/query_range`,
        );
    }
  } catch (err) {
    return toErrorResponse(err, path, deps.logger);
  }
}

function toErrorResponse(err: unknown, path: string, logger?: Logger): PromApiResponse {
  if (isLlmwatchError(err)) {
    if (err.code === 'promql_parse') {
      return errorResponse(400, 'bad_data', `invalid parameter "query": ${err.message}`);
    }
    if (err.code === 'promql_bad_data') return errorResponse(400, 'bad_data', err.message);
    if (err.code === 'promql_eval') return errorResponse(422, 'execution', err.message);
  }
  const message = err instanceof Error ? err.message : String(err);
  logger?.error({ path, err: message }, 'prometheus api query failed');
  return errorResponse(500, 'internal', `query failed: ${message}`);
}
