import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qualityConfigSchema } from './config.js';

test('empty quality config gets every default', () => {
  const config = qualityConfigSchema.parse({});
  assert.deepEqual(config.sampling, {
    rate: 0.05,
    minSamplesPerWindow: 20,
    windowSeconds: 600,
    maxJudgeSpendDollarsPerHour: 1,
    estimatedCostDollarsPerSample: 0.002,
  });
  assert.equal(config.redactionTypes.length, 8);
  assert.deepEqual(config.regexRules, []);
  assert.deepEqual(config.components, {});
});

test('bad regex rule and unknown redaction type are reported with their paths', () => {
  const result = qualityConfigSchema.safeParse({
    redactionTypes: ['EMAIL', 'NAME'],
    regexRules: [{ name: 'brand', pattern: '(', mode: 'must_match' }],
    components: { chat: { sampling: { rate: 2 } } },
  });
  assert.equal(result.success, false);
  const paths = result.error?.issues.map((i) => i.path.join('.'));
  assert.deepEqual(paths, [
    'redactionTypes.1',
    'regexRules.0.pattern',
    'components.chat.sampling.rate',
  ]);
  assert.match(
    result.error?.issues[1]?.message ?? '',
    /regex rule "brand" has an invalid pattern "\("/,
  );
});
