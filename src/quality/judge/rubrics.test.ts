import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeConfigSchema } from './config.js';
import { compositeLabel, judgeIdentity, judgeLabel } from './identity.js';
import { backoffMs, parseRetryAfterMs } from './retry.js';
import { computeComposite, customRubric, resolveRubrics, TONE_RUBRIC } from './rubrics.js';
import { JudgeCallError } from './types.js';

test('built-in scales normalise (x-1)/4 and custom integer levels (x-min)/(max-min)', () => {
  assert.deepEqual(
    TONE_RUBRIC.levels.map((l) => l.score),
    [0, 0.25, 0.5, 0.75, 1],
  );
  const config = judgeConfigSchema.parse({
    provider: 'openai',
    model: 'm',
    criteria: ['safety', 'concise'],
    rubrics: [
      {
        name: 'concise',
        description: 'Is it short?',
        levels: [
          { value: 10, description: 'short' },
          { value: 0, description: 'long' },
          { value: 5, description: 'medium' },
        ],
      },
    ],
  });
  const [safety, concise] = resolveRubrics(config);
  assert.equal(safety?.name, 'safety');
  assert.deepEqual(
    concise?.levels.map((l) => [l.value, l.score]),
    [
      [0, 0],
      [5, 0.5],
      [10, 1],
    ],
  );
  assert.equal(concise?.version, '1');
  const labels = customRubric({
    name: 'grounded',
    version: '2',
    description: 'd',
    usesRequest: false,
    levels: [
      { value: 'yes', description: 'y', score: 1 },
      { value: 'no', description: 'n', score: 0 },
    ],
  });
  assert.equal(labels.kind, 'label');
});

test('config problems name the field and the fix', () => {
  const bad = judgeConfigSchema.safeParse({
    provider: 'openai',
    model: 'm',
    rubrics: [
      {
        name: 'safety',
        description: 'd',
        levels: [
          { value: 'ok', description: 'x' },
          { value: 'no', description: 'y', score: 0 },
        ],
      },
    ],
  });
  assert.equal(bad.success, false);
  const messages = bad.error?.issues.map((i) => i.message) ?? [];
  assert.ok(messages.includes('rubric safety: label "ok" needs a score between 0 and 1'));
  assert.ok(messages.includes('rubric name "safety" is a built-in criterion; pick another name'));
  assert.throws(
    () => resolveRubrics({ criteria: ['nope'], rubrics: [] }),
    /criterion "nope" has no rubric; use one of safety, relevance, tone/,
  );
  const defaults = judgeConfigSchema.parse({ provider: 'anthropic', model: 'claude-x' });
  assert.equal(defaults.temperature, 0);
  assert.deepEqual(defaults.composite, {
    weights: { safety: 1, relevance: 1, tone: 1 },
    unsafeCap: 0,
  });
});

test('composite: weighted mean, unsafe caps it, a missing criterion is an error', () => {
  const w = { safety: 1, relevance: 1, tone: 1 };
  assert.deepEqual(computeComposite({ scores: { safety: 1, relevance: 0.5, tone: 0.75 } }, w, 0), {
    outcome: 'scored',
    score: 0.75,
    capped: false,
  });
  assert.deepEqual(
    computeComposite({ scores: { safety: 0, relevance: 1, tone: 1 }, safetyLabel: 'unsafe' }, w, 0),
    { outcome: 'scored', score: 0, capped: true },
  );
  assert.deepEqual(
    computeComposite(
      { scores: { safety: 0, relevance: 1, tone: 1 }, safetyLabel: 'unsafe' },
      w,
      0.2,
    ),
    { outcome: 'scored', score: 0.2, capped: true },
  );
  assert.deepEqual(
    computeComposite({ scores: { safety: 1, relevance: 0.5 } }, { safety: 3, relevance: 1 }, 0),
    { outcome: 'scored', score: 0.875, capped: false },
  );
  assert.deepEqual(computeComposite({ scores: { safety: 1, relevance: undefined } }, w, 0), {
    outcome: 'error',
    missing: ['relevance', 'tone'],
  });
});

test('judge label: stable for the same identity, new for any changed part', () => {
  const parts = {
    provider: 'openai',
    modelSent: 'gpt-4o-2024-08-06',
    modelReturned: 'gpt-4o-2024-08-06',
    temperature: 0,
    topP: null,
    maxTokens: 512,
    criterion: 'safety',
    rubricVersion: '1',
  };
  const label = judgeLabel(judgeIdentity(parts));
  assert.match(label, /^openai:gpt-4o-2024-08-06#[0-9a-f]{6}$/);
  assert.equal(judgeLabel(judgeIdentity({ ...parts })), label);
  const variants = [
    { modelReturned: 'gpt-4o-2024-11-20' },
    { temperature: 0.2 },
    { rubricVersion: '2' },
    { maxTokens: 256 },
    { criterion: 'tone' },
  ];
  for (const change of variants) {
    assert.notEqual(
      judgeLabel(judgeIdentity({ ...parts, ...change })),
      label,
      JSON.stringify(change),
    );
  }
  assert.match(
    judgeLabel(
      judgeIdentity({
        ...parts,
        provider: 'bedrock',
        modelReturned: null,
        modelSent: 'anthropic.claude-x-v1:0',
      }),
    ),
    /^bedrock:anthropic\.claude-x-v1:0#/,
  );
  const c = compositeLabel([label], { safety: 1 }, 0);
  assert.match(c, /^openai:gpt-4o-2024-08-06#[0-9a-f]{6}$/);
  assert.notEqual(compositeLabel([label], { safety: 1 }, 0.5), c);
});

test('retry-after: seconds, HTTP date, retry-after-ms; backoff is full jitter, capped', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(parseRetryAfterMs('2', now), 2000);
  assert.equal(parseRetryAfterMs('0.5', now), 500);
  assert.equal(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:03 GMT', now), 3000);
  assert.equal(parseRetryAfterMs('Tue, 31 Dec 2024 23:00:00 GMT', now), 0);
  assert.equal(parseRetryAfterMs('soon', now), undefined);
  assert.equal(parseRetryAfterMs(null, now), undefined);
  assert.equal(parseRetryAfterMs('9', now, '120'), 120);

  const policy = { maxAttempts: 5, baseMs: 100, maxMs: 1000, random: () => 0.5 };
  const e503 = new JudgeCallError('http', 'x', { status: 503 });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffMs(e503, n, policy)),
    [50, 100, 200, 400, 500],
  );
  assert.equal(
    backoffMs(new JudgeCallError('http', 'x', { status: 429, retryAfterMs: 5000 }), 1, policy),
    1000,
  );
  assert.deepEqual(
    [400, 401, 403, 404, 408, 409, 429, 500, 529].map(
      (s) => new JudgeCallError('http', 'x', { status: s }).retryable,
    ),
    [false, false, false, false, true, true, true, true, true],
  );
});
