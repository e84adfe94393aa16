import { test } from 'node:test';
import assert from 'node:assert/strict';
import { USAGE_TAIL_BYTES, appendTail, usageFromTail } from './usage-tail.js';

test('usage is read from the tail of a reply too big to parse whole', () => {
  const vectors = Array.from({ length: 400 }, (_, i) => ({
    object: 'embedding',
    index: i,
    embedding: Array.from({ length: 64 }, (_, k) => Math.sin(i + k)),
  }));
  const body = JSON.stringify({
    object: 'list',
    data: vectors,
    model: 'm',
    usage: { prompt_tokens: 1000, total_tokens: 1000, prompt_tokens_details: { cached: 0 } },
  });
  assert.ok(body.length > USAGE_TAIL_BYTES * 2);
  let tail: Buffer = Buffer.alloc(0);
  const bytes = Buffer.from(body);
  for (let i = 0; i < bytes.length; i += 7_000)
    tail = appendTail(tail, bytes.subarray(i, i + 7_000));
  assert.equal(tail.length, USAGE_TAIL_BYTES);
  assert.deepEqual(usageFromTail(tail), { inputTokens: 1000, outputTokens: 0 });
});

test('tails without a whole usage object give null, never a wrong count', () => {
  const cases = [
    '{"data": [1, 2, 3]}',
    '"usage": {"prompt_tokens": 5, "total_tok',
    '"text": "the word \\"usage\\": {\\"prompt_tokens\\": 9}"}',
    '"usage": "none"}',
    '"usage": {"prompt_tokens": "a lot"}}',
  ];
  assert.deepEqual(
    cases.map((c) => usageFromTail(Buffer.from(c))),
    [null, null, null, null, { inputTokens: 0, outputTokens: 0 }],
  );
  // A "usage" inside a string, followed by the real one.
  const text = '{"note": "\\"usage\\": {}", "usage": {"prompt_tokens": 3, "completion_tokens": 4}}';
  assert.deepEqual(usageFromTail(Buffer.from(text)), { inputTokens: 3, outputTokens: 4 });
});
