import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse, successResponse } from './envelope.js';
import { createMetadataRegistry, metadataFromExposition } from './metadata.js';
import { handleMetadata, handleQueryExemplars, handleRuntimeInfo } from './status-api.js';

test('envelope: statuses per error type as in Prometheus; notes only when present', () => {
  const statuses = ['bad_data', 'execution', 'timeout', 'canceled', 'internal', 'not_found'].map(
    (t) => errorResponse(t as Parameters<typeof errorResponse>[0], 'x').status,
  );
  assert.deepEqual(statuses, [400, 422, 503, 499, 500, 404]);
  assert.deepEqual(errorResponse('timeout', 'query timed out'), {
    status: 503,
    body: { status: 'error', errorType: 'timeout', error: 'query timed out' },
  });
  assert.deepEqual(successResponse([], { warnings: [], infos: ['i'] }), {
    status: 200,
    body: { status: 'success', data: [], infos: ['i'] },
  });
});

test('exposition metadata: HELP unescaped, TYPE and UNIT read, other lines ignored', () => {
  const text = [
    '# HELP a_total Line one\\nline two \\\\ done',
    '# TYPE a_total counter',
    'a_total 1',
    '# TYPE b gauge',
    '# UNIT b seconds',
    '# TYPE c weird',
    '# just a comment',
  ].join('\n');
  assert.deepEqual(
    metadataFromExposition(text),
    new Map([
      ['a_total', { type: 'counter', help: 'Line one\nline two \\ done', unit: '' }],
      ['b', { type: 'gauge', help: '', unit: 'seconds' }],
      ['c', { type: 'unknown', help: '', unit: '' }],
    ]),
  );
});

test('metadata endpoint: sorted, metric filter, limit, bounded registry, bad limit', () => {
  const registry = createMetadataRegistry({
    maxMetrics: 2,
    expositionSources: [
      () => '# TYPE own gauge\n',
      () => {
        throw new Error('broken source');
      },
    ],
  });
  registry.record([
    { metricFamilyName: 'z_total', type: 'counter', help: 'Z.', unit: '' },
    { metricFamilyName: 'a', type: 'gauge', help: 'A.', unit: 'bytes' },
    { metricFamilyName: 'dropped', type: 'gauge', help: 'over the bound', unit: '' },
    { metricFamilyName: 'z_total', type: 'counter', help: 'Z again.', unit: '' },
    { metricFamilyName: '', type: 'gauge', help: 'nameless', unit: '' },
  ]);
  const all = handleMetadata(registry, new URLSearchParams());
  assert.deepEqual(
    JSON.stringify(all.body),
    JSON.stringify({
      status: 'success',
      data: {
        a: [{ type: 'gauge', help: 'A.', unit: 'bytes' }],
        own: [{ type: 'gauge', help: '', unit: '' }],
        z_total: [{ type: 'counter', help: 'Z again.', unit: '' }],
      },
    }),
  );
  assert.deepEqual(handleMetadata(registry, new URLSearchParams({ limit: '1' })).body, {
    status: 'success',
    data: { a: [{ type: 'gauge', help: 'A.', unit: 'bytes' }] },
  });
  assert.deepEqual(handleMetadata(registry, new URLSearchParams({ limit: '0' })).body, {
    status: 'success',
    data: {},
  });
  assert.deepEqual(handleMetadata(registry, new URLSearchParams({ metric: 'nope' })).body, {
    status: 'success',
    data: {},
  });
  assert.deepEqual(handleMetadata(undefined, new URLSearchParams()).body, {
    status: 'success',
    data: {},
  });
  assert.throws(() => handleMetadata(registry, new URLSearchParams({ limit: 'ten' })), {
    code: 'promql_bad_data',
    message: 'invalid parameter "limit": "ten" is not a number; expected an integer',
  });
});

test('query_exemplars and runtimeinfo', () => {
  assert.deepEqual(handleQueryExemplars(new URLSearchParams({ query: 'up' })).body, {
    status: 'success',
    data: [],
  });
  assert.throws(() => handleQueryExemplars(new URLSearchParams({ query: 'up{' })), {
    code: 'promql_parse',
  });
  const info = handleRuntimeInfo().body as { data: Record<string, unknown> };
  assert.deepEqual(Object.keys(info.data), [
    'startTime',
    'CWD',
    'reloadConfigSuccess',
    'lastConfigTime',
    'corruptionCount',
    'goroutineCount',
    'GOMAXPROCS',
    'GOMEMLIMIT',
    'GOGC',
    'GODEBUG',
    'storageRetention',
  ]);
  assert.equal(info.data.CWD, process.cwd());
});
