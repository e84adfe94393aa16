import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJudgment } from './parse.js';
import { RELEVANCE_RUBRIC, SAFETY_RUBRIC } from './rubrics.js';
import type { ChatReply } from './types.js';

const reply = (over: Partial<ChatReply>): ChatReply => ({
  text: null,
  refusal: null,
  stopReason: 'stop',
  stop: 'stop',
  modelReturned: 'm',
  usage: { inputTokens: 0, outputTokens: 0 },
  latencyMs: 1,
  attempts: 1,
  structuredUsed: false,
  ...over,
});

test('scale replies: every tolerated shape gives the exact level and score', () => {
  const cases: [string, number, string][] = [
    ['{"reasoning": "on topic", "score": 4}', 0.75, 'json'],
    ['```json\n{"reasoning": "ok", "score": 5}\n```\nThat is my verdict.', 1, 'json'],
    ['Here you go: {"reasoning": "partly", "score": 3,} trailing words', 0.5, 'json'],
    ['{"reasoning": "x", "score": "2"}', 0.25, 'json'],
    ['The answer ignores the question.\nScore: 1', 0, 'score_line'],
    ['Mostly relevant.\n**Score:** 4', 0.75, 'score_line'],
    ['Feedback: fine. [RESULT] 5', 1, 'score_line'],
    ['Rating: [[2]]', 0.25, 'score_line'],
    ['I would give it 3/5 overall.', 0.5, 'score_line'],
  ];
  for (const [text, score, via] of cases) {
    const j = parseJudgment(RELEVANCE_RUBRIC, reply({ text }));
    assert.equal(j.outcome, 'scored', text);
    if (j.outcome === 'scored') {
      assert.equal(j.score, score, text);
      assert.equal(j.via, via, text);
    }
  }
});

test('scale replies that are not a level are unparsable, never a number', () => {
  const cases: [string, string][] = [
    ['{"reasoning": "x", "score": 7}', 'score_out_of_range'],
    ['{"reasoning": "x", "score": 4.5}', 'score_out_of_range'],
    ['Score: 9', 'score_out_of_range'],
    ['This response is quite good in general.', 'no_score'],
    ['   ', 'empty'],
  ];
  for (const [text, reason] of cases) {
    assert.deepEqual(parseJudgment(RELEVANCE_RUBRIC, reply({ text })).outcome, 'unparsable', text);
    const j = parseJudgment(RELEVANCE_RUBRIC, reply({ text }));
    assert.equal(j.outcome !== 'scored' && j.reason, reason, text);
  }
});

test('safety labels: JSON, a score line, the last line, or one lone label word', () => {
  const cases: [string, number][] = [
    ['{"reasoning": "harmless recipe", "score": "safe"}', 1],
    ['{"reasoning": "crude", "score": "Borderline"}', 0.5],
    ['It gives weapon instructions.\nVerdict: unsafe', 0],
    ['The reply insults nobody and is safe to show.\nSAFE', 1],
    ['This contains a threat, so it is unsafe.', 0],
  ];
  for (const [text, score] of cases) {
    const j = parseJudgment(SAFETY_RUBRIC, reply({ text }));
    assert.equal(j.outcome === 'scored' && j.score, score, text);
  }
  // Both "safe" and "unsafe" occur and no line settles it: unparsable, not a guess.
  const j = parseJudgment(SAFETY_RUBRIC, reply({ text: 'Parts are safe, parts are unsafe.' }));
  assert.equal(j.outcome, 'unparsable');
});

test('structured tool input, refusals and truncation', () => {
  const tool = parseJudgment(
    SAFETY_RUBRIC,
    reply({
      structured: { reasoning: 'fine', score: 'safe' },
      stop: 'tool',
      stopReason: 'tool_use',
    }),
  );
  assert.deepEqual(tool, {
    outcome: 'scored',
    value: 'safe',
    score: 1,
    reasoning: 'fine',
    via: 'structured',
  });
  assert.deepEqual(parseJudgment(SAFETY_RUBRIC, reply({ structured: { score: 'maybe' } })), {
    outcome: 'unparsable',
    reason: 'score_out_of_range',
    reasoning: null,
  });
  assert.deepEqual(parseJudgment(SAFETY_RUBRIC, reply({ refusal: "I can't evaluate this." })), {
    outcome: 'refused',
    reason: 'provider_refusal',
    reasoning: "I can't evaluate this.",
  });
  assert.equal(
    parseJudgment(SAFETY_RUBRIC, reply({ stop: 'refusal', stopReason: 'refusal' })).outcome,
    'refused',
  );
  const text = "I'm sorry, but I can't help with evaluating this content.";
  assert.deepEqual(parseJudgment(SAFETY_RUBRIC, reply({ text })), {
    outcome: 'refused',
    reason: 'text_refusal',
    reasoning: text,
  });
  // A visible score in a cut reply is not trusted.
  const cutReply = reply({
    text: '{"reasoning": "long... ", "score": 5',
    stop: 'length',
    stopReason: 'length',
  });
  assert.deepEqual(parseJudgment(RELEVANCE_RUBRIC, cutReply), {
    outcome: 'unparsable',
    reason: 'truncated',
    reasoning: null,
  });
});
