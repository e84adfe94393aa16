import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  measurePresidioSlice,
  measureRefusalHhRlhf,
  measureRefusalLabelled,
  measureToxicity,
} from './datasets.js';

const DIR = 'test/fixtures/quality';

test('PII redactor on the Presidio odd-row slice (750 rows)', () => {
  const f = measurePresidioSlice(DIR);
  const brief = Object.fromEntries(
    Object.entries(f).map(([type, v]) => [
      type,
      [v.gold, v.predicted, v.predictedCorrect, v.goldFound],
    ]),
  );
  assert.deepEqual(brief, {
    API_KEY: [0, 0, 0, 0],
    EMAIL: [22, 22, 22, 22],
    IBAN: [9, 9, 9, 9],
    CARD: [70, 71, 70, 70],
    SSN: [10, 10, 10, 10],
    NATIONAL_ID: [0, 0, 0, 0],
    IP: [8, 8, 8, 8],
    PHONE: [28, 31, 28, 28],
  });
  assert.equal(f.PHONE.precision, 28 / 31);
  assert.equal(f.CARD.precision, 70 / 71);
  assert.equal(f.PHONE.recall, 1);
});

test('toxicity lexicon on the Surge AI file', () => {
  assert.deepEqual(measureToxicity(DIR, 'all'), {
    tp: 343,
    fp: 19,
    fn: 158,
    tn: 480,
    precision: 343 / 362,
    recall: 343 / 501,
    f1: 686 / 863,
  });
  const odd = measureToxicity(DIR, 'odd');
  assert.deepEqual([odd.tp, odd.fp, odd.fn, odd.tn], [156, 11, 94, 239]);
});

test('refusal detection on the labelled HHH replies and HH-RLHF final replies', () => {
  const labelled = measureRefusalLabelled(DIR);
  assert.deepEqual([labelled.tp, labelled.fp, labelled.fn, labelled.tn], [9, 0, 1, 55]);
  assert.deepEqual(measureRefusalHhRlhf(DIR), {
    pairs: 1000,
    chosenRefusals: 28,
    rejectedRefusals: 14,
    onlyChosen: 28,
    onlyRejected: 14,
  });
});
