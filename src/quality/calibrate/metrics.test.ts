import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageRanks, cohenKappa, pairFigures, spearman } from './metrics.js';

test('Cohen kappa, hand-computed', () => {
  // 10 items: both yes 4, both no 3, A yes/B no 2, A no/B yes 1. po = 0.7;
  // A yes 6/10, B yes 5/10: pe = 0.6*0.5 + 0.4*0.5 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4.
  const pairs: [boolean, boolean][] = [
    ...Array.from({ length: 4 }, () => [true, true] as [boolean, boolean]),
    ...Array.from({ length: 3 }, () => [false, false] as [boolean, boolean]),
    ...Array.from({ length: 2 }, () => [true, false] as [boolean, boolean]),
    [false, true],
  ];
  assert.ok(Math.abs((cohenKappa(pairs) ?? 0) - 0.4) < 1e-12);
  // Three categories: po = 5/6; A: a 2, b 2, c 2; B: a 3, b 1, c 2;
  // pe = (2*3 + 2*1 + 2*2)/36 = 1/3; kappa = (5/6 - 1/3)/(2/3) = 0.75.
  const k = cohenKappa([
    ['a', 'a'],
    ['a', 'a'],
    ['b', 'b'],
    ['b', 'a'],
    ['c', 'c'],
    ['c', 'c'],
  ] as const);
  assert.ok(Math.abs((k ?? 0) - 0.75) < 1e-12);
  assert.equal(cohenKappa([]), null);
  assert.equal(
    cohenKappa([
      [1, 1],
      [1, 1],
    ] as const),
    1,
  );
});

test('Spearman with ties uses average ranks, hand-computed', () => {
  assert.deepEqual(averageRanks([10, 20, 20, 30]), [1, 2.5, 2.5, 4]);
  assert.equal(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 0.8207826816681233);
  // x ranks [1,2.5,2.5,4], y ranks [1,2,3,4]: cov sum = 1.5*1.5 + 0 + 0 + 1.5*1.5 = 4.5,
  // sxx = 4.5, syy = 5: rho = 4.5 / sqrt(22.5) = 0.9486832980505138.
  assert.equal(spearman([10, 20, 20, 30], [1, 2, 3, 4]), 0.9486832980505138);
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
  assert.equal(spearman([1, 1, 1], [1, 2, 3]), null);
});

test('pairwise accuracy counts a tie as half', () => {
  assert.deepEqual(
    pairFigures([
      [1, 0],
      [0.5, 0.5],
      [0, 1],
      [1, 0.75],
    ]),
    {
      n: 4,
      correct: 2,
      wrong: 1,
      ties: 1,
      accuracy: 0.625,
      accuracyExcludingTies: 2 / 3,
    },
  );
  assert.deepEqual(pairFigures([]), {
    n: 0,
    correct: 0,
    wrong: 0,
    ties: 0,
    accuracy: null,
    accuracyExcludingTies: null,
  });
});
