import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { validateConfig } from '../config/load.js';
import { createSilentLogger } from '../core/log.js';
import { startLlmwatch, type LlmwatchServer } from './app.js';

let server: LlmwatchServer;

before(async () => {
  const config = validateConfig({
    server: { port: 0 },
    store: { path: ':memory:' },
    components: [
      { name: 'chat', models: ['m1'], copies: [{ name: 'c0', url: 'http://127.0.0.1:9' }] },
    ],
    scrape: {
      targets: [{ url: 'http://127.0.0.1:9/metrics', labels: { component: 'batch', copy: 'b0' } }],
    },
  });
  server = await startLlmwatch(config, createSilentLogger());
});

after(() => server.close());

test('an invalid PromQL query gets a 400 with the parser position, GET and POST', async () => {
  const get = await fetch(
    `${server.url}/api/v1/query?query=${encodeURIComponent('sum(rate(x[5m])')}`,
  );
  assert.equal(get.status, 400);
  const body = (await get.json()) as { status: string; errorType: string; error: string };
  assert.equal(body.status, 'error');
  assert.equal(body.errorType, 'bad_data');
  assert.match(body.error, /^invalid parameter "query": 1:\d+: parse error/);

  const post = await fetch(`${server.url}/api/v1/query_range`, {
    method: 'POST',
    body: new URLSearchParams({ query: 'up{', start: '1', end: '2', step: '1' }),
  });
  assert.equal(post.status, 400);
  assert.match(((await post.json()) as { error: string }).error, /1:\d+: parse error/);
});

test('a query form body over 1 MiB is refused with 400, not buffered', async () => {
  const res = await fetch(`${server.url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: 'x'.repeat(1024 * 1024 + 10) }),
  });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /larger than 1048576 bytes/);
});

test('components list merges gateway components and scrape-target labels', async () => {
  const res = await fetch(`${server.url}/api/llmwatch/components`);
  assert.deepEqual(await res.json(), {
    components: [
      { name: 'batch', endpoint: 'default', models: [], copies: ['b0'] },
      { name: 'chat', endpoint: 'default', models: ['m1'], copies: ['c0'] },
    ],
  });
});

test('unknown paths get a JSON 404 naming the known prefixes; health answers', async () => {
  const res = await fetch(`${server.url}/nope`);
  assert.equal(res.status, 404);
  assert.match(((await res.json()) as { error: string }).error, /no route for GET \/nope/);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

test('gateway samples flushed to the store are queryable, and llmwatch exposes its own metrics', async () => {
  const reply = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm1', messages: [] }),
  });
  assert.equal(reply.status, 502); // nothing listens on port 9: counted as an upstream error
  const t = await server.flush();
  const res = await fetch(
    `${server.url}/api/v1/query?time=${t / 1000}&query=${encodeURIComponent(
      'llm_requests_total{source="gateway"}',
    )}`,
  );
  const body = (await res.json()) as { data: { result: { metric: Record<string, string> }[] } };
  assert.equal(body.data.result.length, 1);
  assert.equal(body.data.result[0]!.metric.status_class, 'error');
  const own = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(own, /llm_upstream_errors_total\{[^}]*kind="connect"[^}]*\} 1/);
  const cacheBound = /^llmwatch_store_block_cache_max_bytes (\S+)$/m.exec(own)?.[1];
  assert.equal(Number(cacheBound), 128 * 2 ** 20); // the default store.blockCacheBytes
  assert.match(own, /^llmwatch_store_block_cache_misses_total \d+$/m);
});

test('query API: other methods get 405, a JSON body gets a 400 that says to use a form', async () => {
  const put = await fetch(`${server.url}/api/v1/query?query=up`, { method: 'PUT' });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, POST');
  const json = await fetch(`${server.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'up' }),
  });
  assert.equal(json.status, 400);
  assert.match(
    ((await json.json()) as { error: string }).error,
    /content-type "application\/json" is not supported; .*application\/x-www-form-urlencoded/,
  );
});

test('a port already in use is reported with what to do, and the store is released', async () => {
  const port = Number(new URL(server.url).port);
  const config = validateConfig({ server: { port }, store: { path: ':memory:' } });
  await assert.rejects(startLlmwatch(config, createSilentLogger()), {
    code: 'server_port_in_use',
    message: new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use .*server\\.port`),
  });
});

test('POST /v1/metrics reaches the OTLP receiver, not the gateway, and the data is queryable', async () => {
  const nowNs = `${Date.now()}000000`;
  const body = {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'chat' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'queue.depth',
                gauge: { dataPoints: [{ timeUnixNano: nowNs, asDouble: 3 }] },
              },
            ],
          },
        ],
      },
    ],
  };
  const res = await fetch(`${server.url}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const query = await fetch(
    `${server.url}/api/v1/query?query=${encodeURIComponent('queue_depth{component="chat"}')}`,
  );
  const result = (await query.json()) as { data: { result: { value: [number, string] }[] } };
  assert.equal(result.data.result.length, 1);
  assert.equal(result.data.result[0]!.value[1], '3');
});

test('one process per data folder: a second server on the same store is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-lock-'));
  const config = validateConfig({ server: { port: 0 }, store: { path: join(dir, 'db.sqlite') } });
  const first = await startLlmwatch(config, createSilentLogger());
  await assert.rejects(startLlmwatch(config, createSilentLogger()), {
    code: 'store_in_use',
    message: new RegExp(
      `the data folder ${dir} is used by another llmwatch process \\(pid ${process.pid}\\)`,
    ),
  });
  await first.close();
  writeFileSync(join(dir, 'llmwatch.lock'), '999999999'); // left by a process that is gone
  const again = await startLlmwatch(config, createSilentLogger());
  await again.close();
  rmSync(dir, { recursive: true, force: true });
});
