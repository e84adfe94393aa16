import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSampleValue } from './format.js';

test('sample values are formatted like Go strconv.FormatFloat(f, "f", -1, 64)', () => {
  const cases: Array<[number, string]> = [
    [1, '1'],
    [1.5, '1.5'],
    [-2, '-2'],
    [0, '0'],
    [-0, '-0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [-1.25e-8, '-0.0000000125'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [value, expected] of cases)
    assert.equal(formatSampleValue(value), expected, String(value));
});
