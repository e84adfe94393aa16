// POST /v1/embeddings through the gateway, against a local mock upstream (127.0.0.1, port 0)
// that answers in OpenAI's documented embeddings format (see mock-upstream.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendRaw, startGatewayServer, valueOf, type GatewayServer } from './harness.js';
import {
  MOCK_EMBEDDING_USAGE,
  mockBigBody,
  mockJsonBody,
  startMockUpstream,
} from './mock-upstream.js';
import type { CapturedPair } from './capture.js';

const PATH = '/v1/embeddings';
let up: Awaited<ReturnType<typeof startMockUpstream>>;
let gw: GatewayServer;
const captured: CapturedPair[] = [];

before(async () => {
  up = await startMockUpstream();
  gw = await startGatewayServer(
    {
      components: [{ name: 'embed', models: ['bge-small'], copies: [{ name: 'a', url: up.url }] }],
    },
    () => 0,
    { capture: { shouldCapture: () => true, onCapture: (pair) => captured.push(pair) } },
  );
});

after(async () => {
  await gw.close();
  await up.close();
});

function post(body: unknown, method = 'POST') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return sendRaw(gw.url, method, PATH, method === 'POST' ? text : undefined, {
    'content-type': 'application/json',
  });
}

test('embeddings are proxied unchanged and counted with their prompt tokens', async () => {
  const inputs = ['one text', ['a', 'b'], [1, 2, 3], [[1, 2], [3]]];
  for (const input of inputs) {
    const reply = await post({ model: 'bge-small', input });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(reply.body, mockJsonBody(PATH, 'bge-small'));
  }
  assert.deepEqual(
    up.bodies.slice(-4).map((b) => b.input),
    inputs,
  );
  // Requests are recorded when the client's response closes, just after the reply is read.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const samples = gw.registry.collect(Date.now() + 1000);
  const labels = {
    component: 'embed',
    copy: 'a',
    model: 'bge-small',
    endpoint: 'default',
    source: 'gateway',
  };
  assert.equal(valueOf(samples, 'llm_requests_total', { ...labels, status_class: '2xx' }), 4);
  assert.equal(
    valueOf(samples, 'llm_input_tokens_total', labels),
    4 * MOCK_EMBEDDING_USAGE.prompt_tokens,
  );
  assert.equal(valueOf(samples, 'llm_output_tokens_total', labels), 0);
  assert.equal(valueOf(samples, 'llm_request_duration_seconds_count', labels), 4);
  // Vectors are not text a judge can score: nothing is handed to the quality pipeline.
  assert.equal(captured.length, 0);
});

test('the upstream is asked for an uncompressed reply, so usage can be read', async () => {
  const reply = await sendRaw(
    gw.url,
    'POST',
    PATH,
    JSON.stringify({ model: 'bge-small', input: 'x' }),
    { 'content-type': 'application/json', 'accept-encoding': 'gzip, deflate, br' },
  );
  assert.equal(reply.status, 200);
  assert.equal(up.headers.at(-1)?.['accept-encoding'], 'identity');
  assert.equal(reply.body, mockJsonBody(PATH, 'bge-small'));
});

test('a reply over 8 MiB is relayed whole and its usage still counted', async () => {
  const labels = {
    component: 'embed',
    copy: 'a',
    model: 'bge-small',
    endpoint: 'default',
    source: 'gateway',
  };
  const tokens = () =>
    valueOf(gw.registry.collect(Date.now() + 1000), 'llm_input_tokens_total', labels);
  const before = tokens() ?? 0;
  const reply = await sendRaw(
    gw.url,
    'POST',
    PATH,
    JSON.stringify({ model: 'bge-small', input: 'x' }),
    {
      'content-type': 'application/json',
      'x-mock': 'big',
    },
  );
  assert.equal(reply.status, 200);
  assert.ok(reply.body.length > 8 * 1024 * 1024);
  assert.equal(reply.body, mockBigBody('bge-small'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(tokens(), before + MOCK_EMBEDDING_USAGE.prompt_tokens);
});

test('bad embeddings bodies get a 400 naming the field, and nothing goes upstream', async () => {
  const before = up.bodies.length;
  const cases: Array<[unknown, string, string | null]> = [
    ['{"model": "bge-small", "input": ', 'invalid_json', null],
    [{ input: 'x' }, 'missing_model', 'model'],
    [{ model: 'bge-small' }, 'missing_input', 'input'],
    [{ model: 'bge-small', input: 5 }, 'invalid_input', 'input'],
    [{ model: 'bge-small', input: [] }, 'invalid_input', 'input'],
    [{ model: 'bge-small', input: ['a', 1] }, 'invalid_input', 'input'],
    [{ model: 'bge-small', input: [[1], []] }, 'invalid_input', 'input'],
    [{ model: 'bge-small', input: [1.5] }, 'invalid_input', 'input'],
  ];
  for (const [body, code, param] of cases) {
    const reply = await post(body);
    assert.equal(reply.status, 400, `${JSON.stringify(body)}: ${reply.body}`);
    const error = (JSON.parse(reply.body) as { error: { code: string; param: string | null } })
      .error;
    assert.equal(error.code, code);
    assert.equal(error.param, param);
  }
  const unknown = await post({ model: 'nope', input: 'x' });
  assert.equal(unknown.status, 404);
  assert.match(unknown.body, /known models: bge-small/);
  const get = await post(undefined, 'GET');
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');
  assert.equal(up.bodies.length, before);
});
