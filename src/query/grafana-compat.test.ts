/**
 * Replays the requests Grafana's Prometheus data source sends, against a real in-process llmwatch
 * (startLlmwatch, temporary SQLite store, port 0 on 127.0.0.1), and checks the answers have
 * exactly the shape Prometheus gives. Data arrives through the real remote-write route.
 *
 * Request shapes (Grafana 10/11 Prometheus data source, default settings, HTTP method POST):
 * - "Save & test": `GET /api/v1/status/buildinfo`, then an instant query
 *   `GET /api/v1/query?query=1%2B1&time=<unix seconds>` (health check).
 * - Panels: `POST /api/v1/query_range`, body `application/x-www-form-urlencoded` with `query`,
 *   `start`, `end` (Unix seconds, aligned to a multiple of `step`) and `step` (seconds).
 * - Instant panels / tables: `POST /api/v1/query` with `query` and `time`.
 * - Metric browser and code completion: `GET /api/v1/labels?start=&end=`,
 *   `GET /api/v1/label/__name__/values?start=&end=`,
 *   `GET /api/v1/series?match[]=<selector>&start=&end=`, `GET /api/v1/metadata`.
 * - Template variables `label_values(metric, label)`:
 *   `GET /api/v1/label/<label>/values?match[]=<metric>&start=&end=`.
 * - Exemplars toggle: `GET /api/v1/query_exemplars?query=&start=&end=`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappy';
import { validateConfig } from '../config/load.js';
import { createSilentLogger } from '../core/log.js';
import { encodeWriteRequest } from '../ingest/remote-write/codec.js';
import { WriteRequestType } from '../ingest/remote-write/schema.js';
import { startLlmwatch, type LlmwatchServer } from '../server/app.js';

const T0_SECONDS = 1_714_564_800; // 2024-05-01T12:00:00Z, a multiple of 15
const SERIES = { __name__: 'llm_requests_total', component: 'chat', copy: 'c0', endpoint: 'e1' };

let server: LlmwatchServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llmwatch-grafana-'));
  const config = validateConfig({
    server: { port: 0 },
    store: { path: join(dir, 'metrics.db') },
    components: [
      { name: 'chat', models: ['m1'], copies: [{ name: 'c0', url: 'http://127.0.0.1:9' }] },
    ],
  });
  server = await startLlmwatch(config, createSilentLogger());

  // 0, 15, ..., 60 s: the counter grows by 3 per 15 s.
  const samples = [0, 1, 2, 3, 4].map((i) => ({
    timestampMs: (T0_SECONDS + i * 15) * 1000,
    value: i * 3,
  }));
  const headers = {
    'content-encoding': 'snappy',
    'content-type': 'application/x-protobuf',
    'x-prometheus-remote-write-version': '0.1.0',
  };
  const write = await fetch(`${server.url}/api/v1/write`, {
    method: 'POST',
    headers,
    // fetch's types want a Uint8Array view rather than a Buffer.
    body: new Uint8Array(
      encodeWriteRequest([
        { labels: SERIES, samples },
        {
          labels: { __name__: 'llm_requests_running', component: 'chat', copy: 'c0' },
          samples: [{ timestampMs: T0_SECONDS * 1000, value: 2 }],
        },
      ]),
    ),
  });
  assert.equal(write.status, 204);
  const metadata = WriteRequestType.encode(
    WriteRequestType.create({
      metadata: [
        { type: 2, metricFamilyName: 'external_queue_depth', help: 'Queue depth.', unit: '' },
        { type: 1, metricFamilyName: 'llm_requests_total', help: 'Sender help.' },
      ],
    }),
  ).finish();
  const meta = await fetch(`${server.url}/api/v1/write`, {
    method: 'POST',
    headers,
    body: new Uint8Array(snappy.compressSync(metadata)),
  });
  assert.equal(meta.status, 204);
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends a request and returns status, content type and parsed JSON body. */
async function call(path: string, form?: Record<string, string>) {
  const init: RequestInit =
    form === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        };
  const res = await fetch(`${server.url}${path}`, init);
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: (await res.json()) as unknown,
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const range = `start=${T0_SECONDS}&end=${T0_SECONDS + 60}`;

test('Save & test: buildinfo and the 1+1 health check', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.deepEqual(await call('/api/v1/status/buildinfo'), {
    status: 200,
    contentType: JSON_TYPE,
    body: {
      status: 'success',
      data: {
        version: pkg.version,
        revision: '',
        branch: '',
        buildUser: '',
        buildDate: '',
        goVersion: '',
      },
    },
  });
  assert.deepEqual(await call(`/api/v1/query?query=1%2B1&time=${T0_SECONDS}.123`), {
    status: 200,
    contentType: JSON_TYPE,
    body: { status: 'success', data: { resultType: 'scalar', result: [T0_SECONDS + 0.123, '2'] } },
  });
});

test('panel: POST query_range with a form body and step-aligned start/end', async () => {
  const reply = await call('/api/v1/query_range', {
    query: 'sum by (component) (increase(llm_requests_total{component="chat"}[30s]))',
    start: String(T0_SECONDS + 30),
    end: String(T0_SECONDS + 60),
    step: '15',
  });
  assert.deepEqual(reply, {
    status: 200,
    contentType: JSON_TYPE,
    body: {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { component: 'chat' },
            values: [
              [T0_SECONDS + 30, '6'],
              [T0_SECONDS + 45, '6'],
              [T0_SECONDS + 60, '6'],
            ],
          },
        ],
      },
    },
  });
  const instant = await call('/api/v1/query', {
    query: 'llm_requests_running',
    time: String(T0_SECONDS + 10),
  });
  assert.deepEqual(instant.body, {
    status: 'success',
    data: {
      resultType: 'vector',
      result: [
        {
          metric: { __name__: 'llm_requests_running', component: 'chat', copy: 'c0' },
          value: [T0_SECONDS + 10, '2'],
        },
      ],
    },
  });
});

test('metric browser: labels, metric names, series, metadata', async () => {
  const labels = await call(`/api/v1/labels?${range}`);
  assert.deepEqual(labels, {
    status: 200,
    contentType: JSON_TYPE,
    body: { status: 'success', data: ['__name__', 'component', 'copy', 'endpoint'] },
  });
  const names = (await call(`/api/v1/label/__name__/values?${range}`)).body as {
    status: string;
    data: string[];
  };
  assert.equal(names.status, 'success');
  // The store also holds llmwatch's own metrics flushed by its registry; ours must be listed.
  assert.deepEqual(
    names.data.filter((n) => n.startsWith('llm_')),
    ['llm_requests_running', 'llm_requests_total'],
  );
  assert.deepEqual([...names.data].sort(), names.data);

  const match = encodeURIComponent('llm_requests_total');
  assert.deepEqual(await call(`/api/v1/series?match%5B%5D=${match}&${range}`), {
    status: 200,
    contentType: JSON_TYPE,
    body: { status: 'success', data: [SERIES] },
  });
  const metadata = (await call('/api/v1/metadata')).body as {
    status: string;
    data: Record<string, unknown>;
  };
  assert.equal(metadata.status, 'success');
  // From remote-write metadata.
  assert.deepEqual(metadata.data.external_queue_depth, [
    { type: 'gauge', help: 'Queue depth.', unit: '' },
  ]);
  // llmwatch's own registry (its /metrics HELP and TYPE) wins for the names it defines.
  assert.deepEqual(metadata.data.llm_requests_total, [
    { type: 'counter', help: 'Requests proxied, by status class.', unit: '' },
  ]);
  assert.deepEqual(await call('/api/v1/metadata?metric=external_queue_depth'), {
    status: 200,
    contentType: JSON_TYPE,
    body: {
      status: 'success',
      data: { external_queue_depth: [{ type: 'gauge', help: 'Queue depth.', unit: '' }] },
    },
  });
});

test('template variable label_values(metric, label) and exemplars', async () => {
  const match = encodeURIComponent('llm_requests_total');
  assert.deepEqual(await call(`/api/v1/label/component/values?match[]=${match}&${range}`), {
    status: 200,
    contentType: JSON_TYPE,
    body: { status: 'success', data: ['chat'] },
  });
  const query = encodeURIComponent('llm_requests_total');
  assert.deepEqual(await call(`/api/v1/query_exemplars?query=${query}&${range}`), {
    status: 200,
    contentType: JSON_TYPE,
    body: { status: 'success', data: [] },
  });
});

test('errors use Prometheus envelope and statuses', async () => {
  assert.deepEqual(
    await call('/api/v1/query_range', { query: 'rate(', start: '0', end: '60', step: '15' }),
    {
      status: 400,
      contentType: JSON_TYPE,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:6: parse error: unexpected end of input',
      },
    },
  );
  assert.deepEqual(await call('/api/v1/series'), {
    status: 400,
    contentType: JSON_TYPE,
    body: {
      status: 'error',
      errorType: 'bad_data',
      error:
        'invalid parameter "match[]": no match[] parameter provided; expected a series selector like up{job="a"} or {__name__=~"llm_.*"}',
    },
  });
  const notFound = await call('/api/v1/nope');
  assert.equal(notFound.status, 404);
  assert.equal((notFound.body as { errorType: string }).errorType, 'not_found');
});
