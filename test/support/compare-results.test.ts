import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryResult } from '../../src/promql/index.js';
import {
  compareResults,
  parsePromValue,
  valuesAgree,
  DEFAULT_TOLERANCE,
} from './compare-results.js';

const tol = DEFAULT_TOLERANCE;

test('parsePromValue reads the special values Prometheus writes', () => {
  assert.equal(parsePromValue('+Inf'), Infinity);
  assert.equal(parsePromValue('-Inf'), -Infinity);
  assert.ok(Number.isNaN(parsePromValue('NaN')));
  assert.equal(parsePromValue('0.25'), 0.25);
});

test('valuesAgree uses the relative and absolute tolerances', () => {
  assert.equal(valuesAgree('NaN', 'NaN', tol), true);
  assert.equal(valuesAgree('NaN', '0', tol), false);
  assert.equal(valuesAgree('+Inf', '+Inf', tol), true);
  assert.equal(valuesAgree('+Inf', '-Inf', tol), false);
  assert.equal(valuesAgree('1000', '1000.0000005', tol), true);
  assert.equal(valuesAgree('1000', '1000.000002', tol), false);
  assert.equal(valuesAgree('0', '0.0000000000001', tol), true);
  assert.equal(valuesAgree('0', '0.00000000001', tol), false);
});

const matrix = (values: [number, string][], metric = { a: '1' }): QueryResult => ({
  resultType: 'matrix',
  result: [{ metric, values }],
});

test('compareResults reports missing and extra series, timestamps and values', () => {
  assert.deepEqual(compareResults(matrix([[1, '2']]), matrix([[1, '2']])), []);
  assert.deepEqual(compareResults(matrix([[1, '2']]), matrix([[1, '3']])), [
    '{a="1"} at 1: reference 2, llmwatch 3',
  ]);
  assert.deepEqual(
    compareResults(
      matrix([
        [1, '2'],
        [2, '2'],
      ]),
      matrix([[1, '2']]),
    ),
    [
      '{a="1"}: timestamps differ; only in reference: [2] (2 points), only in llmwatch: [] (1 points)',
    ],
  );
  assert.deepEqual(compareResults(matrix([[1, '2']]), matrix([[1, '2']], { a: '2' })), [
    '{a="1"}: missing in llmwatch (1 points)',
    '{a="2"}: only in llmwatch (1 points)',
  ]);
  assert.deepEqual(compareResults(matrix([[1, '2']]), { resultType: 'scalar', result: [1, '2'] }), [
    'result type: reference matrix, llmwatch scalar',
  ]);
});

test('compareResults caps the number of messages', () => {
  const many = (v: string): QueryResult => ({
    resultType: 'matrix',
    result: Array.from({ length: 10 }, (_, i) => ({ metric: { i: String(i) }, values: [[1, v]] })),
  });
  const differences = compareResults(many('1'), many('2'), tol, 3);
  assert.equal(differences.length, 4);
  assert.equal(differences[3], '... and 7 more');
});
