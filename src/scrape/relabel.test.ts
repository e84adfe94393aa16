import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '../store/types.js';
import { compileRelabelRules, expandReplacement, relabel, relabelRuleSchema } from './relabel.js';

const rules = (...raw: unknown[]) =>
  compileRelabelRules(raw.map((r) => relabelRuleSchema.parse(r)));
const START: Labels = {
  __address__: '10.0.0.5:8000',
  __meta_filepath: '/etc/llmwatch/vllm.json',
  team: 'search',
  env: 'prod',
};

describe('relabel', () => {
  const cases: Array<{ name: string; rules: unknown[]; want: Labels | null }> = [
    {
      name: 'replace: copy from the address host with a group',
      rules: [{ sourceLabels: ['__address__'], regex: '([^:]+):\\d+', targetLabel: 'copy' }],
      want: { ...START, copy: '10.0.0.5' },
    },
    {
      name: 'replace: joins sources with the separator, ${1} and a literal',
      rules: [
        {
          sourceLabels: ['team', 'env'],
          separator: '/',
          regex: '(.*)/(.*)',
          targetLabel: 'component',
          replacement: '${1}-$2-x',
        },
      ],
      want: { ...START, component: 'search-prod-x' },
    },
    {
      name: 'replace: regex is anchored, a partial match changes nothing',
      rules: [{ sourceLabels: ['env'], regex: 'pro', targetLabel: 'endpoint', replacement: 'p' }],
      want: START,
    },
    {
      name: 'replace: an empty result deletes the target label',
      rules: [{ sourceLabels: ['missing'], targetLabel: 'team' }],
      want: {
        __address__: '10.0.0.5:8000',
        __meta_filepath: '/etc/llmwatch/vllm.json',
        env: 'prod',
      },
    },
    {
      name: 'replace: constant value with no sources',
      rules: [{ targetLabel: 'endpoint', replacement: 'gpu-fleet' }],
      want: { ...START, endpoint: 'gpu-fleet' },
    },
    {
      name: 'keep: matching target stays',
      rules: [{ action: 'keep', sourceLabels: ['env'], regex: 'prod|stage' }],
      want: START,
    },
    {
      name: 'keep: other target dropped',
      rules: [{ action: 'keep', sourceLabels: ['env'], regex: 'stage' }],
      want: null,
    },
    {
      name: 'drop: matching target dropped',
      rules: [{ action: 'drop', sourceLabels: ['team'], regex: 'se.*' }],
      want: null,
    },
    {
      name: 'drop: other target stays',
      rules: [{ action: 'drop', sourceLabels: ['team'], regex: 'ads' }],
      want: START,
    },
    {
      name: 'labelmap: copies matching names under the replacement name',
      rules: [{ action: 'labelmap', regex: '__meta_(.+)', replacement: 'meta_$1' }],
      want: { ...START, meta_filepath: '/etc/llmwatch/vllm.json' },
    },
    {
      name: 'labeldrop and labelkeep work on names',
      rules: [
        { action: 'labeldrop', regex: 'team' },
        { action: 'labelkeep', regex: '__.*|env' },
      ],
      want: {
        __address__: '10.0.0.5:8000',
        __meta_filepath: '/etc/llmwatch/vllm.json',
        env: 'prod',
      },
    },
    {
      name: 'rules run in order: a label written earlier is read later',
      rules: [
        { sourceLabels: ['team'], targetLabel: 'component' },
        { action: 'keep', sourceLabels: ['component'], regex: 'search' },
      ],
      want: { ...START, component: 'search' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(relabel(START, rules(...c.rules)), c.want));
  }

  it('never changes its input', () => {
    const input = { ...START };
    relabel(input, rules({ targetLabel: 'team', replacement: 'x' }));
    assert.deepEqual(input, START);
  });
});

describe('expandReplacement', () => {
  const m = /^(?<host>[a-z]+)-(\d+)$/.exec('web-42') as RegExpExecArray;
  const cases: Array<[string, string]> = [
    ['$1', 'web'],
    ['${2}x', '42x'],
    ['$2x', ''],
    ['${host}:$2', 'web:42'],
    ['$$1', '$1'],
    ['$9', ''],
    ['plain', 'plain'],
  ];
  for (const [template, want] of cases) {
    it(`${template} → ${JSON.stringify(want)}`, () =>
      assert.equal(expandReplacement(template, m), want));
  }
});

describe('relabelRuleSchema', () => {
  it('refuses a bad regex, a replace without targetLabel and an unknown action', () => {
    const messages = (input: unknown) =>
      relabelRuleSchema
        .safeParse(input)
        .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.deepEqual(messages({ regex: '(unclosed', targetLabel: 'a' }), [
      'regex: regex "(unclosed" does not compile; fix its syntax',
    ]);
    assert.deepEqual(messages({ sourceLabels: ['a'] }), [
      'targetLabel: a replace rule needs targetLabel (the label it writes)',
    ]);
    assert.equal(messages({ action: 'hashmod', targetLabel: 'a' })?.length, 1);
    assert.deepEqual(relabelRuleSchema.parse({ action: 'drop' }), {
      action: 'drop',
      sourceLabels: [],
      separator: ';',
      regex: '(.*)',
      replacement: '$1',
    });
  });
});
