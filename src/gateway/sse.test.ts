import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventData, findEventEnd, inspectEvent, readUsage } from './sse.js';

const b = (s: string) => Buffer.from(s);

test('findEventEnd finds blank-line boundaries with any line ending', () => {
  const cases: [string, number, number][] = [
    ['data: a\n\ndata: b\n\n', 0, 9],
    ['data: a\n\ndata: b\n\n', 9, 18],
    ['data: a\r\n\r\nx', 0, 11],
    ['data: a\r\rx', 0, 9],
    ['data: a\n', 0, -1],
    ['data: a\r', 0, -1],
    ['data: a\r\n\r', 0, -1],
    ['data: a\n: comment\n\n', 0, 19],
    ['', 0, -1],
  ];
  for (const [text, from, want] of cases) {
    assert.equal(findEventEnd(b(text), from), want, JSON.stringify(text));
  }
});

test('eventData joins data lines and ignores other fields', () => {
  assert.equal(eventData('data: {"a":1}\n\n'), '{"a":1}');
  assert.equal(eventData('event: x\ndata:one\ndata: two\n\n'), 'one\ntwo');
  assert.equal(eventData('data: a\r\n\r\n'), 'a');
  assert.equal(eventData(': keep-alive\n\n'), null);
});

test('inspectEvent finds content, usage and the usage-only chunk', () => {
  const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  assert.deepEqual(inspectEvent(chunk({ choices: [{ delta: { content: 'hi' } }] })), {
    hasContent: true,
    usage: null,
    usageOnly: false,
  });
  assert.equal(
    inspectEvent(chunk({ choices: [{ delta: { role: 'assistant', content: '' } }] })).hasContent,
    false,
  );
  assert.equal(inspectEvent(chunk({ choices: [{ text: 'x' }] })).hasContent, true);
  assert.equal(
    inspectEvent(chunk({ choices: [{ delta: { tool_calls: [{}] } }] })).hasContent,
    true,
  );
  assert.deepEqual(
    inspectEvent(chunk({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 9 } })),
    { hasContent: false, usage: { inputTokens: 4, outputTokens: 9 }, usageOnly: true },
  );
  assert.deepEqual(inspectEvent('data: [DONE]\n\n'), {
    hasContent: false,
    usage: null,
    usageOnly: false,
  });
  assert.deepEqual(inspectEvent('data: {not json\n\n'), {
    hasContent: false,
    usage: null,
    usageOnly: false,
  });
});

test('readUsage: implausible token counts from an upstream count as 0', () => {
  const usage = (prompt: unknown, completion: unknown) =>
    readUsage({ usage: { prompt_tokens: prompt, completion_tokens: completion } });
  assert.deepEqual(usage(12, 5), { inputTokens: 12, outputTokens: 5 });
  assert.deepEqual(usage(1e308, -3), { inputTokens: 0, outputTokens: 0 });
  assert.deepEqual(usage(1.5, '7'), { inputTokens: 0, outputTokens: 0 });
  assert.deepEqual(usage(100_000_001, 100_000_000), { inputTokens: 0, outputTokens: 100_000_000 });
});
