// Stub answers follow OpenAI's documented Chat Completions wire format (openai/openai-openapi:
// CreateChatCompletionResponse, ChatCompletionResponseMessage.refusal, CompletionUsage, and the
// error object {error: {message, type, param, code}}), served from 127.0.0.1:0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeConfigSchema } from '../config.js';
import { createJudge } from '../judge.js';
import { startStub, type StubAnswer } from '../test-helpers.js';

const MODEL = 'gpt-4o-2024-08-06';
const sample = {
  requestId: 'r1',
  component: 'chat',
  request: { messages: [{ role: 'user', content: 'What is the capital of France?' }] },
  responseText: 'Paris is the capital of France.',
};

const completion = (
  content: string | null,
  extra: Record<string, unknown> = {},
  finish = 'stop',
) => ({
  status: 200,
  body: {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null, ...extra },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
  },
});
const apiError = (
  status: number,
  type: string,
  message: string,
  headers?: Record<string, string>,
): StubAnswer => ({
  status,
  headers,
  body: { error: { message, type, param: null, code: null } },
});

async function judgeWith(answers: StubAnswer[], over: Record<string, unknown> = {}) {
  const stub = await startStub(answers);
  const config = judgeConfigSchema.parse({
    provider: 'openai',
    baseUrl: `${stub.url}/v1`,
    model: MODEL,
    apiKey: 'sk-test',
    retryBaseMs: 5,
    ratePerMinute: 60_000,
    priceDollarsPerMillionInputTokens: 2.5,
    priceDollarsPerMillionOutputTokens: 10,
    ...over,
  });
  return { stub, judge: createJudge(config) };
}

test('openai: success with json_schema structured output, usage, cost and pinned label', async () => {
  const { stub, judge } = await judgeWith([
    completion('{"reasoning":"Answers the question directly.","score":5}'),
  ]);
  try {
    const r = await judge.evaluate(sample, 'relevance');
    assert.equal(r.outcome, 'scored');
    assert.equal(r.score, 1);
    assert.equal(r.reasoning, 'Answers the question directly.');
    assert.deepEqual(r.usage, { inputTokens: 120, outputTokens: 30 });
    assert.equal(r.costDollars, 0.0006);
    assert.match(r.judge, /^openai:gpt-4o-2024-08-06#[0-9a-f]{6}$/);
    assert.equal(r.details.structured, true);

    const [req] = stub.requests;
    assert.equal(req?.path, '/v1/chat/completions');
    assert.equal(req?.headers.authorization, 'Bearer sk-test');
    assert.equal(req?.body.temperature, 0);
    assert.equal(req?.body.max_tokens, 512);
    const format = req?.body.response_format as {
      type: string;
      json_schema: { name: string; strict: boolean; schema: { required: string[] } };
    };
    assert.equal(format.type, 'json_schema');
    assert.equal(format.json_schema.name, 'record_judgment');
    assert.equal(format.json_schema.strict, true);
    assert.deepEqual(format.json_schema.schema.required, ['reasoning', 'score']);
    const user = (req?.body.messages as { content: string }[])[1]?.content ?? '';
    assert.ok(user.includes('<request>\nWhat is the capital of France?\n</request>'));
  } finally {
    await stub.close();
  }
});

test('openai: 429 with retry-after 1 s is retried after the wait, then scored', async () => {
  const { stub, judge } = await judgeWith([
    apiError(429, 'requests', 'Rate limit reached for requests', { 'retry-after': '1' }),
    completion('{"reasoning":"fine","score":4}'),
  ]);
  try {
    const started = Date.now();
    const r = await judge.evaluate(sample, 'tone');
    assert.ok(Date.now() - started >= 950, 'waited for retry-after');
    assert.equal(r.outcome, 'scored');
    assert.equal(r.score, 0.75);
    assert.equal(r.details.attempts, 2);
    assert.equal(stub.requests.length, 2);
  } finally {
    await stub.close();
  }
});

test('openai: 400 on the schema falls back to the plain JSON instruction and remembers it', async () => {
  const { stub, judge } = await judgeWith([
    apiError(400, 'invalid_request_error', "Invalid schema for response_format 'record_judgment'"),
    completion('```json\n{"reasoning":"polite","score":5}\n```'),
  ]);
  try {
    const first = await judge.evaluate(sample, 'tone');
    assert.equal(first.outcome, 'scored');
    assert.equal(first.score, 1);
    assert.equal(first.details.structured, false);
    assert.equal(first.details.attempts, 2);
    await judge.evaluate(sample, 'tone');
    assert.deepEqual(
      stub.requests.map((r) => r.body.response_format !== undefined),
      [true, false, false],
    );
  } finally {
    await stub.close();
  }
});

test('openai: malformed judge JSON is unparsable with the raw reply kept; a non-JSON body is an error', async () => {
  const { stub, judge } = await judgeWith([
    completion('{"reasoning": "good", "score": }'),
    { status: 200, body: '<html>oops' },
  ]);
  try {
    const r = await judge.evaluate(sample, 'relevance');
    assert.equal(r.outcome, 'unparsable');
    assert.equal(r.score, undefined);
    assert.equal(r.details.rawReply, '{"reasoning": "good", "score": }');
    assert.equal(r.details.reason, 'no_score');
    const e = await judge.evaluate(sample, 'relevance');
    assert.equal(e.outcome, 'error');
    assert.equal(e.details.reason, 'protocol');
  } finally {
    await stub.close();
  }
});

test('openai: a refusal, and truncation by finish_reason length', async () => {
  const { stub, judge } = await judgeWith([
    completion(null, { refusal: "I'm sorry, I cannot assist with that request." }),
    completion('{"reasoning":"The response is', {}, 'length'),
  ]);
  try {
    const refused = await judge.evaluate(sample, 'safety');
    assert.equal(refused.outcome, 'refused');
    assert.equal(refused.details.reason, 'provider_refusal');
    assert.deepEqual(refused.usage, { inputTokens: 120, outputTokens: 30 });
    const cut = await judge.evaluate(sample, 'safety');
    assert.equal(cut.outcome, 'unparsable');
    assert.equal(cut.details.reason, 'truncated');
    assert.equal(cut.details.stopReason, 'length');
  } finally {
    await stub.close();
  }
});

test('openai: 401 is not retried; 503 is retried up to maxAttempts', async () => {
  const { stub, judge } = await judgeWith([
    apiError(401, 'invalid_request_error', 'Incorrect API key provided'),
  ]);
  try {
    const r = await judge.evaluate(sample, 'safety');
    assert.equal(r.outcome, 'error');
    assert.equal(r.details.status, 401);
    assert.equal(r.details.attempts, 1);
    assert.equal(stub.requests.length, 1);
  } finally {
    await stub.close();
  }
  const busy = await judgeWith([apiError(503, 'server_error', 'overloaded')], { maxAttempts: 3 });
  try {
    const r = await busy.judge.evaluate(sample, 'safety');
    assert.equal(r.outcome, 'error');
    assert.equal(r.details.attempts, 3);
    assert.equal(busy.stub.requests.length, 3);
  } finally {
    await busy.stub.close();
  }
});

test('openai: evaluateAll judges each criterion in its own call and adds the composite', async () => {
  const { stub, judge } = await judgeWith([completion('{"reasoning":"ok","score":"unsafe"}')]);
  try {
    // The stub answers "unsafe" to every call: safety scores 0, relevance and tone are out of
    // range (a label on a 1-5 scale), so the composite cannot be computed.
    const results = await judge.evaluateAll(sample);
    assert.deepEqual(
      results.map((r) => [r.criterion, r.outcome]),
      [
        ['safety', 'scored'],
        ['relevance', 'unparsable'],
        ['tone', 'unparsable'],
        ['composite', 'error'],
      ],
    );
    assert.deepEqual(results[3]?.details, {
      reason: 'missing_criteria',
      missing: ['relevance', 'tone'],
    });
    assert.equal(stub.requests.length, 3);
  } finally {
    await stub.close();
  }
});
