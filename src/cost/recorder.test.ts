// Cost and capacity end to end through the real PromQL engine: raw agent and gateway series in an
// in-memory store, one evaluation of the cost recorder, then the derived series read back.
// Every expected dollar figure is computed by hand in the comment beside it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../core/log.js';
import { createMemoryStore, createPromqlEngine } from '../promql/index.js';
import type { MetricStore, Sample } from '../store/types.js';
import { costConfigSchema } from './config.js';
import { createCostRecorder } from './recorder.js';

const T = 1_700_000_010_000;
const GIB = 1024 ** 3;

function gauge(labels: Record<string, string>, value: number, atMs = T - 5_000): Sample {
  return { labels, timestampMs: atMs, value };
}

/** A counter growing by `perSecond` from 0 at T-600 s, sampled every 15 s up to T. */
function counter(labels: Record<string, string>, perSecond: number): Sample[] {
  const out: Sample[] = [];
  for (let s = 0; s <= 600; s += 15) {
    out.push({ labels, timestampMs: T - 600_000 + s * 1000, value: perSecond * s });
  }
  return out;
}

function gateway(name: string, component: string, model: string): Record<string, string> {
  return { __name__: name, component, model, copy: 'c1', endpoint: 'default', source: 'gateway' };
}

/** host-a: p4d.24xlarge (agent reports it), 8 GPUs: chat on GPUs 0 and 1, GPUs 2..7 free. */
function hostA(): Sample[] {
  const out: Sample[] = [
    gauge(
      { __name__: 'host_info', instance: 'host-a', instance_type: 'p4d.24xlarge', source: 'agent' },
      1,
    ),
  ];
  for (const [gpu, copy, util, usedGib] of [
    ['0', 'c1', 0.5, 20],
    ['1', 'c2', 0.7, 30],
  ] as const) {
    const attributed = { instance: 'host-a', gpu, component: 'chat', copy, source: 'agent' };
    out.push(
      gauge({ __name__: 'gpu_allocated', ...attributed }, 1),
      gauge({ __name__: 'gpu_utilization_ratio', ...attributed, gpu_model: 'A100' }, util),
      gauge({ __name__: 'gpu_memory_used_bytes', ...attributed, gpu_model: 'A100' }, usedGib * GIB),
      gauge({ __name__: 'gpu_memory_total_bytes', ...attributed, gpu_model: 'A100' }, 40 * GIB),
    );
  }
  for (let gpu = 2; gpu < 8; gpu++) {
    out.push(
      gauge({ __name__: 'gpu_free', instance: 'host-a', gpu: String(gpu), source: 'agent' }, 1),
    );
    // A GPU attributed to nothing still reports utilisation; it must not count for any component.
    out.push(
      gauge({ __name__: 'gpu_utilization_ratio', instance: 'host-a', gpu: String(gpu) }, 0.9),
    );
  }
  return out;
}

/** host-b: its agent reports no instance type; cost.instances says g6e.xlarge (1 GPU, code). */
function hostB(): Sample[] {
  const attributed = {
    instance: 'host-b',
    gpu: '0',
    component: 'code',
    copy: 'c1',
    source: 'agent',
  };
  return [
    gauge({ __name__: 'host_info', instance: 'host-b', instance_type: '', source: 'agent' }, 1),
    gauge({ __name__: 'gpu_allocated', ...attributed }, 1),
    gauge({ __name__: 'gpu_utilization_ratio', ...attributed }, 0.25),
  ];
}

/** openai: API-served, tokens only. chat also has gateway output tokens (for $/1k tokens). */
function tokens(): Sample[] {
  return [
    ...counter(gateway('llm_input_tokens_total', 'openai', 'gpt-x'), 100),
    ...counter(gateway('llm_cached_input_tokens_total', 'openai', 'gpt-x'), 40),
    ...counter(gateway('llm_output_tokens_total', 'openai', 'gpt-x'), 20),
    ...counter(gateway('llm_output_tokens_total', 'chat', 'qwen'), 50),
    // Engine-scraped counters of the same traffic must not be priced twice.
    ...counter({ ...gateway('llm_output_tokens_total', 'openai', 'gpt-x'), source: 'engine' }, 999),
  ];
}

const CONFIG = costConfigSchema.parse({
  instances: { 'host-b': 'g6e.xlarge' },
  tokenPrices: {
    components: {
      openai: {
        inputDollarsPerMillion: 2.5,
        cachedInputDollarsPerMillion: 1.25,
        outputDollarsPerMillion: 10,
      },
    },
  },
});

async function evaluate(
  store: MetricStore,
  config = CONFIG,
): Promise<(expr: string) => Promise<Record<string, number>>> {
  const engine = createPromqlEngine(store);
  const recorder = createCostRecorder({
    config,
    engine,
    sink: (samples) => store.append(samples),
    logger: createLogger('silent'),
  });
  const result = await recorder.evaluateOnce(T);
  assert.equal(result.failures, 0);
  return async (expr) => {
    const out = await engine.instantQuery(expr, T);
    assert.equal(out.resultType, 'vector');
    const values: Record<string, number> = {};
    for (const { metric, value } of out.result as Array<{
      metric: Record<string, string>;
      value: [number, string];
    }>) {
      values[metric.component ?? metric.instance ?? ''] = Number(value[1]);
    }
    return values;
  };
}

/** Equal to the nano-dollar (sums of decimal prices are not exact in binary floating point). */
function assertClose(actual: Record<string, number>, expected: Record<string, number>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) {
    assert.ok(Math.abs(actual[key]! - value) < 1e-9, `${key}: ${actual[key]} != ${value}`);
  }
}

describe('cost recorder', () => {
  it('prices GPU allocation and tokens per component, with exact dollars', async () => {
    const store = createMemoryStore();
    await store.append([...hostA(), ...hostB(), ...tokens()]);
    const query = await evaluate(store);

    // p4d.24xlarge $32.7726/h / 8 GPUs = $4.096575 per GPU; g6e.xlarge $1.861/h / 1 GPU.
    assertClose(await query('llm_instance_gpu_price_dollars_per_hour'), {
      'host-a': 4.096575,
      'host-b': 1.861,
    });
    // chat: 2 GPUs × $4.096575 = $8.19315/h (exact: dividing by 8 and 4 is exact in binary).
    assert.deepEqual(await query('llm_gpu_cost_dollars_per_hour'), { chat: 8.19315, code: 1.861 });
    assert.deepEqual(await query('llm_gpus_allocated'), { chat: 2, code: 1 });
    // openai: input 100/s × 3600 × $2.5/M = $0.90; output 20/s × 3600 × $10/M = $0.72;
    // cached 40/s × 3600 × ($1.25 - $2.5)/M = -$0.18 → $1.44/h.
    assertClose(await query('llm_token_cost_dollars_per_hour'), { openai: 1.44 });
    assertClose(await query('llm_cost_dollars_per_hour'), {
      chat: 8.19315,
      code: 1.861,
      openai: 1.44,
    });
    // chat: 50 tokens/s = 180 k tokens/h → $8.19315 / 180 = $0.0455175 per 1k;
    // openai: 20 tokens/s = 72 k/h → $1.44 / 72 = $0.02; code has no output tokens.
    assertClose(await query('llm_cost_dollars_per_1k_output_tokens'), {
      chat: 0.0455175,
      openai: 0.02,
    });
  });

  it('counts used and free GPUs, instances and per-component GPU use', async () => {
    const store = createMemoryStore();
    await store.append([...hostA(), ...hostB(), ...tokens()]);
    const query = await evaluate(store);

    assert.deepEqual(await query('llm_gpus_used'), { '': 3 });
    assert.deepEqual(await query('llm_gpus_free'), { '': 6 });
    assert.deepEqual(await query('llm_instances'), { '': 2 });
    assert.deepEqual(await query('llm_instances_allocated'), { chat: 1, code: 1 });
    assert.deepEqual(await query('llm_gpus_unpriced'), {});
    // chat: (0.5 + 0.7) / 2; code: 0.25. The unattributed GPUs at 0.9 are left out.
    assertClose(await query('llm_gpu_utilization_ratio'), { chat: 0.6, code: 0.25 });
    // chat: (20 + 30) GiB / (40 + 40) GiB = 0.625; code reports no memory.
    assert.deepEqual(await query('llm_gpu_memory_usage_ratio'), { chat: 0.625 });
  });

  it('splits a shared GPU between components and reports GPUs without a price', async () => {
    const store = createMemoryStore();
    const shared = { __name__: 'gpu_allocated', instance: 'host-a', gpu: '0', source: 'agent' };
    await store.append([
      gauge({ __name__: 'host_info', instance: 'host-a', instance_type: 'g5.12xlarge' }, 1),
      gauge({ ...shared, component: 'small-a', copy: 'c1' }, 1),
      gauge({ ...shared, component: 'small-b', copy: 'c1' }, 1),
      // Two copies of small-b on one GPU count once for small-b.
      gauge({ ...shared, component: 'small-b', copy: 'c2' }, 1),
      gauge({ ...shared, gpu: '1', component: 'small-b', copy: 'c1' }, 1),
      gauge({ __name__: 'host_info', instance: 'host-z', instance_type: 'x9.unknown' }, 1),
      gauge({ ...shared, instance: 'host-z', component: 'small-b', copy: 'c3' }, 1),
    ]);
    const query = await evaluate(store);

    // g5.12xlarge: $5.672 / 4 = $1.418 per GPU. small-a: ½ GPU = $0.709; small-b: ½ + 1 = $2.127.
    assertClose(await query('llm_gpu_cost_dollars_per_hour'), {
      'small-a': 0.709,
      'small-b': 2.127,
    });
    assert.deepEqual(await query('llm_gpus_allocated'), { 'small-a': 0.5, 'small-b': 2.5 });
    assert.deepEqual(await query('llm_gpus_unpriced'), { 'small-b': 1 });
    assert.deepEqual(await query('llm_instances_allocated'), { 'small-a': 1, 'small-b': 2 });
    assert.deepEqual(await query('llm_gpus_used'), { '': 3 });
    assert.deepEqual(await query('llm_gpus_free'), { '': 0 });
    assert.deepEqual(await query('llm_token_cost_dollars_per_hour'), {});
  });

  it('prices by model for components without their own price, never twice', async () => {
    const store = createMemoryStore();
    await store.append([
      ...counter(gateway('llm_input_tokens_total', 'api-a', 'claude-x'), 10),
      ...counter(gateway('llm_output_tokens_total', 'api-a', 'claude-x'), 10),
      ...counter(gateway('llm_input_tokens_total', 'api.b', 'claude-x'), 10),
      ...counter(gateway('llm_output_tokens_total', 'api.b', 'claude-x'), 10),
      ...counter(gateway('llm_input_tokens_total', 'apixb', 'claude-x'), 10),
      // api-a also holds a GPU: its total cost is GPU plus tokens.
      gauge({ __name__: 'host_info', instance: 'host-m', instance_type: 'g6.xlarge' }, 1),
      gauge({ __name__: 'gpu_allocated', instance: 'host-m', gpu: '0', component: 'api-a' }, 1),
    ]);
    const config = costConfigSchema.parse({
      tokenPrices: {
        components: { 'api.b': { inputDollarsPerMillion: 1, outputDollarsPerMillion: 1 } },
        // No producer records cached tokens here: the cached term is absent, the others stay.
        models: {
          'claude-x': {
            inputDollarsPerMillion: 3,
            cachedInputDollarsPerMillion: 0.3,
            outputDollarsPerMillion: 15,
          },
        },
      },
    });
    const query = await evaluate(store, config);
    // api-a: 10/s × 3600 × ($3 + $15)/M = $0.648; api.b (own price): 10 × 3600 × $2/M = $0.072;
    // apixb (the regex "api\.b" must not match it): input only, 10 × 3600 × $3/M = $0.108.
    assertClose(await query('llm_token_cost_dollars_per_hour'), {
      'api-a': 0.648,
      'api.b': 0.072,
      apixb: 0.108,
    });
    // api-a: $0.648 tokens + g6.xlarge $0.8048 GPU = $1.4528.
    assertClose(await query('llm_cost_dollars_per_hour'), {
      'api-a': 1.4528,
      'api.b': 0.072,
      apixb: 0.108,
    });
    assert.deepEqual(await query('llm_gpu_cost_dollars_per_hour'), { 'api-a': 0.8048 });
    // api-a: $1.4528 / (10 tokens/s × 3.6 k/h) = $0.0403555...; api.b: $0.072 / 36 = $0.002.
    assertClose(await query('llm_cost_dollars_per_1k_output_tokens'), {
      'api-a': 1.4528 / 36,
      'api.b': 0.002,
    });
  });
});
