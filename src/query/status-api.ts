/**
 * The small Prometheus API endpoints Grafana and other clients call besides queries:
 * `/api/v1/status/buildinfo`, `/api/v1/status/runtimeinfo`, `/api/v1/metadata` and
 * `/api/v1/query_exemplars`.
 *
 * Limitation: exemplars are not stored, so `/api/v1/query_exemplars` always answers an empty list
 * (after checking the query parses).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePromql } from '../promql/parse.js';
import { successResponse, type PromApiResponse } from './envelope.js';
import type { MetadataRegistry, MetricMetadata } from './metadata.js';
import { invalidParam, parseTimeParam } from './params.js';

const processStartMs = Date.now();
let cachedVersion: string | undefined;

/**
 * llmwatch's version from the nearest package.json named "llmwatch" above this module (works from
 * src/ and from the built dist/); "unknown" when none is found.
 */
export function llmwatchVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = 'unknown';
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'llmwatch' && typeof pkg.version === 'string') {
        cachedVersion = pkg.version;
        break;
      }
    } catch {
      // No readable package.json here: look one level up.
    }
    dir = dirname(dir);
  }
  return cachedVersion;
}

/**
 * `/api/v1/status/buildinfo` with Prometheus's fields. `version` is llmwatch's version; the
 * Go-specific fields are empty strings since they do not apply.
 */
export function handleBuildInfo(): PromApiResponse {
  return successResponse({
    version: llmwatchVersion(),
    revision: '',
    branch: '',
    buildUser: '',
    buildDate: '',
    goVersion: '',
  });
}

/** `/api/v1/status/runtimeinfo` with Prometheus's fields, filled from the Node.js process. */
export function handleRuntimeInfo(): PromApiResponse {
  const start = new Date(processStartMs).toISOString();
  return successResponse({
    startTime: start,
    CWD: process.cwd(),
    reloadConfigSuccess: true,
    lastConfigTime: start,
    corruptionCount: 0,
    goroutineCount: 0,
    GOMAXPROCS: availableParallelism(),
    GOMEMLIMIT: 0,
    GOGC: '',
    GODEBUG: '',
    storageRetention: '',
  });
}

function parseLimit(params: URLSearchParams, name: string): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return -1;
  const limit = Number(raw);
  if (!Number.isSafeInteger(limit)) {
    throw invalidParam(name, `${JSON.stringify(raw)} is not a number`, 'an integer');
  }
  return limit;
}

/**
 * `/api/v1/metadata`: `{ "<metric>": [{ type, help, unit }] }`, metric names sorted. `metric`
 * selects one metric; `limit` caps the number of metrics (as in Prometheus, 0 gives `{}` and a
 * negative or absent limit means none); `limit_per_metric` is checked but moot, since one entry
 * is kept per metric. Without a registry the answer is `{}`.
 */
export function handleMetadata(
  registry: MetadataRegistry | undefined,
  params: URLSearchParams,
): PromApiResponse {
  const limit = parseLimit(params, 'limit');
  parseLimit(params, 'limit_per_metric');
  const metric = params.get('metric');
  const data: Record<string, MetricMetadata[]> = {};
  if (registry === undefined) return successResponse(data);
  const all = registry.list();
  const names = [...all.keys()].filter((n) => metric === null || metric === '' || n === metric);
  for (const name of names.sort()) {
    if (limit >= 0 && Object.keys(data).length >= limit) break;
    Object.defineProperty(data, name, {
      value: [all.get(name) as MetricMetadata],
      enumerable: true,
    });
  }
  return successResponse(data);
}

/** `/api/v1/query_exemplars`: checks `query`, `start`, `end`; always an empty list. */
export function handleQueryExemplars(params: URLSearchParams): PromApiResponse {
  const query = params.get('query');
  if (query === null || query.trim() === '') {
    throw invalidParam('query', 'missing', 'a PromQL expression like query=up');
  }
  parsePromql(query);
  parseTimeParam('start', params.get('start'), 0);
  parseTimeParam('end', params.get('end'), 0);
  return successResponse([]);
}
