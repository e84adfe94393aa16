// Stub answers follow the documented Bedrock Converse wire format (POST /model/{modelId}/converse;
// output.message.content with text / toolUse blocks, stopReason, usage {inputTokens,
// outputTokens, totalTokens}, metrics {latencyMs}; errors carry x-amzn-errortype and
// {"message"}), served from 127.0.0.1:0 and reached through the real AWS SDK with static test
// credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeConfigSchema } from '../config.js';
import { createJudge } from '../judge.js';
import { startStub, type StubAnswer } from '../test-helpers.js';

const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const sample = {
  requestId: 'r1',
  component: 'chat',
  request: { messages: [{ role: 'user', content: 'Tips for a job interview?' }] },
  responseText: 'Prepare examples, research the company and arrive early.',
};

const converse = (content: unknown[], stopReason: string): StubAnswer => ({
  status: 200,
  body: {
    output: { message: { role: 'assistant', content } },
    stopReason,
    usage: { inputTokens: 150, outputTokens: 25, totalTokens: 175 },
    metrics: { latencyMs: 420 },
  },
});
const toolUse = (input: unknown) =>
  converse([{ toolUse: { toolUseId: 'tooluse_1', name: 'record_judgment', input } }], 'tool_use');
const awsError = (status: number, type: string, msg: string): StubAnswer => ({
  status,
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
  body: { message: msg },
});

async function judgeWith(answers: StubAnswer[]) {
  const stub = await startStub(answers, { http2: true });
  const config = judgeConfigSchema.parse({
    provider: 'bedrock',
    baseUrl: stub.url,
    region: 'us-east-1',
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    model: MODEL,
    retryBaseMs: 5,
    ratePerMinute: 60_000,
    priceDollarsPerMillionInputTokens: 3,
    priceDollarsPerMillionOutputTokens: 15,
  });
  return { stub, judge: createJudge(config) };
}

test('bedrock: Converse with toolConfig, SigV4-signed, usage and cost; label from the model sent', async () => {
  const { stub, judge } = await judgeWith([
    toolUse({ reasoning: 'Helpful and on topic.', score: 5 }),
  ]);
  try {
    const r = await judge.evaluate(sample, 'relevance');
    assert.equal(r.outcome, 'scored');
    assert.equal(r.score, 1);
    assert.deepEqual(r.usage, { inputTokens: 150, outputTokens: 25 });
    assert.equal(r.costDollars, 0.000825);
    assert.match(r.judge, /^bedrock:anthropic\.claude-3-5-sonnet-20240620-v1:0#[0-9a-f]{6}$/);
    const req = stub.requests[0];
    assert.equal(req?.path, `/model/${encodeURIComponent(MODEL)}/converse`);
    assert.match(
      String(req?.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
    );
    assert.deepEqual(req?.body.inferenceConfig, { maxTokens: 512, temperature: 0 });
    const toolConfig = req?.body.toolConfig as {
      toolChoice: unknown;
      tools: { toolSpec: { name: string } }[];
    };
    assert.deepEqual(toolConfig.toolChoice, { tool: { name: 'record_judgment' } });
    assert.equal(toolConfig.tools[0]?.toolSpec.name, 'record_judgment');
  } finally {
    judge.close();
    await stub.close();
  }
});

test('bedrock: ThrottlingException 429 is retried; ValidationException on the tool falls back', async () => {
  const { stub, judge } = await judgeWith([
    awsError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'),
    awsError(400, 'ValidationException', 'This model does not support tool use.'),
    converse([{ text: 'Reasoning: courteous.\nScore: 4' }], 'end_turn'),
  ]);
  try {
    const r = await judge.evaluate(sample, 'tone');
    assert.equal(r.outcome, 'scored');
    assert.equal(r.score, 0.75);
    assert.equal(r.details.attempts, 3);
    assert.deepEqual(
      stub.requests.map((q) => q.body.toolConfig !== undefined),
      [true, true, false],
    );
  } finally {
    judge.close();
    await stub.close();
  }
});

test('bedrock: content_filtered is a refusal, max_tokens unparsable, AccessDenied 403 not retried', async () => {
  const { stub, judge } = await judgeWith([
    converse([{ text: 'blocked' }], 'content_filtered'),
    converse([{ text: '{"reasoning": "Th' }], 'max_tokens'),
    awsError(403, 'AccessDeniedException', 'You do not have access to the model.'),
  ]);
  try {
    assert.equal((await judge.evaluate(sample, 'safety')).outcome, 'refused');
    const cut = await judge.evaluate(sample, 'safety');
    assert.equal(cut.outcome, 'unparsable');
    assert.equal(cut.details.reason, 'truncated');
    const denied = await judge.evaluate(sample, 'safety');
    assert.equal(denied.outcome, 'error');
    assert.equal(denied.details.status, 403);
    assert.equal(stub.requests.length, 3);
  } finally {
    judge.close();
    await stub.close();
  }
});
