// Stub answers follow Anthropic's documented Messages API wire format (Message with content
// blocks text / tool_use, stop_reason, usage {input_tokens, output_tokens}; errors
// {type: "error", error: {type, message}}; retry-after on 429), served from 127.0.0.1:0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeConfigSchema } from '../config.js';
import { createJudge } from '../judge.js';
import { startStub, type StubAnswer } from '../test-helpers.js';

const MODEL = 'claude-sonnet-4-5-20250929';
const sample = {
  requestId: 'r1',
  component: 'chat',
  request: { prompt: 'Say hi' },
  responseText: 'Hello there!',
};

const message = (content: unknown[], stopReason: string): StubAnswer => ({
  status: 200,
  body: {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 200, output_tokens: 40 },
  },
});
const toolUse = (input: unknown) =>
  message([{ type: 'tool_use', id: 'toolu_01', name: 'record_judgment', input }], 'tool_use');
const apiError = (
  status: number,
  type: string,
  msg: string,
  headers?: Record<string, string>,
): StubAnswer => ({
  status,
  headers,
  body: { type: 'error', error: { type, message: msg } },
});

async function judgeWith(answers: StubAnswer[]) {
  const stub = await startStub(answers);
  const config = judgeConfigSchema.parse({
    provider: 'anthropic',
    baseUrl: stub.url,
    model: MODEL,
    apiKey: 'sk-ant-test',
    retryBaseMs: 5,
    ratePerMinute: 60_000,
    priceDollarsPerMillionInputTokens: 3,
    priceDollarsPerMillionOutputTokens: 15,
  });
  return { stub, judge: createJudge(config) };
}

test('anthropic: forced tool use, headers, usage, cost', async () => {
  const { stub, judge } = await judgeWith([
    toolUse({ reasoning: 'A friendly greeting.', score: 'safe' }),
  ]);
  try {
    const r = await judge.evaluate(sample, 'safety');
    assert.equal(r.outcome, 'scored');
    assert.equal(r.score, 1);
    assert.equal(r.details.via, 'structured');
    assert.deepEqual(r.usage, { inputTokens: 200, outputTokens: 40 });
    assert.equal(r.costDollars, 0.0012);
    assert.match(r.judge, /^anthropic:claude-sonnet-4-5-20250929#[0-9a-f]{6}$/);
    const req = stub.requests[0];
    assert.equal(req?.path, '/v1/messages');
    assert.equal(req?.headers['x-api-key'], 'sk-ant-test');
    assert.equal(req?.headers['anthropic-version'], '2023-06-01');
    assert.equal(req?.body.max_tokens, 512);
    assert.deepEqual(req?.body.tool_choice, { type: 'tool', name: 'record_judgment' });
    const tools = req?.body.tools as { input_schema: { properties: Record<string, unknown> } }[];
    assert.deepEqual(Object.keys(tools[0]?.input_schema.properties ?? {}), ['reasoning', 'score']);
    // Safety judges the response alone: no request block in the prompt.
    const user = (req?.body.messages as { content: string }[])[0]?.content ?? '';
    assert.equal(user.includes('<request>'), false);
  } finally {
    await stub.close();
  }
});

test('anthropic: 429 rate_limit_error with retry-after as an HTTP date, then success', async () => {
  const { stub, judge } = await judgeWith([
    apiError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', {
      'retry-after': new Date(Date.now() - 1000).toUTCString(),
    }),
    toolUse({ reasoning: 'Courteous.', score: 5 }),
  ]);
  try {
    const r = await judge.evaluate(sample, 'tone');
    assert.equal(r.outcome, 'scored');
    assert.equal(r.score, 1);
    assert.equal(r.details.attempts, 2);
  } finally {
    await stub.close();
  }
});

test('anthropic: 400 for the tool falls back to the JSON-only instruction', async () => {
  const { stub, judge } = await judgeWith([
    apiError(400, 'invalid_request_error', 'tools.0.input_schema: JSON schema is invalid'),
    message(
      [{ type: 'text', text: 'The reply is on topic.\n{"reasoning":"On topic.","score":4}' }],
      'end_turn',
    ),
  ]);
  try {
    const r = await judge.evaluate(sample, 'relevance');
    assert.equal(r.outcome, 'scored');
    assert.equal(r.score, 0.75);
    assert.equal(stub.requests[1]?.body.tools, undefined);
    assert.equal(stub.requests[1]?.body.tool_choice, undefined);
  } finally {
    await stub.close();
  }
});

test('anthropic: refusal, max_tokens truncation, malformed tool input, 401 without retry', async () => {
  const { stub, judge } = await judgeWith([
    message([], 'refusal'),
    message([{ type: 'text', text: '{"reasoning":"The' }], 'max_tokens'),
    toolUse({ reasoning: 'x', score: 'dangerous' }),
    apiError(401, 'authentication_error', 'invalid x-api-key'),
  ]);
  try {
    const refused = await judge.evaluate(sample, 'safety');
    assert.equal(refused.outcome, 'refused');
    assert.equal(refused.details.reason, 'stop_reason:refusal');
    const cut = await judge.evaluate(sample, 'safety');
    assert.equal(cut.outcome, 'unparsable');
    assert.equal(cut.details.reason, 'truncated');
    const bad = await judge.evaluate(sample, 'safety');
    assert.equal(bad.outcome, 'unparsable');
    assert.equal(bad.details.rawReply, '{"reasoning":"x","score":"dangerous"}');
    const denied = await judge.evaluate(sample, 'safety');
    assert.equal(denied.outcome, 'error');
    assert.equal(denied.details.status, 401);
    assert.equal(stub.requests.length, 4);
  } finally {
    await stub.close();
  }
});
