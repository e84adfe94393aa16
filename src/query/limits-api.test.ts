import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPromqlEngine } from '../promql/engine.js';
import { createSqliteStore, type SqliteStore } from '../store/sqlite-store.js';
import type { Sample } from '../store/types.js';
import { handlePromApi } from './prom-api.js';

let dir: string;
let store: SqliteStore;
const NOW_MS = 3_600_000;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llmwatch-limits-'));
  // Few series per select allowed, so a select of everything trips the store's limit.
  store = createSqliteStore({ path: join(dir, 'm.db'), retentionDays: 0, maxSeriesPerSelect: 20 });
  const samples: Sample[] = [];
  for (let s = 0; s < 30; s++) {
    const labels = { __name__: `m${s % 3}`, i: String(s) };
    for (let t = 0; t < NOW_MS; t += 15_000) samples.push({ labels, timestampMs: t, value: s });
  }
  await store.append(samples);
  await store.flushHeads();
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function params(values: Record<string, string>): URLSearchParams {
  return new URLSearchParams(values);
}

test('{__name__=~".+"} over everything answers Prometheus-style errors and leaves the store intact', async () => {
  const before = await store.stats();
  assert.deepEqual(before, { seriesCount: 30, sampleCount: 30 * 240 });

  // Too many series for one selector (the store's limit): 422 execution naming the limit.
  const engine = createPromqlEngine(store);
  const all = params({ query: '{__name__=~".+"}', time: '3600' });
  const series = await handlePromApi({ engine, store }, '/api/v1/query', all, NOW_MS);
  assert.equal(series.status, 422);
  assert.deepEqual(series.body, {
    status: 'error',
    errorType: 'execution',
    error:
      'store: the query selects more than maxSeriesPerSelect=20 series; narrow the label matchers or the time range, or raise the limit',
  });

  // Too many samples for the query (the engine's limit), on a selector the store allows.
  const low = createPromqlEngine(store, { maxSamples: 1000 });
  const range = params({ query: 'count_over_time({__name__=~"m0"}[1h])', time: '3600' });
  const samples = await handlePromApi({ engine: low, store }, '/api/v1/query', range, NOW_MS);
  assert.equal(samples.status, 422);
  assert.deepEqual(samples.body, {
    status: 'error',
    errorType: 'execution',
    error:
      'query processing would load too many samples into memory in query execution (limit maxSamples=1000); narrow the selectors or the time range, or use a larger step',
  });

  // The store still answers, with every sample intact.
  assert.deepEqual(await store.stats(), before);
  const ok = await handlePromApi(
    { engine, store },
    '/api/v1/query',
    params({ query: 'count(m1)', time: '3600' }),
    NOW_MS,
  );
  assert.deepEqual(ok.body, {
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [3600, '10'] }] },
  });
});

test('the timeout parameter is enforced: 503 timeout', async () => {
  const engine = createPromqlEngine(store);
  const heavy = params({
    query: 'sum(rate(m0[5m]))',
    start: '0',
    end: '3600',
    step: '0.5',
    timeout: '0.001',
  });
  const response = await handlePromApi({ engine, store }, '/api/v1/query_range', heavy, NOW_MS);
  assert.equal(response.status, 503);
  assert.deepEqual(response.body, {
    status: 'error',
    errorType: 'timeout',
    error:
      'query timed out in expression evaluation (timeout 1 ms); narrow the selectors or the time range, use a larger step, or raise the timeout',
  });
  const relaxed = params({
    query: 'count(m0)',
    start: '0',
    end: '3600',
    step: '600',
    timeout: '30s',
  });
  const done = await handlePromApi({ engine, store }, '/api/v1/query_range', relaxed, NOW_MS);
  assert.equal(done.status, 200);
});
