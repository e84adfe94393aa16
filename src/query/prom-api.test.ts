import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmwatchError } from '../core/errors.js';
import { createPromqlEngine } from '../promql/engine.js';
import { createMemoryStore } from '../promql/memory-store.js';
import type { MetricStore } from '../store/types.js';
import { handlePromApi } from './prom-api.js';

async function setup() {
  const store = createMemoryStore();
  await store.append([
    { labels: { __name__: 'up', job: 'a' }, timestampMs: 10_000, value: 1 },
    { labels: { __name__: 'x', job: 'a' }, timestampMs: 10_000, value: 1 },
    { labels: { __name__: 'y', job: 'a' }, timestampMs: 10_000, value: 2 },
  ]);
  return { engine: createPromqlEngine(store), store };
}

const NOW_MS = 20_000;

test('instant query: success envelope, time as unix seconds, RFC3339 or default now', async () => {
  const deps = await setup();
  const expected = {
    status: 200,
    body: {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { __name__: 'up', job: 'a' }, value: [20, '1'] }],
      },
    },
  };
  assert.deepEqual(
    await handlePromApi(deps, '/api/v1/query', new URLSearchParams({ query: 'up' }), NOW_MS),
    expected,
  );
  const bySeconds = new URLSearchParams({ query: 'up', time: '20.000' });
  assert.deepEqual(await handlePromApi(deps, '/api/v1/query', bySeconds, 0), expected);
  const byRfc = new URLSearchParams({ query: 'up', time: '1970-01-01T00:00:20Z' });
  assert.deepEqual(await handlePromApi(deps, '/api/v1/query', byRfc, 0), expected);
});

test('range query: step as seconds or duration', async () => {
  const deps = await setup();
  for (const step of ['5', '5s']) {
    const params = new URLSearchParams({ query: 'up', start: '10', end: '20', step });
    const response = await handlePromApi(deps, '/api/v1/query_range', params, NOW_MS);
    assert.deepEqual(response, {
      status: 200,
      body: {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { __name__: 'up', job: 'a' },
              values: [
                [10, '1'],
                [15, '1'],
                [20, '1'],
              ],
            },
          ],
        },
      },
    });
  }
});

test('errors: status, errorType and a message naming the parameter', async () => {
  const deps = await setup();
  const cases: Array<[string, Record<string, string>, number, string, string]> = [
    [
      '/api/v1/query',
      {},
      400,
      'bad_data',
      'invalid parameter "query": missing; expected a PromQL expression like query=up',
    ],
    [
      '/api/v1/query',
      { query: 'sum(' },
      400,
      'bad_data',
      'invalid parameter "query": 1:5: parse error: unexpected end of input',
    ],
    [
      '/api/v1/query',
      { query: 'up', time: 'soon' },
      400,
      'bad_data',
      'invalid parameter "time": cannot parse "soon" to a valid timestamp; expected an RFC3339 time like "2024-05-01T12:00:00Z" or Unix seconds like "1714564800.5"',
    ],
    [
      '/api/v1/query_range',
      { query: 'up', end: '1', step: '1' },
      400,
      'bad_data',
      'invalid parameter "start": missing; expected an RFC3339 time like "2024-05-01T12:00:00Z" or Unix seconds like "1714564800.5"',
    ],
    [
      '/api/v1/query_range',
      { query: 'up', start: '0', end: '1', step: 'fast' },
      400,
      'bad_data',
      'invalid parameter "step": cannot parse "fast" to a valid duration; expected seconds like "15" or a duration like "15s" or "1m"',
    ],
    [
      '/api/v1/query_range',
      { query: 'up', start: '0', end: '11001', step: '1' },
      400,
      'bad_data',
      'exceeded maximum resolution of 11,000 points per timeseries; try decreasing the query resolution (?step=XX)',
    ],
    [
      '/api/v1/query',
      { query: 'x * on(job) {__name__=~"x|y"}' },
      422,
      'execution',
      'found duplicate series for the match group [["job","a"]] on the right hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side',
    ],
    [
      '/api/v1/query',
      { query: 'limit_ratio(0.5, up)' },
      400,
      'bad_data',
      'invalid parameter "query": 1:1: unsupported: aggregation limit_ratio is not implemented yet',
    ],
    [
      '/api/v1/nope',
      {},
      404,
      'not_found',
      'unknown API endpoint "/api/v1/nope"; llmwatch serves /api/v1/query, query_range, series, labels, label/<name>/values, metadata, query_exemplars, status/buildinfo and status/runtimeinfo',
    ],
  ];
  for (const [path, params, status, errorType, error] of cases) {
    const response = await handlePromApi(deps, path, new URLSearchParams(params), NOW_MS);
    assert.deepEqual(
      response,
      { status, body: { status: 'error', errorType, error } },
      `${path} ${JSON.stringify(params)}`,
    );
  }
});

test('a failing store gives 500 internal, not a throw', async () => {
  const deps = await setup();
  const broken: MetricStore = {
    append: async () => {},
    select: async () => {
      throw new Error('disk gone');
    },
    close: async () => {},
  };
  const response = await handlePromApi(
    { engine: createPromqlEngine(broken), store: deps.store },
    '/api/v1/query',
    new URLSearchParams({ query: 'up' }),
    NOW_MS,
  );
  assert.deepEqual(response, {
    status: 500,
    body: { status: 'error', errorType: 'internal', error: 'query failed: disk gone' },
  });
});

test('routes the metadata endpoints; timeout errors map to 503 timeout', async () => {
  const deps = await setup();
  const call = (path: string, params: Record<string, string> = {}) =>
    handlePromApi(deps, path, new URLSearchParams(params), NOW_MS);
  assert.deepEqual(await call('/api/v1/series', { 'match[]': 'up' }), {
    status: 200,
    body: { status: 'success', data: [{ __name__: 'up', job: 'a' }] },
  });
  assert.deepEqual(await call('/api/v1/labels/'), {
    status: 200,
    body: { status: 'success', data: ['__name__', 'job'] },
  });
  assert.deepEqual(await call('/api/v1/label/__name__/values'), {
    status: 200,
    body: { status: 'success', data: ['up', 'x', 'y'] },
  });
  assert.equal((await call('/api/v1/status/buildinfo')).status, 200);
  assert.deepEqual(await call('/api/v1/query', { query: 'up', timeout: 'soon' }), {
    status: 400,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error:
        'invalid parameter "timeout": cannot parse "soon" to a valid duration; expected seconds like "15" or a duration like "15s" or "1m"',
    },
  });
  const slow = {
    ...deps,
    engine: {
      instantQuery: async () => {
        throw new LlmwatchError('promql_timeout', 'query timed out in expression evaluation');
      },
      rangeQuery: async () => {
        throw new LlmwatchError('promql_canceled', 'query was canceled');
      },
    },
  };
  assert.deepEqual(
    await handlePromApi(slow, '/api/v1/query', new URLSearchParams({ query: 'up' }), NOW_MS),
    {
      status: 503,
      body: {
        status: 'error',
        errorType: 'timeout',
        error: 'query timed out in expression evaluation',
      },
    },
  );
  const range = new URLSearchParams({ query: 'up', start: '0', end: '1', step: '1' });
  assert.equal((await handlePromApi(slow, '/api/v1/query_range', range, NOW_MS)).status, 499);
});
