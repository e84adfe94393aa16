import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertValidRules, validateRules } from './validate.js';

describe('validateRules', () => {
  it('accepts valid rules, colons in names and scalar expressions', () => {
    assert.deepEqual(
      validateRules([
        { record: 'job:up:sum', expr: 'sum by (job) (up)', labels: { team: 'ml' } },
        { record: 'answer', expr: '42' },
      ]),
      [],
    );
    assert.doesNotThrow(() => assertValidRules([]));
  });

  it('reports every problem of every rule with its index', () => {
    assert.deepEqual(
      validateRules([
        { record: 'ok', expr: 'up' },
        'not a rule',
        { record: 'bad-name', expr: 'up[5m]' },
        { record: 'x', expr: 'sum(up', labels: { __tenant: 'a', '9x': 'b', ok: 3 } },
        { expr: '' },
      ]),
      [
        'rules[1] must be an object with record and expr, got "not a rule"',
        'rules[2].record must be a metric name like "llm_cost_dollars_per_hour" (letters, digits, ' +
          '"_" and ":", not starting with a digit), got "bad-name"',
        'rules[2].expr must evaluate to an instant vector or a scalar, got a matrix; wrap a range ' +
          'selector in a function such as rate()',
        'rules[3].expr: 1:7: parse error: unexpected end of input',
        'rules[3].labels has invalid name "__tenant"; use letters, digits and "_", not starting ' +
          'with a digit or "__"',
        'rules[3].labels has invalid name "9x"; use letters, digits and "_", not starting with a ' +
          'digit or "__"',
        'rules[3].labels.ok must be a string, got number',
        'rules[4].record must be a metric name like "llm_cost_dollars_per_hour" (letters, digits, ' +
          '"_" and ":", not starting with a digit), got undefined',
        'rules[4].expr must be a non-empty PromQL expression, got ""',
      ],
    );
  });

  it('refuses a string expression and a non-list', () => {
    assert.deepEqual(validateRules([{ record: 's', expr: '"text"' }]), [
      'rules[0].expr must evaluate to an instant vector or a scalar, got a string; wrap a range ' +
        'selector in a function such as rate()',
    ]);
    assert.deepEqual(validateRules({} as unknown as unknown[]), [
      'rules must be a list of {record, expr, labels?}',
    ]);
  });

  it('throws one error listing all problems', () => {
    assert.throws(
      () =>
        assertValidRules([
          { record: 'a', expr: 'up' },
          { record: '', expr: 'up' },
        ]),
      {
        code: 'rules_invalid',
        message:
          '1 problem(s) in recording rules:\n  - rules[1].record must be a metric name like ' +
          '"llm_cost_dollars_per_hour" (letters, digits, "_" and ":", not starting with a digit), got ""',
      },
    );
  });
});
