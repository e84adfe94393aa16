import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, formatPythonFloat } from './vllm-metrics.js';
import { parseSimulatorArgs } from './main.js';
import { countPromptTokens } from './tokens.js';

test('formatPythonFloat prints like Python repr(float)', () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [5, '5.0'],
    [2560, '2560.0'],
    [0.25, '0.25'],
    [0.001, '0.001'],
    [0.00001, '1e-05'],
    [7.358146831393242e-5, '7.358146831393242e-05'],
    [1e16, '1e+16'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ];
  for (const [value, expected] of cases) assert.equal(formatPythonFloat(value), expected, expected);
});

test('Histogram counts cumulatively with bounds inclusive', () => {
  const hist = new Histogram([0.1, 1]);
  for (const v of [0.05, 0.1, 0.5, 3, NaN]) hist.observe(v);
  assert.deepEqual(hist.cumulative(), [2, 3, 4]);
  assert.equal(hist.count, 4);
  assert.equal(hist.sum, 3.65);
});

test('countPromptTokens counts whitespace-separated words', () => {
  const cases: [string, number][] = [
    ['', 0],
    ['   ', 0],
    ['one', 1],
    [' two  words\n', 2],
    ['a\tb\nc d', 4],
  ];
  for (const [text, expected] of cases) assert.equal(countPromptTokens(text), expected, text);
});

test('parseSimulatorArgs reads flags and rejects bad ones', () => {
  assert.deepEqual(parseSimulatorArgs(['--port', '9000', '--model', 'm', '--style', 'v0']), {
    host: '127.0.0.1',
    port: 9000,
    modelName: 'm',
    metricsStyle: 'v0',
    timeScale: 1,
    seed: 1,
  });
  assert.throws(() => parseSimulatorArgs(['--style', 'v2']), /--style must be v1 or v0, got "v2"/);
  assert.throws(() => parseSimulatorArgs(['--port', 'x']), /--port must be a number, got "x"/);
  assert.throws(() => parseSimulatorArgs(['--bogus']), { code: 'simulator_args' });
});
