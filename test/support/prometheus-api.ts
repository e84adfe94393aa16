/**
 * Minimal clients for a Prometheus-compatible server in tests: push a remote-write body and run
 * PromQL over the HTTP API, returning the `data` object unchanged.
 */
import { LlmwatchError } from '../../src/core/errors.js';
import type { QueryResult } from '../../src/promql/index.js';

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * POSTs one remote-write body (snappy-compressed protobuf WriteRequest) to `${baseUrl}/api/v1/write`.
 * Throws LlmwatchError "remote_write_rejected" with the server's answer on any non-2xx status.
 */
export async function postRemoteWrite(baseUrl: string, body: Buffer): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/write`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'snappy',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    },
    body: Uint8Array.from(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) {
    throw new LlmwatchError(
      'remote_write_rejected',
      `test: ${baseUrl}/api/v1/write answered ${res.status}: ${text.slice(0, 500)}`,
    );
  }
}

async function callQueryApi(
  baseUrl: string,
  path: string,
  params: Record<string, string>,
): Promise<QueryResult> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let parsed: { status?: string; data?: QueryResult; error?: string } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Reported below with the raw text.
  }
  if (res.status !== 200 || parsed.status !== 'success' || !parsed.data) {
    throw new LlmwatchError(
      'prometheus_query_failed',
      `test: ${path} for ${params.query} answered ${res.status}: ${parsed.error ?? text.slice(0, 500)}`,
    );
  }
  return parsed.data;
}

/** Formats Unix ms as the seconds string Prometheus's API takes ("1705312800.5"). */
function toApiSeconds(ms: number): string {
  return String(ms / 1000);
}

/**
 * Runs /api/v1/query_range and returns its `data`. Throws LlmwatchError "prometheus_query_failed"
 * (with Prometheus's error text) on a bad query or a non-success answer.
 */
export function queryRange(
  baseUrl: string,
  query: string,
  startMs: number,
  endMs: number,
  stepMs: number,
): Promise<QueryResult> {
  return callQueryApi(baseUrl, '/api/v1/query_range', {
    query,
    start: toApiSeconds(startMs),
    end: toApiSeconds(endMs),
    step: toApiSeconds(stepMs),
  });
}

/** Runs /api/v1/query at `timeMs`; errors as `queryRange`. */
export function queryInstant(baseUrl: string, query: string, timeMs: number): Promise<QueryResult> {
  return callQueryApi(baseUrl, '/api/v1/query', { query, time: toApiSeconds(timeMs) });
}
