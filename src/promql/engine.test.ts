import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLlmwatchError } from '../core/errors.js';
import type { Labels, Sample } from '../store/types.js';
import { createPromqlEngine, type QueryResult } from './engine.js';
import { createMemoryStore } from './memory-store.js';

/** Samples of one series from [seconds, value] pairs. */
function series(labels: Labels, points: Array<[number, number]>): Sample[] {
  return points.map(([seconds, value]) => ({ labels, timestampMs: seconds * 1000, value }));
}

async function engineWith(samples: Sample[]) {
  const store = createMemoryStore();
  await store.append(samples);
  return createPromqlEngine(store);
}

/** The instant vector as "labels => value" strings, for compact exact comparison. */
function flatten(result: QueryResult): string[] {
  assert.equal(result.resultType, 'vector');
  if (result.resultType !== 'vector') return [];
  return result.result.map((s) => `${JSON.stringify(s.metric)} => ${s.value[1]}`);
}

const FIXTURE: Sample[] = [
  // A counter created at 0 and scraped every 15s.
  ...series({ __name__: 'c0', job: 'a' }, [
    [0, 0],
    [15, 3],
    [30, 6],
    [45, 9],
    [60, 12],
  ]),
  // A counter that starts high: extrapolation is not limited by the zero point.
  ...series({ __name__: 'c100', job: 'a' }, [
    [10, 100],
    [20, 110],
    [30, 120],
  ]),
  ...series({ __name__: 'c50', job: 'a' }, [
    [100, 50],
    [110, 60],
    [120, 70],
  ]),
  // A counter reset between 20s and 30s.
  ...series({ __name__: 'creset', job: 'a' }, [
    [10, 5],
    [20, 10],
    [30, 2],
    [40, 6],
  ]),
  ...series({ __name__: 'g', job: 'a' }, [
    [0, 1],
    [100, 2],
  ]),
  ...series({ __name__: 'gd', job: 'a' }, [
    [10, 5],
    [20, 10],
    [30, 2],
  ]),
];

const VALUE_CASES: Array<{ query: string; atSeconds: number; expected: string[] }> = [
  // Whole life of a counter starting at 0, evaluated at its last sample: exact increase.
  { query: 'increase(c0[5m])', atSeconds: 60, expected: ['{"job":"a"} => 12'] },
  { query: 'rate(c0[5m])', atSeconds: 60, expected: ['{"job":"a"} => 0.04'] },
  // Window (0,60]: the sample at 0 is outside (left-open); extrapolated back 15s to the edge.
  { query: 'increase(c0[1m])', atSeconds: 60, expected: ['{"job":"a"} => 12'] },
  // Both edges within 1.1x the interval: extrapolate to both edges, factor 30/20.
  { query: 'increase(c100[30s])', atSeconds: 35, expected: ['{"job":"a"} => 30'] },
  { query: 'rate(c100[30s])', atSeconds: 35, expected: ['{"job":"a"} => 1'] },
  // Both edges far: extrapolate half an interval each side, factor 30/20.
  { query: 'increase(c50[2m])', atSeconds: 200, expected: ['{"job":"a"} => 30'] },
  // Window (100,160]: sample at 100 excluded; start edge 10s, end far (half interval).
  { query: 'increase(c50[1m])', atSeconds: 160, expected: ['{"job":"a"} => 25'] },
  // Reset adds the pre-reset value: 6-5+10 = 11, extrapolated by 40/30.
  {
    query: 'increase(creset[40s])',
    atSeconds: 40,
    expected: ['{"job":"a"} => 14.666666666666666'],
  },
  { query: 'irate(creset[40s])', atSeconds: 40, expected: ['{"job":"a"} => 0.4'] },
  { query: 'irate(creset[40s])', atSeconds: 30, expected: ['{"job":"a"} => 0.2'] },
  { query: 'delta(gd[30s])', atSeconds: 30, expected: ['{"job":"a"} => -4.5'] },
  // rate needs two samples.
  { query: 'rate(g[50s])', atSeconds: 100, expected: [] },
  // Lookback: a sample exactly 5m old is not used.
  { query: 'g', atSeconds: 300, expected: ['{"__name__":"g","job":"a"} => 2'] },
  { query: 'g', atSeconds: 399.999, expected: ['{"__name__":"g","job":"a"} => 2'] },
  { query: 'g', atSeconds: 400, expected: [] },
  { query: 'g', atSeconds: 50, expected: ['{"__name__":"g","job":"a"} => 1'] },
  { query: 'g offset 100s', atSeconds: 150, expected: ['{"__name__":"g","job":"a"} => 1'] },
  // Range windows are left-open too.
  { query: 'count_over_time(g[100s])', atSeconds: 100, expected: ['{"job":"a"} => 1'] },
  { query: 'count_over_time(g[101s])', atSeconds: 100, expected: ['{"job":"a"} => 2'] },
  { query: 'sum_over_time(creset[1m])', atSeconds: 40, expected: ['{"job":"a"} => 23'] },
  { query: 'avg_over_time(creset[1m])', atSeconds: 40, expected: ['{"job":"a"} => 5.75'] },
  { query: 'max_over_time(creset[1m])', atSeconds: 40, expected: ['{"job":"a"} => 10'] },
  { query: 'min_over_time(creset[1m])', atSeconds: 40, expected: ['{"job":"a"} => 2'] },
];

test('range functions and lookback give Prometheus 3 values', async () => {
  const engine = await engineWith(FIXTURE);
  for (const { query, atSeconds, expected } of VALUE_CASES) {
    const result = await engine.instantQuery(query, Math.round(atSeconds * 1000));
    assert.deepEqual(flatten(result), expected, `${query} @ ${atSeconds}`);
  }
});

const HISTOGRAM: Sample[] = [
  ...[
    ['0.1', 10],
    ['0.5', 30],
    ['1', 40],
    ['+Inf', 50],
  ].flatMap(([le, v]) =>
    series({ __name__: 'h_bucket', job: 'a', le: String(le) }, [[10, Number(v)]]),
  ),
  // Counts not monotonic (10, 8, 20): fixed to (10, 10, 20).
  ...[
    ['0.1', 10],
    ['0.5', 8],
    ['1', 20],
    ['+Inf', 20],
  ].flatMap(([le, v]) =>
    series({ __name__: 'h_bucket', job: 'b', le: String(le) }, [[10, Number(v)]]),
  ),
  // No +Inf bucket: NaN.
  ...series({ __name__: 'h_bucket', job: 'c', le: '1' }, [[10, 5]]),
];

test('histogram_quantile interpolates within classic buckets', async () => {
  const engine = await engineWith(HISTOGRAM);
  const cases: Array<[string, string[]]> = [
    [
      'histogram_quantile(0.5, h_bucket)',
      ['{"job":"a"} => 0.4', '{"job":"b"} => 0.1', '{"job":"c"} => NaN'],
    ],
    ['histogram_quantile(0.05, h_bucket{job="a"})', ['{"job":"a"} => 0.025']],
    ['histogram_quantile(0.9, h_bucket{job="a"})', ['{"job":"a"} => 1']],
    ['histogram_quantile(1.5, h_bucket{job="a"})', ['{"job":"a"} => +Inf']],
    ['histogram_quantile(-1, h_bucket{job="a"})', ['{"job":"a"} => -Inf']],
    // Summed buckets 20, 38, 60, 70: rank 35 lies in (0.1, 0.5], 0.1 + 0.4 * 15/18.
    ['histogram_quantile(0.5, sum by (le) (h_bucket{job=~"a|b"}))', ['{} => 0.43333333333333335']],
  ];
  for (const [query, expected] of cases) {
    assert.deepEqual(flatten(await engine.instantQuery(query, 10_000)), expected, query);
  }
});

const GROUPS: Sample[] = [
  ...series({ __name__: 'm', job: 'a', inst: '1' }, [[0, 1]]),
  ...series({ __name__: 'm', job: 'a', inst: '2' }, [[0, 3]]),
  ...series({ __name__: 'm', job: 'b', inst: '1' }, [[0, 10]]),
  ...series({ __name__: 'n', job: 'a', inst: '1', kind: 'x' }, [[0, 2]]),
  ...series({ __name__: 'n', job: 'b', inst: '1', kind: 'x' }, [[0, 5]]),
  ...series({ __name__: 'ab', job: 'abc' }, [[0, 7]]),
  ...series({ __name__: 'ac', job: 'abc' }, [[0, 8]]),
];

const GROUP_CASES: Array<[string, string[]]> = [
  ['sum by (job) (m)', ['{"job":"a"} => 4', '{"job":"b"} => 10']],
  ['avg by (job) (m)', ['{"job":"a"} => 2', '{"job":"b"} => 10']],
  ['max by (job) (m)', ['{"job":"a"} => 3', '{"job":"b"} => 10']],
  ['min(m) by (job)', ['{"job":"a"} => 1', '{"job":"b"} => 10']],
  ['count by (job) (m)', ['{"job":"a"} => 2', '{"job":"b"} => 1']],
  ['sum without (inst) (m)', ['{"job":"a"} => 4', '{"job":"b"} => 10']],
  ['count without (job, inst) (m)', ['{} => 3']],
  ['sum(m)', ['{} => 14']],
  [
    'm{job=~"a"}',
    ['{"__name__":"m","inst":"1","job":"a"} => 1', '{"__name__":"m","inst":"2","job":"a"} => 3'],
  ],
  ['{__name__=~"a"}', []],
  [
    '{__name__=~"a.*", job!~"ab"}',
    ['{"__name__":"ab","job":"abc"} => 7', '{"__name__":"ac","job":"abc"} => 8'],
  ],
  ['sum({__name__=~"a.*"})', ['{} => 15']],
  ['m{job!="a"}', ['{"__name__":"m","inst":"1","job":"b"} => 10']],
  [
    'm * 2',
    ['{"inst":"1","job":"a"} => 2', '{"inst":"2","job":"a"} => 6', '{"inst":"1","job":"b"} => 20'],
  ],
  [
    'm > 2',
    ['{"__name__":"m","inst":"2","job":"a"} => 3', '{"__name__":"m","inst":"1","job":"b"} => 10'],
  ],
  [
    '2 < m',
    ['{"__name__":"m","inst":"2","job":"a"} => 3', '{"__name__":"m","inst":"1","job":"b"} => 10'],
  ],
  [
    'm > bool 2',
    ['{"inst":"1","job":"a"} => 0', '{"inst":"2","job":"a"} => 1', '{"inst":"1","job":"b"} => 1'],
  ],
  ['m + on(job, inst) n', ['{"inst":"1","job":"a"} => 3', '{"inst":"1","job":"b"} => 15']],
  ['m / ignoring(kind) n', ['{"inst":"1","job":"a"} => 0.5', '{"inst":"1","job":"b"} => 2']],
  ['m / n', []],
  ['m >= ignoring(kind) n', ['{"__name__":"m","inst":"1","job":"b"} => 10']],
  ['-m{job="b"}', ['{"inst":"1","job":"b"} => -10']],
  [
    'clamp_max(m, 2)',
    ['{"inst":"1","job":"a"} => 1', '{"inst":"2","job":"a"} => 2', '{"inst":"1","job":"b"} => 2'],
  ],
  [
    'clamp_min(abs(-m{job="a"}), 2)',
    ['{"inst":"1","job":"a"} => 2', '{"inst":"2","job":"a"} => 3'],
  ],
  ['vector(1 + 2 * 3)', ['{} => 7']],
  ['vector(2 ^ 3 ^ 2) - vector(7 % 3)', ['{} => 511']],
  ['vector(scalar(m{job="b"}) / 0)', ['{} => +Inf']],
  ['vector(scalar(m))', ['{} => NaN']],
];

test('aggregations, matchers and binary operators', async () => {
  const engine = await engineWith(GROUPS);
  for (const [query, expected] of GROUP_CASES) {
    const actual = flatten(await engine.instantQuery(query, 60_000));
    assert.deepEqual(actual.sort(), [...expected].sort(), query);
  }
});

test('scalar and string results keep Prometheus shapes', async () => {
  const engine = await engineWith(GROUPS);
  assert.deepEqual(await engine.instantQuery('1 == bool 1', 1500), {
    resultType: 'scalar',
    result: [1.5, '1'],
  });
  assert.deepEqual(await engine.instantQuery('time()', 60_000), {
    resultType: 'scalar',
    result: [60, '60'],
  });
  assert.deepEqual(await engine.instantQuery('"hi"', 0), {
    resultType: 'string',
    result: [0, 'hi'],
  });
  assert.deepEqual(await engine.instantQuery('n{job="a"}[1m]', 30_000), {
    resultType: 'matrix',
    result: [{ metric: { __name__: 'n', inst: '1', job: 'a', kind: 'x' }, values: [[0, '2']] }],
  });
});

async function evalFailure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isLlmwatchError(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('expected the query to fail');
}

test('evaluation errors: duplicate label sets and many-to-many matching', async () => {
  const engine = await engineWith(GROUPS);
  const dup = await evalFailure(engine.instantQuery('m{job="a"} * on(job) n', 0));
  assert.equal(dup.code, 'promql_eval');
  assert.match(dup.message, /^multiple matches for labels/);
  const right = await evalFailure(engine.instantQuery('n * on(job) m', 0));
  assert.match(right.message, /many-to-many matching not allowed/);
  const same = await evalFailure(engine.instantQuery('abs({__name__=~"ab|ac"})', 0));
  assert.equal(same.code, 'promql_eval');
  assert.match(same.message, /^vector cannot contain metrics with the same labelset/);
});

test('range queries return a matrix grouped by series, steps from start to end', async () => {
  const engine = await engineWith(FIXTURE);
  assert.deepEqual(await engine.rangeQuery('g', 0, 200_000, 50_000), {
    resultType: 'matrix',
    result: [
      {
        metric: { __name__: 'g', job: 'a' },
        values: [
          [0, '1'],
          [50, '1'],
          [100, '2'],
          [150, '2'],
          [200, '2'],
        ],
      },
    ],
  });
  assert.deepEqual(await engine.rangeQuery('time()', 0, 25_000, 10_000), {
    resultType: 'matrix',
    result: [
      {
        metric: {},
        values: [
          [0, '0'],
          [10, '10'],
          [20, '20'],
        ],
      },
    ],
  });
  // The series disappears from the matrix where its lookback has no sample.
  const sparse = await engine.rangeQuery('g', 350_000, 450_000, 50_000);
  assert.deepEqual(sparse.result, [{ metric: { __name__: 'g', job: 'a' }, values: [[350, '2']] }]);
});

test('range query limits and expression types are bad data', async () => {
  const engine = await engineWith(FIXTURE);
  const ok = await engine.rangeQuery('vector(1)', 0, 11_000_000, 1000);
  assert.equal(ok.resultType === 'matrix' && ok.result[0]?.values.length, 11_001);
  const cases: Array<[string, number, number, number, string]> = [
    ['vector(1)', 0, 11_001_000, 1000, 'exceeded maximum resolution of 11,000 points'],
    ['vector(1)', 10, 0, 1000, 'end timestamp must not be before start time'],
    ['vector(1)', 0, 10, 0, 'zero or negative query resolution step'],
    ['"a"', 0, 10, 1, 'invalid expression type "string" for range query'],
    ['g[1m]', 0, 10, 1, 'invalid expression type "range vector" for range query'],
  ];
  for (const [query, start, end, step, message] of cases) {
    const failure = await evalFailure(engine.rangeQuery(query, start, end, step));
    assert.equal(failure.code, 'promql_bad_data', query);
    assert.ok(failure.message.startsWith(message), failure.message);
  }
});
