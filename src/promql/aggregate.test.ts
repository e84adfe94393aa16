import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '../store/types.js';
import { aggregate, groupOf } from './aggregate.js';
import type { AggregateNode } from './ast.js';

function node(grouping: string[], without = false): AggregateNode {
  const expr = { kind: 'number', value: 0 } as unknown as AggregateNode['expr'];
  return { kind: 'aggregate', op: 'sum', expr, param: null, grouping, without };
}

describe('groupOf', () => {
  it('shares group objects between queries with the same grouping, not with others', () => {
    const a: Labels = { __name__: 'm', job: 'x', le: '1' };
    const b: Labels = { __name__: 'm', job: 'x', le: '2' };
    const first = groupOf(node(['job']));
    const second = groupOf(node(['job']));
    assert.equal(first(a), first(b));
    assert.equal(second(a), first(a));
    assert.deepEqual(first(a), { job: 'x' });
    assert.deepEqual(groupOf(node(['job'], true))(a), { le: '1' });
    assert.notEqual(groupOf(node(['job', 'le']))(a), groupOf(node(['le', 'job']))(a));
    assert.deepEqual(Object.keys(groupOf(node(['le', 'job']))(a)), ['le', 'job']);
  });

  it('starts a grouping over past 100,000 groups; each step stays consistent', () => {
    const grouping = ['n'];
    const before = groupOf(node(grouping));
    const kept: Labels = { n: 'kept', m: '1' };
    const keptGroup = before(kept);
    for (let i = 0; i < 100_000; i++) before({ n: String(i) });
    const after = groupOf(node(grouping));
    assert.notEqual(after, before);
    // The old function still gives its own objects; the new one new but equal ones.
    assert.equal(before({ n: 'kept', m: '2' }), keptGroup);
    const fresh = after({ n: 'kept', m: '2' });
    assert.notEqual(fresh, keptGroup);
    assert.deepEqual(fresh, keptGroup);
    assert.equal(after({ n: 'kept', m: '3' }), fresh);
    const samples = [kept, { n: 'kept', m: '2' }, { n: 'other' }].map((labels) => ({
      labels,
      value: 1,
    }));
    assert.deepEqual(aggregate(node(grouping), samples, undefined), [
      { labels: { n: 'kept' }, value: 2 },
      { labels: { n: 'other' }, value: 1 },
    ]);
  });
});
