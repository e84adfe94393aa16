import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startLlamaServer, type LlamaServer } from './server.js';
import { parseSseData, postJson, type StreamChunk } from '../simulator/test-helpers.js';

const modelPath = fileURLToPath(
  new URL('../../../test/fixtures/models/stories260K.gguf', import.meta.url),
);
let server: LlamaServer;

before(async () => {
  server = await startLlamaServer({ modelPath, modelName: 'stories', contextSize: 128 });
});
after(async () => {
  await server.close();
});

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

test('non-stream completion generates real text with exact usage', async () => {
  const res = await postJson(`${server.url}/v1/completions`, {
    model: 'stories',
    prompt: 'Once upon a time',
    max_tokens: 8,
    temperature: 0,
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    choices: { text: string; finish_reason: string }[];
    usage: Usage;
  };
  // "Once upon a time" is 4 tokens in this 512-token vocabulary (Once, upon, a, time), plus BOS.
  assert.deepEqual(body.usage, { prompt_tokens: 5, completion_tokens: 8, total_tokens: 13 });
  assert.equal(body.choices[0]?.finish_reason, 'length');
  assert.equal(body.choices[0]?.text, ', there was a little girl');
});

test('stream chat sends one content chunk per generated token and the usage chunk', async () => {
  const res = await postJson(`${server.url}/v1/chat/completions`, {
    model: 'stories',
    messages: [{ role: 'user', content: 'Once upon a time' }],
    max_tokens: 6,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(res.status, 200);
  const events = parseSseData(await res.text());
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as StreamChunk);
  const content = chunks.filter((c) => c.choices[0]?.delta?.content);
  const usage = chunks.at(-1)?.usage as Usage;
  assert.deepEqual(chunks.at(-1)?.choices, []);
  assert.equal(usage.completion_tokens, 6);
  assert.equal(content.length, usage.completion_tokens);
  assert.equal(usage.prompt_tokens, 5);
  assert.equal(content.map((c) => c.choices[0]?.delta?.content).join(''), ', there was a little g');
  assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'length');
});

test('long prompts keep their end to fit the context', async () => {
  const res = await postJson(`${server.url}/v1/completions`, {
    model: 'stories',
    prompt: 'the cat sat. '.repeat(100),
    max_tokens: 4,
    temperature: 0,
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { usage: Usage };
  const kept = server.contextSize - 4;
  assert.match(res.headers.get('x-llmwatch-prompt-truncated') ?? '', new RegExp(`^\\d+->${kept}$`));
  assert.equal(res.headers.get('x-llmwatch-max-tokens-capped'), null);
  assert.deepEqual(body.usage, {
    prompt_tokens: kept,
    completion_tokens: 4,
    total_tokens: kept + 4,
  });
});

test('max_tokens beyond the context is capped and announced before streaming', async () => {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/v1/completions`, {
    method: 'POST',
    body: JSON.stringify({
      model: 'stories',
      prompt: 'Once upon a time',
      max_tokens: 5000,
      stream: true,
    }),
    signal: controller.signal,
  });
  assert.equal(res.headers.get('x-llmwatch-max-tokens-capped'), `5000->${server.contextSize - 5}`);
  controller.abort();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(server.stats().requestsServed, 3);
});

test('unknown model gets 404', async () => {
  const res = await postJson(`${server.url}/v1/completions`, { model: 'nope', prompt: 'x' });
  assert.equal(res.status, 404);
});
