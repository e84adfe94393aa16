// Bad input and upstream failures, in-process, against local mock upstream servers (127.0.0.1,
// port 0) that speak the OpenAI wire format (see mock-upstream.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sendRaw, startGatewayServer, valueOf, type GatewayServer } from './harness.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let up: MockUpstream;
let gw: GatewayServer;
let deadUrl: string;

before(async () => {
  up = await startMockUpstream();
  // A port that was just free: nothing listens there, so connecting is refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  gw = await startGatewayServer({
    gateway: { maxBodyBytes: 1024, upstreamHeadersTimeoutSeconds: 0.2 },
    components: [
      { name: 'live', models: ['m'], copies: [{ name: 'c0', url: up.url }] },
      { name: 'dead', models: ['gone'], copies: [{ name: 'd0', url: deadUrl }] },
    ],
  });
});

after(async () => {
  await gw.close();
  await up.close();
});

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

test('bad client input gets OpenAI-style 4xx errors', async () => {
  const cases: [string, string, string | undefined, number, string, string | null][] = [
    ['POST', '/v1/chat/completions', '{"model": "m",', 400, 'invalid_json', null],
    ['POST', '/v1/chat/completions', '[1,2]', 400, 'invalid_body', null],
    ['POST', '/v1/chat/completions', '{"messages": []}', 400, 'missing_model', 'model'],
    ['POST', '/v1/completions', '{"model": 7}', 400, 'invalid_model', 'model'],
    ['POST', '/v1/completions', '{"model": "nope"}', 404, 'model_not_found', 'model'],
    ['GET', '/v1/chat/completions', undefined, 405, 'method_not_allowed', null],
    ['POST', '/v1/models', '{}', 405, 'method_not_allowed', null],
    ['POST', '/v1/embeddingz', '{}', 404, 'unknown_path', null],
    [
      'POST',
      '/v1/chat/completions',
      '{"model":"m","stream":"yes"}',
      400,
      'invalid_stream',
      'stream',
    ],
    [
      'POST',
      '/v1/chat/completions',
      '{"model":"m","stream":true,"stream_options":"on"}',
      400,
      'invalid_stream_options',
      'stream_options',
    ],
  ];
  for (const [method, path, body, status, code, param] of cases) {
    const reply = await sendRaw(gw.url, method, path, body, JSON_HEADERS);
    assert.equal(reply.status, status, `${method} ${path} ${body}`);
    const parsed = JSON.parse(reply.body) as ErrorBody;
    assert.equal(parsed.error.code, code);
    assert.equal(parsed.error.type, 'invalid_request_error');
    assert.equal(parsed.error.param, param);
  }
  const unknown = await sendRaw(
    gw.url,
    'POST',
    '/v1/completions',
    '{"model":"nope"}',
    JSON_HEADERS,
  );
  assert.equal(
    (JSON.parse(unknown.body) as ErrorBody).error.message,
    'model "nope" is not served here; known models: m, gone',
  );
  const long = await sendRaw(
    gw.url,
    'POST',
    '/v1/completions',
    JSON.stringify({ model: 'z'.repeat(900) }),
    JSON_HEADERS,
  );
  assert.equal(long.status, 404);
  assert.ok(long.body.length < 600, `error body of ${long.body.length} bytes echoes the name`);
  const gzip = await sendRaw(gw.url, 'POST', '/v1/completions', '{"model":"m"}', {
    ...JSON_HEADERS,
    'content-encoding': 'gzip',
  });
  assert.equal(gzip.status, 415);
  assert.equal((JSON.parse(gzip.body) as ErrorBody).error.code, 'unsupported_content_encoding');
  assert.equal(up.bodies.length, 0, 'nothing reached the upstream');
});

test('oversized body: 413 from content-length, and mid-upload for chunked bodies', async () => {
  const big = JSON.stringify({ model: 'm', prompt: 'x'.repeat(2000) });
  const declared = await sendRaw(gw.url, 'POST', '/v1/completions', big, JSON_HEADERS);
  assert.equal(declared.status, 413);
  assert.equal((JSON.parse(declared.body) as ErrorBody).error.code, 'body_too_large');
  assert.equal(declared.headers.connection, 'close');

  // Chunked upload in 256-byte pieces; the gateway answers once 1024 bytes are passed.
  const url = new URL(gw.url);
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), '127.0.0.1');
    let received = '';
    let sent = 0;
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
    socket.write('POST /v1/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n');
    const timer = setInterval(() => {
      if (received.length > 0 || sent >= 40) {
        clearInterval(timer);
        if (sent >= 40) reject(new Error('no reply after 40 chunks'));
        return;
      }
      socket.write(`100\r\n${'y'.repeat(256)}\r\n`);
      sent++;
    }, 5);
  });
  assert.match(reply, /^HTTP\/1\.1 413 /);
  assert.match(reply, /"code":"body_too_large"/);
  assert.equal(up.bodies.length, 0);
});

test('upstream 500 reaches the client unchanged and is counted as 5xx', async () => {
  const reply = await sendRaw(gw.url, 'POST', '/v1/completions', '{"model":"m"}', {
    ...JSON_HEADERS,
    'x-mock': 'error500',
  });
  assert.equal(reply.status, 500);
  assert.equal(reply.headers['x-upstream'], 'yes');
  assert.equal(
    reply.body,
    '{"error":{"message":"boom","type":"server_error","param":null,"code":null}}',
  );
});

test('connect failure gives 502, timeout gives 504, both counted as errors', async () => {
  const refused = await sendRaw(
    gw.url,
    'POST',
    '/v1/completions',
    '{"model":"gone"}',
    JSON_HEADERS,
  );
  assert.equal(refused.status, 502);
  assert.equal((JSON.parse(refused.body) as ErrorBody).error.code, 'upstream_connect');

  const started = Date.now();
  const timedOut = await sendRaw(gw.url, 'POST', '/v1/completions', '{"model":"m"}', {
    ...JSON_HEADERS,
    'x-mock': 'hang',
  });
  assert.equal(timedOut.status, 504);
  assert.equal((JSON.parse(timedOut.body) as ErrorBody).error.code, 'upstream_timeout');
  assert.ok(Date.now() - started < 3000);

  await sleep(20);
  const samples = gw.registry.collect(Date.now() + 1000);
  const errors = (component: string, copy: string, kind: string) =>
    valueOf(samples, 'llm_upstream_errors_total', { component, copy, kind });
  assert.equal(errors('dead', 'd0', 'connect'), 1);
  assert.equal(errors('live', 'c0', 'timeout'), 1);
  const requests = (component: string, copy: string, model: string, statusClass: string) =>
    valueOf(samples, 'llm_requests_total', {
      component,
      copy,
      model,
      endpoint: 'default',
      source: 'gateway',
      status_class: statusClass,
    });
  assert.equal(requests('dead', 'd0', 'gone', 'error'), 1);
  assert.equal(requests('live', 'c0', 'm', 'error'), 1);
  assert.equal(requests('live', 'c0', 'm', '5xx'), 1);
});

test('client disconnect mid-stream aborts the upstream request', async () => {
  const body = JSON.stringify({ model: 'm', stream: true, prompt: 'p' });
  await new Promise<void>((resolve, reject) => {
    const req = request(
      `${gw.url}/v1/completions`,
      { method: 'POST', headers: { ...JSON_HEADERS, 'x-mock': 'slow' }, agent: false },
      (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      },
    );
    req.on('error', () => {});
    req.end(body);
    setTimeout(() => reject(new Error('no stream data within 2 s')), 2000).unref();
  });
  await Promise.race([
    up.slowClosed,
    sleep(2000).then(() => assert.fail('upstream request was not aborted')),
  ]);
  await sleep(20);
  const samples = gw.registry.collect(Date.now() + 1000);
  assert.equal(
    valueOf(samples, 'llmwatch_gateway_client_aborts_total', { component: 'live', copy: 'c0' }),
    1,
  );
  assert.equal(
    valueOf(samples, 'llmwatch_gateway_outstanding_requests', { component: 'live', copy: 'c0' }),
    0,
  );
});
