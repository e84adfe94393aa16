// Capture of sampled pairs: the gateway against a local mock upstream (127.0.0.1, port 0).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendRaw, startGatewayServer, type GatewayServer } from './harness.js';
import { mockJsonBody, startMockUpstream, type MockUpstream } from './mock-upstream.js';
import {
  CaptureBuffer,
  MAX_CAPTURE_TEXT_CHARS,
  requestIdOf,
  type CapturedPair,
} from './capture.js';

let up: MockUpstream;
let gw: GatewayServer;
const captured: CapturedPair[] = [];
const asked: Array<[string, string]> = [];

before(async () => {
  up = await startMockUpstream();
  const config = {
    components: [
      {
        name: 'qwen',
        endpoint: 'fleet1',
        models: ['qwen-7b'],
        copies: [{ name: 'a', url: up.url }],
      },
    ],
  };
  gw = await startGatewayServer(config, undefined, {
    capture: {
      // Sample exactly the requests whose id starts with "keep".
      shouldCapture: (component, requestId) => {
        asked.push([component, requestId]);
        return requestId.startsWith('keep');
      },
      onCapture: (pair) => captured.push(pair),
    },
  });
});

after(async () => {
  await gw.close();
  await up.close();
});

const chat = { model: 'qwen-7b', messages: [{ role: 'user', content: 'hi' }] };

function post(path: string, body: unknown, headers: Record<string, string>) {
  const all = { 'content-type': 'application/json', ...headers };
  return sendRaw(gw.url, 'POST', path, JSON.stringify(body), all);
}

/** onCapture runs on the response's close event, just after the client saw the end. */
async function waitForCaptures(count: number): Promise<void> {
  for (let i = 0; i < 100 && captured.length < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('non-streaming sampled chat: request, text and finish reason captured once', async () => {
  captured.length = 0;
  const reply = await post('/v1/chat/completions', chat, { 'x-request-id': 'keep-1' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['x-request-id'], 'keep-1');
  assert.equal(reply.body, mockJsonBody('/v1/chat/completions', 'qwen-7b'));
  await waitForCaptures(1);
  assert.equal(captured.length, 1);
  const pair = captured[0] as CapturedPair;
  assert.deepEqual(
    { ...pair, startedAtMs: 0 },
    {
      requestId: 'keep-1',
      component: 'qwen',
      model: 'qwen-7b',
      copy: 'a',
      endpoint: 'fleet1',
      request: chat,
      stream: false,
      startedAtMs: 0,
      responseText: 'Hello world',
      finishReason: 'stop',
      truncated: false,
    },
  );
  assert.ok(Math.abs(pair.startedAtMs - Date.now()) < 10_000);
});

test('streaming sampled chat (split events): deltas concatenated, request as the client sent it', async () => {
  captured.length = 0;
  const body = { ...chat, stream: true };
  const reply = await post('/v1/chat/completions', body, {
    'x-request-id': 'keep-2',
    'x-mock': 'split',
  });
  assert.equal(reply.status, 200);
  await waitForCaptures(1);
  assert.equal(captured.length, 1);
  const pair = captured[0] as CapturedPair;
  assert.equal(pair.responseText, 'Hello world');
  assert.equal(pair.finishReason, 'stop');
  assert.equal(pair.stream, true);
  assert.deepEqual(pair.request, body); // no injected stream_options
});

test('streaming completions endpoint: text deltas captured', async () => {
  captured.length = 0;
  const body = { model: 'qwen-7b', prompt: 'Say hello', stream: true };
  await post('/v1/completions', body, { 'x-request-id': 'keep-3' });
  await waitForCaptures(1);
  assert.deepEqual(
    captured.map((p) => [p.requestId, p.responseText, p.finishReason]),
    [['keep-3', 'Hello world', 'stop']],
  );
});

test('unsampled and failed requests are not captured; bad ids are replaced', async () => {
  captured.length = 0;
  asked.length = 0;
  const skipped = await post('/v1/chat/completions', chat, { 'x-request-id': 'skip-1' });
  assert.equal(skipped.headers['x-request-id'], 'skip-1');
  const failed = await post('/v1/chat/completions', chat, {
    'x-request-id': 'keep-500',
    'x-mock': 'error500',
  });
  assert.equal(failed.status, 500);
  const odd = await post('/v1/chat/completions', chat, { 'x-request-id': 'bad id with spaces' });
  const generated = odd.headers['x-request-id'] as string;
  assert.match(generated, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(captured.length, 0);
  assert.deepEqual(asked, [
    ['qwen', 'skip-1'],
    ['qwen', 'keep-500'],
    ['qwen', generated],
  ]);
});

test('rejected requests still carry an x-request-id and are never offered for capture', async () => {
  asked.length = 0;
  const reply = await post(
    '/v1/chat/completions',
    { model: 'nope' },
    { 'x-request-id': 'keep-404' },
  );
  assert.equal(reply.status, 404);
  assert.equal(reply.headers['x-request-id'], 'keep-404');
  assert.deepEqual(asked, []);
});

test('requestIdOf keeps sane ids only', () => {
  assert.equal(requestIdOf('abc-DEF_1.2:3'), 'abc-DEF_1.2:3');
  assert.notEqual(requestIdOf('x'.repeat(129)), 'x'.repeat(129));
  assert.notEqual(requestIdOf(['a', 'b']), 'a');
  assert.equal(requestIdOf(undefined).length, 36);
});

test('CaptureBuffer cuts long text and ignores other choices and non-JSON events', () => {
  const buf = new CaptureBuffer(
    {
      requestId: 'r',
      component: 'c',
      model: 'm',
      copy: 'a',
      endpoint: 'e',
      request: null,
      stream: true,
      startedAtMs: 1,
    },
    false,
  );
  const event = (choice: unknown) => `data: ${JSON.stringify({ choices: [choice] })}\n\n`;
  buf.addEvent('data: not json\n\n');
  buf.addEvent(event({ index: 1, delta: { content: 'other' } }));
  buf.addEvent(event({ index: 0, delta: { content: 'x'.repeat(MAX_CAPTURE_TEXT_CHARS - 2) } }));
  buf.addEvent(event({ index: 0, delta: { content: 'abcd' }, finish_reason: 'length' }));
  const pair = buf.pair();
  assert.equal(pair.responseText.length, MAX_CAPTURE_TEXT_CHARS);
  assert.equal(pair.responseText.slice(-3), 'xab');
  assert.equal(pair.truncated, true);
  assert.equal(pair.finishReason, 'length');
});
