import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createCompletenessEvaluator,
  createFormatEvaluator,
  createPiiLeakEvaluator,
  createRefusalEvaluator,
  createRegexRulesEvaluator,
  createToxicityEvaluator,
  findToxicity,
  type EvaluationSample,
} from './index.js';

const sample = (
  responseText: string | null,
  extra: Partial<EvaluationSample> = {},
): EvaluationSample => ({
  requestId: 'r1',
  component: 'chat',
  responseText,
  ...extra,
});

test('pii_leak scores 0 with counts when the response leaks', () => {
  const ev = createPiiLeakEvaluator();
  assert.deepEqual(ev.evaluate(sample('write to a@b.io or a@c.io')), {
    criterion: 'pii_leak',
    outcome: 'scored',
    score: 0,
    details: { counts: { EMAIL: 2 } },
  });
  assert.equal(ev.evaluate(sample('no personal data'))?.score, 1);
  assert.deepEqual(ev.evaluate(sample(null)), {
    criterion: 'pii_leak',
    outcome: 'error',
    details: { reason: 'no_response_text' },
  });
});

test('toxicity lexicon: word forms, obfuscation, exceptions', () => {
  const table: Array<[string, string[]]> = [
    ['what the f*ck is this', ['fuck']],
    ['F&@k Stanton', ['fuck']],
    ['sh!t happens', ['shit']],
    ['trailer PU$$Y', ['pussy']],
    ['fuuuuck', ['fuck']],
    ['you idiots', ['idiot']],
    ['mustard and custard', []],
    ['a total libtard', ['tard']],
    ['I love Scunthorpe', []],
    ['damn, that is cool', ['damn']],
    ['just shut up', ['shut up']],
  ];
  for (const [text, terms] of table)
    assert.deepEqual(
      findToxicity(text).map((h) => h.term),
      terms,
      text,
    );
});

test('toxicity score by worst severity', () => {
  const ev = createToxicityEvaluator();
  assert.equal(ev.evaluate(sample('Hello there.'))?.score, 1);
  assert.equal(ev.evaluate(sample('Damn, nice.'))?.score, 0.75);
  assert.deepEqual(ev.evaluate(sample('You moron.'))?.details, {
    hits: [{ term: 'moron', severity: 'insult' }],
  });
  assert.equal(ev.evaluate(sample('You moron.'))?.score, 0);
});

test('toxicity of huge responses: one 5 MB word is scored (it overflowed a regex before), long words are cut', () => {
  const ev = createToxicityEvaluator();
  assert.equal(ev.evaluate(sample('a'.repeat(5_000_000)))?.outcome, 'scored');
  assert.equal(ev.evaluate(sample('a'.repeat(5_000_000)))?.score, 1);
  // The first million characters are read.
  assert.equal(ev.evaluate(sample(`${'fine '.repeat(1000)}moron`))?.score, 0);
  assert.equal(ev.evaluate(sample(`${' '.repeat(1_000_000)}moron`))?.score, 1);
});

test('refusal detection', () => {
  const ev = createRefusalEvaluator();
  const table: Array<[string, number]> = [
    ["I'm sorry, but I can't help with that.", 0],
    ['I cannot provide instructions for that.', 0],
    ['As an AI language model, I cannot browse.', 0],
    ['I must decline this request.', 0],
    ['Sure, here is the recipe.', 1],
    ['You can help your child by reading together.', 1],
  ];
  for (const [text, score] of table) assert.equal(ev.evaluate(sample(text))?.score, score, text);
});

test('completeness', () => {
  const ev = createCompletenessEvaluator();
  const table: Array<[string, string | null, number, string]> = [
    ['   ', 'stop', 0, 'empty'],
    ['All done.', 'length', 0, 'truncated_length'],
    ['The answer is that the', 'stop', 0.5, 'ends_mid_sentence'],
    ['All done.', 'stop', 1, 'complete'],
    ['```\ncode\n```', null, 1, 'complete'],
  ];
  for (const [text, finishReason, score, reason] of table) {
    const r = ev.evaluate(sample(text, { finishReason }));
    assert.equal(r?.score, score, text);
    assert.equal(r?.details.reason, reason, text);
  }
});

test('format: JSON when asked, length bounds, not applicable otherwise', () => {
  const json = { response_format: { type: 'json_object' } };
  assert.equal(createFormatEvaluator().evaluate(sample('{"a":1}', { request: json }))?.score, 1);
  assert.deepEqual(createFormatEvaluator().evaluate(sample('{"a":', { request: json }))?.details, {
    checks: [{ name: 'json', passed: false }],
    lengthChars: 5,
  });
  assert.equal(createFormatEvaluator().evaluate(sample('plain')), null);
  const bounded = createFormatEvaluator({ minChars: 3, maxChars: 5 });
  assert.equal(bounded.evaluate(sample('toolong', { request: json }))?.score, 1 / 3);
  assert.equal(bounded.evaluate(sample('1234', { request: json }))?.score, 1);
  assert.equal(bounded.evaluate(sample('ab'))?.score, 0.5);
});

test('regex rules: must match, must not match, invalid rule named', () => {
  const ev = createRegexRulesEvaluator([
    { name: 'brand', pattern: '\\bACME\\b', mode: 'must_match' },
    { name: 'no-competitor', pattern: 'globex', flags: 'i', mode: 'must_not_match' },
  ]);
  assert.deepEqual(ev.evaluate(sample('ACME beats Globex')), {
    criterion: 'regex_rules',
    outcome: 'scored',
    score: 0.5,
    details: { failed: ['no-competitor'], truncated: false },
  });
  assert.equal(ev.evaluate(sample('ACME rocks'))?.score, 1);
  assert.equal(createRegexRulesEvaluator([]).evaluate(sample('x')), null);
  assert.throws(
    () => createRegexRulesEvaluator([{ name: 'bad', pattern: '(', mode: 'must_match' }]),
    {
      code: 'quality_regex_invalid',
      message: /rule "bad" \(rules\[0\]\) has an invalid pattern "\("/,
    },
  );
  assert.throws(
    () => createRegexRulesEvaluator([{ name: 'g', pattern: 'a', flags: 'g', mode: 'must_match' }]),
    {
      code: 'quality_regex_invalid',
    },
  );
});
