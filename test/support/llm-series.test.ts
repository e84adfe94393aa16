import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DURATION_BUCKETS,
  STALE_NAN,
  generateLlmSeries,
  type GeneratedSeries,
} from './llm-series.js';

const opts = { seed: 7, startMs: Date.UTC(2024, 0, 15, 8, 0, 0), intervals: 600 };
const all = generateLlmSeries(opts);

function find(labels: Record<string, string>): GeneratedSeries {
  const found = all.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(found, `no series ${JSON.stringify(labels)}`);
  return found;
}

test('the same seed gives the same series', () => {
  assert.deepEqual(generateLlmSeries(opts), all);
  assert.notDeepEqual(generateLlmSeries({ ...opts, seed: 8 }), all);
});

test('timestamps are sorted and never on a whole or half second', () => {
  for (const s of all) {
    for (let i = 0; i < s.samples.length; i++) {
      const ms = s.samples[i]!.timestampMs % 1000;
      assert.ok(ms !== 0 && ms !== 500, `sample at ${s.samples[i]!.timestampMs}`);
      if (i > 0) assert.ok(s.samples[i]!.timestampMs > s.samples[i - 1]!.timestampMs);
    }
  }
});

test('a restarted copy resets its counters, and a stopped copy leaves a gap over 5 m', () => {
  const restarted = find({ __name__: 'llm_requests_total', copy: 'chat-1', status_class: '2xx' });
  const values = restarted.samples.map((x) => x.value);
  const resets = values.filter((v, i) => i > 0 && v < values[i - 1]!).length;
  assert.equal(resets, 1);
  assert.equal(values[0], 0);

  const gapped = find({ __name__: 'llm_requests_running', copy: 'chat-2' });
  const gaps = gapped.samples
    .slice(1)
    .map((x, i) => x.timestampMs - gapped.samples[i]!.timestampMs);
  assert.ok(Math.max(...gaps) > 5 * 60_000);
});

test('histogram buckets are cumulative and +Inf equals the count', () => {
  const labels = { copy: 'code-0' };
  const count = find({ __name__: 'llm_request_duration_seconds_count', ...labels });
  const buckets = DURATION_BUCKETS.map((le) =>
    find({ __name__: 'llm_request_duration_seconds_bucket', le, ...labels }),
  );
  count.samples.forEach((sample, i) => {
    const cumulative = buckets.map((b) => b.samples[i]!.value);
    cumulative.forEach((v, j) => j > 0 && assert.ok(v >= cumulative[j - 1]!));
    assert.equal(cumulative.at(-1), sample.value);
  });
  assert.ok(count.samples.at(-1)!.value > 1000);
});

test('engine series get a staleness marker when their copy or its scrapes go away', () => {
  const staleBits = (v: number): string => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return b.toString('hex');
  };
  assert.equal(staleBits(STALE_NAN), '7ff0000000000002');
  const withStale = all.filter((s) => s.samples.some((x) => Number.isNaN(x.value)));
  const where = withStale.map((s) => `${s.labels.copy}/${s.labels.__name__}`).sort();
  assert.deepEqual(where, [
    'chat-2/llm_kv_cache_usage_ratio',
    'chat-2/llm_requests_running',
    'chat-2/llm_requests_waiting',
    'code-0/llm_kv_cache_usage_ratio',
    'code-0/llm_requests_running',
    'code-0/llm_requests_waiting',
    'embed-0/llm_kv_cache_usage_ratio',
    'embed-0/llm_requests_running',
    'embed-0/llm_requests_waiting',
  ]);
  for (const s of withStale) {
    const stale = s.samples.filter((x) => Number.isNaN(x.value));
    assert.equal(stale.length, 1);
    assert.equal(staleBits(stale[0]!.value), '7ff0000000000002');
  }
  assert.equal(
    generateLlmSeries({ ...opts, staleMarkers: false })
      .flatMap((s) => s.samples)
      .filter((x) => Number.isNaN(x.value)).length,
    0,
  );
});
