import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudwatchConfigSchema } from './config.js';
import { finestDimensionSets } from './discover.js';
import {
  DEFAULT_MAPPINGS,
  dimensionLabels,
  gpuLabel,
  quantileOf,
  seriesLabels,
} from './mapping.js';

test('gpuLabel maps GpuId and AcceleratorId values to the same index', () => {
  const cases: [string, string][] = [
    ['gpu_0', '0'],
    ['gpu_3', '3'],
    ['GPU-12', '12'],
    ['0', '0'],
    ['7', '7'],
    ['GPU-8f3a', 'GPU-8f3a'],
  ];
  for (const [input, expected] of cases) assert.equal(gpuLabel(input), expected, input);
});

test('quantileOf turns percentile statistics into quantile labels', () => {
  assert.equal(quantileOf('p50'), '0.5');
  assert.equal(quantileOf('p99'), '0.99');
  assert.equal(quantileOf('p99.9'), '0.999');
  assert.equal(quantileOf('Average'), undefined);
  assert.equal(quantileOf('SampleCount'), undefined);
});

test('dimensionLabels maps dimensions and fills the endpoint of a component', () => {
  const endpointOf = (c: string) => (c === 'ic-a' ? 'ep-1' : undefined);
  assert.deepEqual(
    dimensionLabels(
      [
        { Name: 'InferenceComponentName', Value: 'ic-a' },
        { Name: 'VariantName', Value: 'AllTraffic' },
        { Name: 'InstanceId', Value: 'i-1' },
        { Name: 'ContainerId', Value: 'c-1' },
        { Name: 'AcceleratorId', Value: '2' },
      ],
      endpointOf,
    ),
    { component: 'ic-a', instance: 'i-1', copy: 'c-1', gpu: '2', endpoint: 'ep-1' },
  );
  assert.deepEqual(
    dimensionLabels([{ Name: 'InferenceComponentName', Value: 'ic-b' }], endpointOf),
    {
      component: 'ic-b',
    },
  );
});

test('seriesLabels adds name, fixed labels, quantile and source', () => {
  const p90 = DEFAULT_MAPPINGS.find((m) => m.stat === 'p90')!;
  assert.deepEqual(seriesLabels(p90, { component: 'ic-a' }), {
    __name__: 'llm_request_duration_seconds_quantile',
    component: 'ic-a',
    quantile: '0.9',
    source: 'cloudwatch',
  });
  const errors5xx = DEFAULT_MAPPINGS.find((m) => m.metric === 'Invocation5XXErrors')!;
  assert.deepEqual(seriesLabels(errors5xx, {}), {
    __name__: 'llm_request_errors_total',
    status_class: '5xx',
    source: 'cloudwatch',
  });
});

test('finestDimensionSets keeps only the most detailed level per component', () => {
  const ic = { Name: 'InferenceComponentName', Value: 'ic-a' };
  const metrics = [
    { namespace: 'N', metric: 'M', dimensions: [ic] },
    { namespace: 'N', metric: 'M', dimensions: [ic, { Name: 'ContainerId', Value: 'c1' }] },
    { namespace: 'N', metric: 'M', dimensions: [ic, { Name: 'ContainerId', Value: 'c2' }] },
    {
      namespace: 'N',
      metric: 'M',
      dimensions: [{ Name: 'InferenceComponentName', Value: 'ic-b' }],
    },
  ];
  assert.deepEqual(finestDimensionSets(metrics), metrics.slice(1));
});

test('cloudwatch config: off by default, defaults, and clear errors', () => {
  const config = cloudwatchConfigSchema.parse({});
  assert.equal(config.enabled, false);
  assert.equal(config.periodSeconds, 60);
  assert.equal(config.lookbackSeconds, 600);
  assert.equal(config.maxQueriesPerRequest, 500);
  assert.equal(config.mappings.length, 14);

  const badPeriod = cloudwatchConfigSchema.safeParse({ periodSeconds: 45 });
  assert.equal(badPeriod.success, false);
  assert.match(badPeriod.error!.issues[0]!.message, /1, 5, 10, 30 or a multiple of 60, got 45/);

  const tooLong = cloudwatchConfigSchema.safeParse({ periodSeconds: 10, lookbackSeconds: 20_000 });
  assert.equal(tooLong.success, false);
  assert.deepEqual(tooLong.error!.issues[0]!.path, ['lookbackSeconds']);

  assert.equal(cloudwatchConfigSchema.safeParse({ maxQueriesPerRequest: 501 }).success, false);
  assert.equal(cloudwatchConfigSchema.safeParse({ accessKeyId: 'AKID' }).success, false);
});
