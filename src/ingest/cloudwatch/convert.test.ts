import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSampleConverter } from './convert.js';
import { DEFAULT_MAPPINGS } from './mapping.js';
import type { QueryResult } from './query.js';

const gpuRow = DEFAULT_MAPPINGS.find((m) => m.metric === 'GPUUtilizationNormalized')!;
const invocationsRow = DEFAULT_MAPPINGS.find((m) => m.metric === 'Invocations')!;
const base = [
  { Name: 'InferenceComponentName', Value: 'ic' },
  { Name: 'ContainerId', Value: 'c1' },
];

function result(
  mapping: typeof gpuRow,
  dims: { Name: string; Value: string }[],
  points: [number, number][],
): QueryResult {
  return {
    query: {
      id: 'q',
      metric: { namespace: mapping.namespace, metric: mapping.metric, dimensions: dims },
      mapping,
    },
    timestampsMs: points.map(([t]) => t),
    values: points.map(([, v]) => v),
  };
}

test('GpuId and AcceleratorId series with the same labels: the first wins; NaN is absent', () => {
  const converter = createSampleConverter(60);
  const samples = converter.convert(
    [
      result(
        gpuRow,
        [...base, { Name: 'GpuId', Value: 'gpu_0' }],
        [
          [0, 50],
          [60_000, NaN],
        ],
      ),
      result(gpuRow, [...base, { Name: 'AcceleratorId', Value: '0' }], [[0, 99]]),
    ],
    0,
    () => 'ep',
  );
  const labels = {
    __name__: 'gpu_utilization_ratio',
    component: 'ic',
    copy: 'c1',
    gpu: '0',
    endpoint: 'ep',
    source: 'cloudwatch',
  };
  assert.deepEqual(samples, [{ labels, timestampMs: 60_000, value: 0.5 }]);
});

test('counters skip negative and non-finite sums and periods before the first one', () => {
  const converter = createSampleConverter(60);
  const first = converter.convert(
    [
      result(invocationsRow, base, [
        [120_000, 2],
        [180_000, -1],
      ]),
    ],
    0,
    () => undefined,
  );
  const labels = {
    __name__: 'llm_requests_total',
    component: 'ic',
    copy: 'c1',
    source: 'cloudwatch',
  };
  assert.deepEqual(first, [
    { labels, timestampMs: 120_000, value: 0 },
    { labels, timestampMs: 180_000, value: 2 },
  ]);
  // A late period before the series' start (60 000) is dropped; 240 000 adds 3.
  const second = converter.convert(
    [
      result(invocationsRow, base, [
        [60_000, 9],
        [240_000, 3],
        [300_000, Infinity],
      ]),
    ],
    60_000,
    () => undefined,
  );
  assert.deepEqual(second, [
    { labels, timestampMs: 120_000, value: 0 },
    { labels, timestampMs: 180_000, value: 2 },
    { labels, timestampMs: 300_000, value: 5 },
  ]);
  assert.equal(converter.counterSeries(), 1);
});
