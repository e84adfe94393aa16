import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickCopy, type ComponentRoute, type CopyRoute } from './routing.js';

function route(copies: { name: string; outstanding: number; maxOutstanding?: number }[]) {
  return {
    name: 'c',
    endpoint: 'e',
    cursor: 0,
    copies: copies.map(
      (c) => ({ ...c, maxOutstanding: c.maxOutstanding ?? Infinity }) as unknown as CopyRoute,
    ),
  } as unknown as ComponentRoute;
}

test('least outstanding wins; ties take turns from an advancing cursor', () => {
  const r = route([
    { name: 'a', outstanding: 3 },
    { name: 'b', outstanding: 1 },
    { name: 'c', outstanding: 2 },
  ]);
  assert.equal(pickCopy(r).name, 'b');
  const idle = route([
    { name: 'a', outstanding: 0 },
    { name: 'b', outstanding: 0 },
  ]);
  assert.deepEqual(
    [pickCopy(idle).name, pickCopy(idle).name, pickCopy(idle).name],
    ['a', 'b', 'a'],
  );
});

test('a copy at its maxOutstanding is passed over while another copy has room', () => {
  const r = route([
    { name: 'small', outstanding: 1, maxOutstanding: 1 },
    { name: 'big', outstanding: 7 },
  ]);
  assert.equal(pickCopy(r).name, 'big');
  assert.equal(pickCopy(r).name, 'big');
});

test('when every copy is at its limit the least loaded one is still used', () => {
  const r = route([
    { name: 'a', outstanding: 4, maxOutstanding: 4 },
    { name: 'b', outstanding: 2, maxOutstanding: 2 },
  ]);
  assert.equal(pickCopy(r).name, 'b');
});
