// Exact metric values and copy balancing, against local mock upstream servers (127.0.0.1,
// port 0) that speak the OpenAI wire format (see mock-upstream.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendRaw, startGatewayServer, valueOf } from './harness.js';
import { startMockUpstream } from './mock-upstream.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return sendRaw(url, 'POST', path, JSON.stringify(body), {
    'content-type': 'application/json',
    ...headers,
  });
}

test('exact metric values after a mix of requests', async () => {
  const up = await startMockUpstream();
  // A constant clock puts every duration at 0 s, so bucket placement is exact.
  const gw = await startGatewayServer(
    { components: [{ name: 'c1', models: ['m'], copies: [{ name: 'only', url: up.url }] }] },
    () => 0,
  );
  try {
    const chat = '/v1/chat/completions';
    const messages = [{ role: 'user', content: 'hi' }];
    const replies = [
      await post(gw.url, chat, { model: 'm', messages }),
      await post(gw.url, chat, { model: 'm', messages }),
      await post(gw.url, '/v1/completions', { model: 'm', prompt: 'p' }),
      await post(gw.url, chat, { model: 'm', messages, stream: true }),
      await post(gw.url, chat, { model: 'm', messages, stream: true }, { 'x-mock': 'split' }),
      await post(gw.url, '/v1/completions', {
        model: 'm',
        prompt: 'p',
        stream: true,
        stream_options: { include_usage: true },
      }),
      await post(gw.url, chat, { model: 'm', messages }, { 'x-mock': 'error500' }),
    ];
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 200, 200, 200, 200, 500],
    );
    await sleep(20);
    const samples = gw.registry.collect(Date.now() + 1000);
    const base = {
      component: 'c1',
      model: 'm',
      copy: 'only',
      endpoint: 'default',
      source: 'gateway',
    };
    const v = (name: string, extra: Record<string, string> = {}) =>
      valueOf(samples, name, { ...base, ...extra });
    assert.equal(v('llm_requests_total', { status_class: '2xx' }), 6);
    assert.equal(v('llm_requests_total', { status_class: '5xx' }), 1);
    assert.equal(v('llm_requests_total', { status_class: 'error' }), undefined);
    assert.equal(v('llm_input_tokens_total'), 30);
    assert.equal(v('llm_output_tokens_total'), 18);
    assert.equal(v('llm_request_duration_seconds_count'), 7);
    assert.equal(v('llm_request_duration_seconds_bucket', { le: '0.005' }), 7);
    assert.equal(v('llm_request_duration_seconds_sum'), 0);
    assert.equal(v('llm_time_to_first_token_seconds_count'), 3);
    assert.equal(v('llm_time_to_first_token_seconds_bucket', { le: '0.001' }), 3);
    assert.equal(v('llm_inter_token_latency_seconds_count'), 6);
    assert.equal(v('llm_inter_token_latency_seconds_bucket', { le: '0.0005' }), 6);
    assert.equal(
      valueOf(samples, 'llmwatch_gateway_outstanding_requests', { component: 'c1', copy: 'only' }),
      0,
    );
    // The first collect also carries the 0-valued start sample of each counter series.
    const starts = samples.filter(
      (s) => s.labels.__name__ === 'llm_requests_total' && s.value === 0,
    );
    assert.equal(starts.length, 2);
    assert.ok(starts.every((s) => s.timestampMs < Date.now() + 1000));
  } finally {
    await gw.close();
    await up.close();
  }
});

test('least outstanding requests: a busy copy is skipped, idle copies take turns', async () => {
  const upA = await startMockUpstream();
  const upB = await startMockUpstream();
  const gw = await startGatewayServer({
    components: [
      {
        name: 'c',
        models: ['m'],
        copies: [
          { name: 'a', url: upA.url },
          { name: 'b', url: upB.url },
        ],
      },
    ],
  });
  try {
    const body = { model: 'm', prompt: 'p' };
    const held = post(gw.url, '/v1/completions', body, { 'x-mock': 'hold' });
    for (let i = 0; i < 100 && upA.heldCount() + upB.heldCount() === 0; i++) await sleep(5);
    assert.equal(upA.heldCount(), 1, 'the first request goes to copy a');
    const gauge = (copy: string) =>
      valueOf(gw.registry.collect(Date.now()), 'llmwatch_gateway_outstanding_requests', {
        component: 'c',
        copy,
      });
    assert.equal(gauge('a'), 1);
    for (let i = 0; i < 3; i++)
      assert.equal((await post(gw.url, '/v1/completions', body)).status, 200);
    assert.equal(upA.bodies.length, 1);
    assert.equal(upB.bodies.length, 3);
    upA.release();
    assert.equal((await held).status, 200);
    await sleep(10);
    assert.equal(gauge('a'), 0);
    for (let i = 0; i < 4; i++) await post(gw.url, '/v1/completions', body);
    assert.equal(upA.bodies.length, 3);
    assert.equal(upB.bodies.length, 5);
  } finally {
    await gw.close();
    await upA.close();
    await upB.close();
  }
});
