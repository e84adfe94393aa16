import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmwatchError } from '../core/errors.js';
import type { Sample } from '../store/types.js';
import { createPromqlEngine } from './engine.js';
import { TIMEOUT_MESSAGE, TOO_MANY_SAMPLES_MESSAGE, effectiveTimeoutMs } from './limits.js';
import { createMemoryStore } from './memory-store.js';

/** `seriesCount` gauges named x with a sample every `intervalMs` over [0, spanMs). */
function gauges(seriesCount: number, spanMs: number, intervalMs: number): Sample[] {
  const out: Sample[] = [];
  for (let s = 0; s < seriesCount; s++) {
    const labels = { __name__: 'x', i: String(s) };
    for (let t = 0; t < spanMs; t += intervalMs) out.push({ labels, timestampMs: t, value: s });
  }
  return out;
}

function rejectsWith(code: string, prefix: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof LlmwatchError);
    assert.equal(err.code, code);
    assert.ok(err.message.startsWith(prefix), err.message);
    return true;
  };
}

test('maxSamples counts loaded samples and result points', async () => {
  const store = createMemoryStore();
  await store.append(gauges(3, 100_000, 1000)); // 300 samples
  const low = createPromqlEngine(store, { maxSamples: 299 });
  await assert.rejects(
    low.instantQuery('count_over_time(x[200s])', 100_000),
    rejectsWith('promql_too_many_samples', TOO_MANY_SAMPLES_MESSAGE + ' (limit maxSamples=299)'),
  );
  const enough = createPromqlEngine(store, { maxSamples: 300 });
  const result = await enough.instantQuery('sum(count_over_time(x[200s]))', 100_000);
  assert.deepEqual(result, { resultType: 'vector', result: [{ metric: {}, value: [100, '300'] }] });
  // 3 series x 11 samples loaded + 3 series x 11 points of result = 66.
  await createPromqlEngine(store, { maxSamples: 66 }).rangeQuery('x', 0, 10_000, 1000);
  await assert.rejects(
    createPromqlEngine(store, { maxSamples: 65 }).rangeQuery('x', 0, 10_000, 1000),
    rejectsWith('promql_too_many_samples', TOO_MANY_SAMPLES_MESSAGE),
  );
});

test('a request timeout shorter than the query stops it with promql_timeout', async () => {
  const store = createMemoryStore();
  await store.append(gauges(200, 600_000, 15_000));
  const engine = createPromqlEngine(store);
  await assert.rejects(
    engine.rangeQuery('sum(rate(x[1m]))', 0, 10_000_000, 1000, { timeoutMs: 1 }),
    rejectsWith('promql_timeout', `${TIMEOUT_MESSAGE} (timeout 1 ms)`),
  );
  await assert.rejects(
    createPromqlEngine(store, { timeoutMs: 1 }).rangeQuery('sum(x)', 0, 10_000_000, 1000),
    rejectsWith('promql_timeout', TIMEOUT_MESSAGE),
  );
  // The same query completes within the default timeout.
  const done = await engine.rangeQuery('sum(x)', 0, 600_000, 60_000, { timeoutMs: 60_000 });
  assert.equal(done.resultType === 'matrix' && done.result[0]?.values.length, 11);
  assert.equal(effectiveTimeoutMs(120_000, { timeoutMs: 5000 }), 5000);
  assert.equal(effectiveTimeoutMs(120_000, { timeoutMs: 500_000 }), 120_000);
  assert.equal(effectiveTimeoutMs(120_000, { timeoutMs: -1 }), 120_000);
  assert.throws(() => createPromqlEngine(store, { timeoutMs: 0 }), /timeoutMs must be a positive/);
  assert.throws(() => createPromqlEngine(store, { maxSamples: NaN }), /maxSamples/);
});

test('a 10,000-step range query over 1,000 series yields to the event loop between steps', async () => {
  const store = createMemoryStore();
  const stepMs = 60_000;
  const spanMs = 10_000 * stepMs;
  await store.append(gauges(1000, spanMs + 1, 1_200_000)); // 501 samples per series
  // A yield interval far below one step's cost makes the engine yield after every step: the
  // count of event-loop turns during the query shows it, without timing anything.
  const engine = createPromqlEngine(store, {
    lookbackDeltaMs: 1_200_000,
    yieldIntervalMs: 0.000_001,
  });
  let ticks = 0;
  let running = true;
  const tick = (): void => {
    ticks++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const result = await engine.rangeQuery('sum(x)', 0, spanMs, stepMs);
  running = false;
  assert.equal(result.resultType, 'matrix');
  if (result.resultType !== 'matrix') return;
  assert.equal(result.result[0]?.values.length, 10_001);
  assert.deepEqual(result.result[0]?.values[5000], [300_000, String((999 * 1000) / 2)]);
  assert.ok(ticks >= 5_000, `only ${ticks} event loop turns during 10,001 steps`);
});
