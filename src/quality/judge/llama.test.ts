// End to end against a real local OpenAI-compatible server: llmwatch's demo llama server over
// the 260K-parameter TinyStories model (test/fixtures/models/stories260K.gguf). That model
// writes children's stories and cannot judge anything, so this test checks the plumbing: a real
// HTTP call is made, the server's token usage is counted and priced, the pinned label carries the
// model the server returned, and the reply is kept raw with an outcome that is not a made-up
// score.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startLlamaServer, type LlamaServer } from '../../demo/llama/server.js';
import { judgeConfigSchema } from './config.js';
import { createJudge } from './judge.js';

const modelPath = fileURLToPath(
  new URL('../../../test/fixtures/models/stories260K.gguf', import.meta.url),
);
let server: LlamaServer;

before(async () => {
  server = await startLlamaServer({ modelPath, modelName: 'stories260K', contextSize: 512 });
});
after(async () => {
  await server.close();
});

test('judge through the demo llama server: call made, usage counted, raw reply kept', async () => {
  const judge = createJudge(
    judgeConfigSchema.parse({
      provider: 'openai',
      baseUrl: `${server.url}/v1`,
      model: 'stories260K',
      maxTokens: 24,
      maxInputChars: 400,
      priceDollarsPerMillionInputTokens: 1,
      priceDollarsPerMillionOutputTokens: 2,
    }),
  );
  const result = await judge.evaluate(
    {
      requestId: 'e2e-1',
      component: 'demo',
      request: { messages: [{ role: 'user', content: 'Tell me a story about a cat.' }] },
      responseText: 'Once upon a time there was a cat who liked to nap in the sun.',
    },
    'relevance',
  );
  const stats = server.stats();
  assert.equal(stats.requestsServed, 1);
  assert.deepEqual(result.usage, {
    inputTokens: stats.promptTokens,
    outputTokens: stats.outputTokens,
  });
  assert.equal(result.usage.outputTokens, 24);
  assert.equal(result.costDollars, (stats.promptTokens * 1 + 24 * 2) / 1e6);
  assert.match(result.judge, /^openai:stories260K#[0-9a-f]{6}$/);
  assert.equal(typeof result.details.rawReply, 'string');
  assert.ok((result.details.rawReply as string).length > 0);
  // 24 tokens of story prose run into the token cap: finish_reason "length", so unparsable.
  assert.equal(result.outcome, 'unparsable');
  assert.equal(result.details.reason, 'truncated');
  assert.equal(result.score, undefined);
});
