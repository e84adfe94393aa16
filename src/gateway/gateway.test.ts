// In-process tests of the gateway against local mock upstream servers (127.0.0.1, port 0) that
// speak the OpenAI wire format (see mock-upstream.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendRaw, startGatewayServer, type GatewayServer } from './harness.js';
import {
  mockJsonBody,
  mockStreamBody,
  startMockUpstream,
  type MockUpstream,
} from './mock-upstream.js';

let upA: MockUpstream;
let upB: MockUpstream;
let gw: GatewayServer;

const JSON_HEADERS = { 'content-type': 'application/json' };

before(async () => {
  upA = await startMockUpstream();
  upB = await startMockUpstream();
  gw = await startGatewayServer({
    components: [
      {
        name: 'qwen',
        endpoint: 'fleet1',
        models: ['qwen-7b', 'qwen-alias'],
        copies: [
          { name: 'a', url: upA.url },
          { name: 'b', url: upB.url },
        ],
      },
    ],
  });
});

after(async () => {
  await gw.close();
  await upA.close();
  await upB.close();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return sendRaw(gw.url, 'POST', path, JSON.stringify(body), { ...JSON_HEADERS, ...headers });
}

const totalBodies = () => upA.bodies.length + upB.bodies.length;

test('non-streaming chat: body and usage relayed byte for byte, request body unchanged', async () => {
  const body = { model: 'qwen-7b', messages: [{ role: 'user', content: 'hi' }] };
  const before = totalBodies();
  const reply = await post('/v1/chat/completions', body);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.equal(reply.body, mockJsonBody('/v1/chat/completions', 'qwen-7b'));
  assert.equal(totalBodies(), before + 1);
  assert.deepEqual(
    [...upA.bodies, ...upB.bodies].some((b) => JSON.stringify(b) === JSON.stringify(body)),
    true,
  );
});

test('stream without usage: usage requested upstream, usage chunk removed for the client', async () => {
  for (const mode of ['', 'split']) {
    const body = { model: 'qwen-7b', stream: true, messages: [{ role: 'user', content: 'hi' }] };
    const headers: Record<string, string> = mode ? { 'x-mock': mode } : {};
    const upstreamBodiesBefore = [...upA.bodies, ...upB.bodies].length;
    const reply = await post('/v1/chat/completions', body, headers);
    assert.equal(reply.status, 200, mode);
    assert.equal(reply.headers['content-type'], 'text/event-stream');
    assert.equal(reply.body, mockStreamBody('/v1/chat/completions', 'qwen-7b', false), mode);
    const sent = [...upA.bodies, ...upB.bodies];
    assert.equal(sent.length, upstreamBodiesBefore + 1);
    assert.ok(
      sent.some(
        (b) =>
          JSON.stringify(b) ===
          JSON.stringify({ ...body, stream_options: { include_usage: true } }),
      ),
    );
  }
});

test('stream with usage asked by the client: forwarded unchanged including usage', async () => {
  const body = {
    model: 'qwen-alias',
    stream: true,
    stream_options: { include_usage: true },
    prompt: 'x',
  };
  const reply = await post('/v1/completions', body, { 'x-mock': 'split' });
  assert.equal(reply.status, 200);
  assert.equal(reply.body, mockStreamBody('/v1/completions', 'qwen-alias', true));
  assert.ok(reply.body.includes('"usage":{"prompt_tokens":5'));
  const sent = [...upA.bodies, ...upB.bodies];
  assert.equal(JSON.stringify(sent.at(-1)), JSON.stringify(body));
});

test('GET /v1/models lists configured models in OpenAI format', async () => {
  const reply = await sendRaw(gw.url, 'GET', '/v1/models');
  assert.equal(reply.status, 200);
  const list = JSON.parse(reply.body) as {
    object: string;
    data: { id: string; owned_by: string }[];
  };
  assert.equal(list.object, 'list');
  assert.deepEqual(
    list.data.map((m) => [m.id, m.owned_by]),
    [
      ['qwen-7b', 'qwen'],
      ['qwen-alias', 'qwen'],
    ],
  );
});
