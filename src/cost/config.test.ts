import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { costConfigSchema, effectiveInstanceTypes, EXAMPLE_INSTANCE_TYPES } from './config.js';
import { priceSamples } from './prices.js';

/** Every issue as "path: message". */
function problems(input: unknown): string[] {
  const result = costConfigSchema.safeParse(input);
  assert.equal(result.success, false);
  // Like the config loader: a bad record key reports the key check's own message.
  return result.error!.issues.map((i) => {
    const inner = i.code === 'invalid_key' ? i.issues[0]?.message : undefined;
    return `${i.path.join('.')}: ${inner ?? i.message}`;
  });
}

describe('costConfigSchema', () => {
  it('has laptop defaults and the example price table', () => {
    const cost = costConfigSchema.parse({});
    assert.deepEqual(cost, {
      enabled: true,
      intervalSeconds: 30,
      tokenRateWindowSeconds: 300,
      instanceTypes: {},
      instances: {},
      tokenPrices: { components: {}, models: {} },
    });
    assert.deepEqual(effectiveInstanceTypes(cost)['p4d.24xlarge'], {
      dollarsPerHour: 32.7726,
      gpus: 8,
    });
    assert.equal(Object.keys(EXAMPLE_INSTANCE_TYPES).length, 10);
  });

  it('lets configured instance types add to and replace the examples', () => {
    const cost = costConfigSchema.parse({
      instanceTypes: {
        'p4d.24xlarge': { dollarsPerHour: 20, gpus: 8 },
        onprem: { dollarsPerHour: 0, gpus: 2 },
      },
      instances: { 'node-1': 'onprem', 'node-2': 'g5.xlarge' },
    });
    const types = effectiveInstanceTypes(cost);
    assert.deepEqual(types['p4d.24xlarge'], { dollarsPerHour: 20, gpus: 8 });
    assert.deepEqual(types.onprem, { dollarsPerHour: 0, gpus: 2 });
    const samples = priceSamples(cost, 1000);
    assert.equal(samples.length, 2 * 11 + 2);
    assert.deepEqual(samples.slice(-2), [
      {
        labels: {
          __name__: 'llm_instance_type_configured',
          instance: 'node-1',
          instance_type: 'onprem',
        },
        timestampMs: 1000,
        value: 1,
      },
      {
        labels: {
          __name__: 'llm_instance_type_configured',
          instance: 'node-2',
          instance_type: 'g5.xlarge',
        },
        timestampMs: 1000,
        value: 1,
      },
    ]);
    assert.deepEqual(
      samples.filter((s) => s.labels.instance_type === 'onprem'),
      [
        {
          labels: { __name__: 'llm_instance_price_dollars_per_hour', instance_type: 'onprem' },
          timestampMs: 1000,
          value: 0,
        },
        {
          labels: { __name__: 'llm_instance_gpus', instance_type: 'onprem' },
          timestampMs: 1000,
          value: 2,
        },
        {
          labels: {
            __name__: 'llm_instance_type_configured',
            instance: 'node-1',
            instance_type: 'onprem',
          },
          timestampMs: 1000,
          value: 1,
        },
      ],
    );
  });

  it('reports every bad price, size and name with its path', () => {
    assert.deepEqual(
      problems({
        intervalSeconds: 0,
        instanceTypes: {
          a: { dollarsPerHour: -1, gpus: 0 },
          b: { dollarsPerHour: 'x', gpus: 1.5 },
          'bad"name': { dollarsPerHour: 1, gpus: 1 },
        },
        tokenPrices: { models: { m: { inputDollarsPerMillion: 1 } } },
        extra: true,
      }),
      [
        'intervalSeconds: Too small: expected number to be >=1',
        'instanceTypes.a.dollarsPerHour: dollarsPerHour must not be negative',
        'instanceTypes.a.gpus: gpus must be at least 1; CPU-only instance types have no GPU price',
        'instanceTypes.b.dollarsPerHour: dollarsPerHour must be a number of US dollars, e.g. 2.5, got "x"',
        'instanceTypes.b.gpus: gpus must be a whole number of GPUs per instance, e.g. 8',
        'instanceTypes.bad"name: use letters, digits and "_", ".", ":", "/", "@", "+" or "-"',
        'tokenPrices.models.m.outputDollarsPerMillion: outputDollarsPerMillion is required: a number of US dollars, e.g. 2.5',
        ': Unrecognized key: "extra"',
      ],
    );
  });

  it('refuses a host mapped to an unknown instance type, naming the known ones', () => {
    const [problem, ...rest] = problems({ instances: { 'node-1': 'p9.huge' } });
    assert.deepEqual(rest, []);
    assert.equal(
      problem,
      'instances.node-1: instance type "p9.huge" is not in instanceTypes nor the example table; ' +
        'add it under instanceTypes with dollarsPerHour and gpus (known: g5.12xlarge, ' +
        'g5.48xlarge, g5.xlarge, g6.12xlarge, g6.xlarge, g6e.12xlarge, g6e.xlarge, ' +
        'ml.g6.12xlarge, p4d.24xlarge, p5.48xlarge)',
    );
  });

  it('nests in the main schema as `cost: costConfigSchema.prefault({})` with full paths', () => {
    const main = z.strictObject({ cost: costConfigSchema.prefault({}) });
    assert.equal(main.parse({}).cost.intervalSeconds, 30);
    const result = main.safeParse({ cost: { instances: { h: 'nope' } } });
    assert.deepEqual(
      result.error?.issues.map((i) => i.path.join('.')),
      ['cost.instances.h'],
    );
  });
});
