import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSampler, hashToUnit, type SamplingPolicy } from './sampling.js';

const policy: SamplingPolicy = {
  rate: 0.1,
  minSamplesPerWindow: 0,
  windowMs: 60_000,
  maxJudgeSpendDollarsPerHour: 100,
  estimatedCostDollarsPerSample: 0.01,
};

test('hashToUnit is deterministic and in [0,1)', () => {
  assert.equal(hashToUnit('req-1'), hashToUnit('req-1'));
  for (let i = 0; i < 1000; i += 1) {
    const h = hashToUnit(`r${i}`);
    assert.ok(h >= 0 && h < 1);
  }
});

test('rate selects by request id, the same ids for every caller', () => {
  let now = 0;
  const a = createSampler(
    () => policy,
    () => now,
  );
  const b = createSampler(
    () => policy,
    () => now,
  );
  const ids = Array.from({ length: 10_000 }, (_, i) => `req-${i}`);
  const pickedA = ids.filter((id) => a.shouldSample(id, 'chat'));
  const pickedB = ids.filter((id) => b.shouldSample(id, 'chat'));
  assert.deepEqual(pickedA, pickedB);
  assert.equal(pickedA.length, ids.filter((id) => hashToUnit(id) < 0.1).length);
  assert.ok(pickedA.length > 900 && pickedA.length < 1100);
  now += 1;
});

test('minimum per window tops up quiet components and resets each window', () => {
  let now = 0;
  const s = createSampler(
    () => ({ ...policy, rate: 0, minSamplesPerWindow: 3 }),
    () => now,
  );
  const decisions = ['a', 'b', 'c', 'd'].map((id) => s.decide(id, 'quiet'));
  assert.deepEqual(decisions, [
    { sampled: true, reason: 'minimum' },
    { sampled: true, reason: 'minimum' },
    { sampled: true, reason: 'minimum' },
    { sampled: false, reason: 'not_selected' },
  ]);
  assert.deepEqual(s.stats('quiet'), {
    windowRequests: 4,
    windowSampled: 3,
    spendLastHourDollars: 0.03,
  });
  now = 60_000;
  assert.deepEqual(s.decide('e', 'quiet'), { sampled: true, reason: 'minimum' });
  assert.equal(s.stats('other').windowRequests, 0);
});

test('spend cap: estimates reserve, actual spend replaces them, an hour later it frees', () => {
  let now = 0;
  const s = createSampler(
    () => ({ ...policy, rate: 1, maxJudgeSpendDollarsPerHour: 0.03 }),
    () => now,
  );
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((id) => s.decide(id, 'x').reason),
    ['rate', 'rate', 'rate', 'budget'],
  );
  s.recordSpend('a', 'x', 0);
  assert.equal(s.stats('x').spendLastHourDollars, 0.02);
  assert.equal(s.shouldSample('e', 'x'), true);
  assert.equal(s.shouldSample('f', 'x'), false);
  s.recordSpend('unknown', 'x', 0.5);
  now = 3_600_001;
  assert.equal(s.stats('x').spendLastHourDollars, 0);
  assert.equal(s.shouldSample('g', 'x'), true);
});
