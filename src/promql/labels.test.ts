import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsKey, memoizeLabels, withoutName } from './labels.js';

test('labelsKey is the same for equal label sets in any key order, and differs otherwise', () => {
  const a = { __name__: 'x', job: 'a', le: '+Inf' };
  const b = { le: '+Inf', job: 'a', __name__: 'x' };
  assert.equal(labelsKey(a), '[["__name__","x"],["job","a"],["le","+Inf"]]');
  assert.equal(labelsKey(b), labelsKey(a));
  assert.equal(labelsKey(a), labelsKey(a)); // from the cache
  assert.notEqual(labelsKey({ job: 'a"],["le' }), labelsKey({ job: 'a', le: '' }));
  assert.equal(labelsKey({}), '[]');
});

test('memoizeLabels derives once per label object and keeps the input unchanged', () => {
  let calls = 0;
  const derive = memoizeLabels((labels) => {
    calls++;
    return { job: labels.job ?? '' };
  });
  const a = { __name__: 'x', job: 'a' };
  const first = derive(a);
  assert.equal(derive(a), first);
  assert.equal(calls, 1);
  assert.deepEqual(derive({ ...a }), { job: 'a' }); // an equal copy is another object
  assert.equal(calls, 2);

  const named = { __name__: 'x', job: 'a' };
  assert.deepEqual(withoutName(named), { job: 'a' });
  assert.equal(withoutName(named), withoutName(named));
  assert.deepEqual(named, { __name__: 'x', job: 'a' });
});
