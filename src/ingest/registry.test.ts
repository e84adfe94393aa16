import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetricRegistry } from './registry.js';
import { formatPromFloat } from '../core/prom-float.js';
import type { Sample } from '../store/types.js';

function byName(samples: Sample[]): string[] {
  return samples.map((s) => {
    const { __name__, ...rest } = s.labels;
    const labels = Object.entries(rest)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return `${__name__}{${labels}} ${s.timestampMs} ${s.value}`;
  });
}

test('le values are formatted as Go strconv g/-1 does (one formatter for gateway, scrape, OTLP)', () => {
  const cases: [number, string][] = [
    [0.005, '0.005'],
    [1, '1'],
    [2.5, '2.5'],
    [300, '300'],
    [0.0005, '0.0005'],
    [0.00005, '5e-05'],
    [1e21, '1e+21'],
    [123456789, '1.23456789e+08'],
    [1000000, '1e+06'],
    [2560, '2560'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
    [0, '0'],
  ];
  for (const [value, want] of cases) assert.equal(formatPromFloat(value), want, String(value));
});

test('counter: start sample at creation time on first collect only', () => {
  let now = 1000;
  const registry = createMetricRegistry({ nowMs: () => now });
  const requests = registry.counter('llm_requests_total', 'Requests.');
  const a = requests.series({ component: 'c', status_class: '2xx' });
  a.inc();
  a.inc(2);
  a.inc(-5); // ignored
  assert.equal(requests.series({ status_class: '2xx', component: 'c' }), a, 'same handle');
  now = 2000;
  assert.deepEqual(byName(registry.collect(5000)), [
    'llm_requests_total{component=c,status_class=2xx} 1000 0',
    'llm_requests_total{component=c,status_class=2xx} 5000 3',
  ]);
  a.inc();
  assert.deepEqual(byName(registry.collect(6000)), [
    'llm_requests_total{component=c,status_class=2xx} 6000 4',
  ]);
});

test('counter created in the collect millisecond gets its start sample 1 ms earlier', () => {
  const registry = createMetricRegistry({ nowMs: () => 7000 });
  registry.counter('x_total', 'X.').series({}).inc(1);
  assert.deepEqual(byName(registry.collect(7000)), ['x_total{} 6999 0', 'x_total{} 7000 1']);
});

test('gauge: current value, no start sample', () => {
  const registry = createMetricRegistry({ nowMs: () => 1 });
  const g = registry.gauge('outstanding', 'O.').series({ copy: 'a' });
  g.add();
  g.add();
  g.add(-1);
  assert.deepEqual(byName(registry.collect(10)), ['outstanding{copy=a} 10 1']);
  g.set(7);
  assert.deepEqual(byName(registry.collect(20)), ['outstanding{copy=a} 20 7']);
});

test('histogram: cumulative buckets, sum, count, le formatting and start samples', () => {
  const registry = createMetricRegistry({ nowMs: () => 100 });
  const h = registry.histogram('d_seconds', 'D.', [0.005, 1, 2.5]).series({ m: 'x' });
  for (const v of [0.001, 0.005, 0.5, 2, 3, NaN]) h.observe(v);
  const lines = byName(registry.collect(200));
  assert.deepEqual(
    lines.filter((l) => l.includes(' 200 ')),
    [
      'd_seconds_bucket{le=0.005,m=x} 200 2',
      'd_seconds_bucket{le=1,m=x} 200 3',
      'd_seconds_bucket{le=2.5,m=x} 200 4',
      'd_seconds_bucket{le=+Inf,m=x} 200 5',
      'd_seconds_sum{m=x} 200 5.506',
      'd_seconds_count{m=x} 200 5',
    ],
  );
  assert.deepEqual(
    lines.filter((l) => l.includes(' 100 ')),
    [
      'd_seconds_bucket{le=0.005,m=x} 100 0',
      'd_seconds_bucket{le=1,m=x} 100 0',
      'd_seconds_bucket{le=2.5,m=x} 100 0',
      'd_seconds_bucket{le=+Inf,m=x} 100 0',
      'd_seconds_sum{m=x} 100 0',
      'd_seconds_count{m=x} 100 0',
    ],
  );
  assert.equal(registry.collect(300).length, 6);
});

test('type clash and bad buckets are rejected with stable codes', () => {
  const registry = createMetricRegistry();
  registry.counter('a_total', 'A.');
  assert.throws(() => registry.gauge('a_total', 'A.'), { code: 'registry_conflict' });
  assert.throws(() => registry.histogram('h', 'H.', [1, 1]), { code: 'registry_invalid_buckets' });
  assert.throws(() => registry.histogram('h', 'H.', []), { code: 'registry_invalid_buckets' });
  assert.throws(() => registry.histogram('h', 'H.', [1, Infinity]), {
    code: 'registry_invalid_buckets',
  });
});

test('renderExposition writes Prometheus text format', () => {
  const registry = createMetricRegistry();
  registry.counter('req_total', 'Requests\nserved.').series({ path: 'a"b\\c' }).inc(2);
  registry.histogram('lat_seconds', 'Latency.', [0.5]).series({}).observe(0.25);
  assert.equal(
    registry.renderExposition(),
    [
      '# HELP req_total Requests\\nserved.',
      '# TYPE req_total counter',
      'req_total{path="a\\"b\\\\c"} 2',
      '# HELP lat_seconds Latency.',
      '# TYPE lat_seconds histogram',
      'lat_seconds_bucket{le="0.5"} 1',
      'lat_seconds_bucket{le="+Inf"} 1',
      'lat_seconds_sum 0.25',
      'lat_seconds_count 1',
      '',
    ].join('\n'),
  );
});

test('collect passes the same label objects every time, unchanged', () => {
  const registry = createMetricRegistry({ nowMs: () => 100 });
  registry.histogram('lat_seconds', 'latency', [0.1, 1]).series({ copy: 'a' }).observe(0.5);
  registry.counter('req_total', 'requests').series({ copy: 'a' }).inc();
  const first = registry.collect(1000);
  const second = registry.collect(2000);
  // First collect: start samples (value 0) share their series' label object.
  assert.equal(first.length, 12);
  assert.equal(first[0]?.labels, first[1]?.labels);
  assert.equal(second.length, 6);
  const firstLabels = first.filter((_, i) => i % 2 === 1).map((s) => s.labels);
  assert.deepEqual(
    second.map((s) => s.labels),
    firstLabels,
  );
  second.forEach((s, i) => assert.equal(s.labels, firstLabels[i]));
  assert.deepEqual(second[1]?.labels, { copy: 'a', __name__: 'lat_seconds_bucket', le: '1' });
  assert.deepEqual(second[4]?.labels, { copy: 'a', __name__: 'lat_seconds_count' });
});
