// Hand-written bodies in each engine's documented format (shared/reference/metrics-formats.md),
// for the cases no saved real capture covers: llama.cpp, node exporter, DCGM sentinels and MIG,
// TensorRT-LLM in Triton, TGI's KV ratio and failure classes, SGLang rank labels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '../store/types.js';
import { detectEngine, keepRawSample, mapEngine, type EngineName } from './engines.js';
import { isDcgmSentinel } from './device.js';
import { parseExposition } from './exposition.js';
import { tgiFailureClass } from './tgi.js';

const TARGET = { component: 'chat', copy: 'c0', endpoint: 'prod', source: 'engine' };
const run = (
  engine: EngineName,
  body: string,
  state?: Map<string, unknown>,
  target: Labels = TARGET,
) =>
  mapEngine(engine, parseExposition(body).families, {
    targetLabels: target,
    fallbackModel: 'cfg-model',
    instance: 'host-a',
    state,
  });
const names = (out: Array<{ labels: Labels; value: number }>) =>
  out.map((s) => [s.labels.__name__, s.value]);

describe('detectEngine', () => {
  const cases: Array<[string, string]> = [
    ['# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 1\n', 'vllm'],
    ['tgi_queue_size 0\n', 'tgi'],
    ['sglang:num_queue_reqs{model_name="m"} 0\n', 'sglang'],
    ['nv_inference_count{model="m",version="1"} 0\n', 'triton'],
    ['nv_trt_llm_request_metrics{request_type="waiting"} 0\n', 'triton'],
    ['llamacpp:requests_processing 0\n', 'llamacpp'],
    ['DCGM_FI_DEV_GPU_UTIL{gpu="0"} 5\n', 'dcgm'],
    ['node_load1 0.5\n', 'node'],
    ['process_cpu_seconds_total 1\nnode_load1 1\nvllm:num_requests_running 1\n', 'vllm'],
    ['process_cpu_seconds_total 1\nhttp_requests_total 3\n', 'unknown'],
    ['', 'unknown'],
  ];
  for (const [body, want] of cases) {
    it(`${JSON.stringify(body.slice(0, 40))} → ${want}`, () =>
      assert.equal(detectEngine(parseExposition(body).families), want));
  }
});

describe('llama.cpp', () => {
  const body = [
    '# TYPE llamacpp:prompt_tokens_total counter',
    'llamacpp:prompt_tokens_total 120',
    '# TYPE llamacpp:prompt_seconds_total counter',
    'llamacpp:prompt_seconds_total 0.5',
    '# TYPE llamacpp:tokens_predicted_total counter',
    'llamacpp:tokens_predicted_total 400',
    '# TYPE llamacpp:tokens_predicted_seconds_total counter',
    'llamacpp:tokens_predicted_seconds_total 8',
    '# TYPE llamacpp:n_tokens_max counter',
    'llamacpp:n_tokens_max 512',
    '# TYPE llamacpp:requests_processing gauge',
    'llamacpp:requests_processing 2',
    '# TYPE llamacpp:requests_deferred gauge',
    'llamacpp:requests_deferred 1',
  ].join('\n');

  it('maps tokens, running, waiting and the mean time per token; no KV without the gauge', () => {
    const m = { ...TARGET, model: 'cfg-model' };
    assert.deepEqual(run('llamacpp', body), [
      { labels: { __name__: 'llm_requests_running', ...m }, value: 2 },
      { labels: { __name__: 'llm_requests_waiting', ...m }, value: 1 },
      { labels: { __name__: 'llm_input_tokens_total', ...m }, value: 120 },
      { labels: { __name__: 'llm_output_tokens_total', ...m }, value: 400 },
      { labels: { __name__: 'llm_inter_token_latency_seconds_sum', ...m }, value: 8 },
      { labels: { __name__: 'llm_inter_token_latency_seconds_count', ...m }, value: 400 },
    ]);
  });

  it('writes neither half of the time per token when the seconds counter is missing', () => {
    const out = run(
      'llamacpp',
      'llamacpp:tokens_predicted_total 9\nllamacpp:kv_cache_usage_ratio 0.25\n',
    );
    assert.deepEqual(names(out), [
      ['llm_kv_cache_usage_ratio', 0.25],
      ['llm_output_tokens_total', 9],
    ]);
  });
});

describe('node exporter', () => {
  const body = (idle0: number, user0: number, idle1: number, user1: number) =>
    [
      '# TYPE node_cpu_seconds_total counter',
      `node_cpu_seconds_total{cpu="0",mode="idle"} ${idle0}`,
      `node_cpu_seconds_total{cpu="0",mode="user"} ${user0}`,
      `node_cpu_seconds_total{cpu="1",mode="idle"} ${idle1}`,
      `node_cpu_seconds_total{cpu="1",mode="user"} ${user1}`,
      '# TYPE node_uname_info gauge',
      'node_uname_info{machine="x86_64",nodename="gpu-host-1",sysname="Linux"} 1',
    ].join('\n');
  const host = { component: 'chat', copy: 'c0', source: 'engine', instance: 'gpu-host-1' };

  it('computes 1 - Δidle/Δall between scrapes; nothing on the first scrape or after a reset', () => {
    const state = new Map<string, unknown>();
    assert.deepEqual(run('node', body(100, 50, 100, 50), state), []);
    // +10 s per CPU: idle +6 and +9 of 20 → busy 5/20.
    assert.deepEqual(run('node', body(106, 54, 109, 51), state), [
      { labels: { __name__: 'host_cpu_utilization_ratio', ...host }, value: 0.25 },
    ]);
    assert.deepEqual(run('node', body(1, 1, 1, 1), state), []);
    assert.deepEqual(run('node', body(3, 3, 3, 3), state), [
      { labels: { __name__: 'host_cpu_utilization_ratio', ...host }, value: 0.5 },
    ]);
  });

  it('uses the target host without node_uname_info, and writes nothing without state', () => {
    const plain =
      'node_cpu_seconds_total{cpu="0",mode="idle"} 1\nnode_cpu_seconds_total{cpu="0",mode="user"} 1\n';
    const state = new Map<string, unknown>();
    run('node', plain, state, { copy: 'n', endpoint: 'default', source: 'engine' });
    const out = run(
      'node',
      plain.replace('idle"} 1', 'idle"} 2').replace('user"} 1', 'user"} 4'),
      state,
      { copy: 'n', endpoint: 'default', source: 'engine' },
    );
    assert.deepEqual(out, [
      {
        labels: { __name__: 'host_cpu_utilization_ratio', instance: 'host-a', source: 'engine' },
        value: 0.75,
      },
    ]);
    assert.deepEqual(run('node', plain), []);
  });
});

describe('DCGM sentinels and MIG', () => {
  const id = (extra: string) =>
    `{gpu="1",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3",hostname="h1"${extra}}`;
  const body = [
    '# TYPE DCGM_FI_DEV_GPU_UTIL gauge',
    `DCGM_FI_DEV_GPU_UTIL${id('')} 2147483632`,
    '# TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge',
    `DCGM_FI_PROF_GR_ENGINE_ACTIVE${id('')} 0.5`,
    `DCGM_FI_PROF_GR_ENGINE_ACTIVE${id(',GPU_I_PROFILE="3g.40gb",GPU_I_ID="2"')} 0.75`,
    '# TYPE DCGM_FI_DEV_FB_USED gauge',
    `DCGM_FI_DEV_FB_USED${id('')} 1024`,
    `DCGM_FI_DEV_FB_USED${id(',GPU_I_PROFILE="3g.40gb",GPU_I_ID="2"')} 9223372036854775794`,
    '# TYPE DCGM_FI_DEV_FB_FREE gauge',
    `DCGM_FI_DEV_FB_FREE${id('')} 2048`,
    '# TYPE DCGM_FI_DEV_FB_RESERVED gauge',
    `DCGM_FI_DEV_FB_RESERVED${id('')} 512`,
    '# TYPE DCGM_FI_DEV_POWER_USAGE gauge',
    `DCGM_FI_DEV_POWER_USAGE${id('')} 140737488355328`,
    '# TYPE DCGM_FI_DEV_GPU_TEMP gauge',
    `DCGM_FI_DEV_GPU_TEMP${id('')} NaN`,
  ].join('\n');
  const whole = { instance: 'h1', gpu: '1', gpu_uuid: 'GPU-1', gpu_model: 'NVIDIA H100 80GB HBM3' };
  const exporter = { copy: '10.0.0.9:9400', endpoint: 'default', source: 'engine' };

  it('treats sentinels and NaN as absent, falls back to GR_ENGINE_ACTIVE, labels MIG slices', () => {
    assert.deepEqual(run('dcgm', body, undefined, exporter), [
      { labels: { __name__: 'gpu_utilization_ratio', ...whole, source: 'engine' }, value: 0.5 },
      {
        labels: { __name__: 'gpu_utilization_ratio', ...whole, gpu: '1/2', source: 'engine' },
        value: 0.75,
      },
      {
        labels: { __name__: 'gpu_memory_used_bytes', ...whole, source: 'engine' },
        value: 1024 * 1048576,
      },
      {
        labels: { __name__: 'gpu_memory_total_bytes', ...whole, source: 'engine' },
        value: 3584 * 1048576,
      },
    ]);
  });

  it('recognises every sentinel range and nothing next to it', () => {
    const table: Array<[number, boolean]> = [
      [2147483631, false],
      [2147483632, true],
      [2147483635, true],
      [2147483636, false],
      [Number('9223372036854775792'), true],
      [Number('9223372036854775795'), true],
      [140737488355327, false],
      [140737488355328, true],
      [140737488355331, true],
      [140737488355332, false],
      [0, false],
      [99.5, false],
    ];
    for (const [value, want] of table) assert.equal(isDcgmSentinel(value), want, String(value));
    assert.equal(keepRawSample('dcgm', { __name__: 'DCGM_FI_DEV_GPU_TEMP' }, 2147483633), false);
    assert.equal(keepRawSample('dcgm', { __name__: 'DCGM_FI_DEV_GPU_TEMP' }, Infinity), false);
    assert.equal(keepRawSample('dcgm', { __name__: 'DCGM_FI_DEV_GPU_TEMP' }, 41), true);
    assert.equal(keepRawSample('vllm', { __name__: 'x' }, 2147483633), true);
  });
});

describe('Triton with the TensorRT-LLM backend', () => {
  const lbl = (model: string, extra: string) => `{model="${model}",version="1",${extra}}`;
  const body = [
    '# TYPE nv_trt_llm_request_metrics gauge',
    `nv_trt_llm_request_metrics${lbl('tensorrt_llm', 'request_type="waiting"')} 4`,
    `nv_trt_llm_request_metrics${lbl('tensorrt_llm', 'request_type="scheduled"')} 6`,
    `nv_trt_llm_request_metrics${lbl('tensorrt_llm', 'request_type="active"')} 7`,
    `nv_trt_llm_request_metrics${lbl('tensorrt_llm', 'request_type="max"')} 64`,
    '# TYPE nv_trt_llm_kv_cache_block_metrics gauge',
    `nv_trt_llm_kv_cache_block_metrics${lbl('tensorrt_llm', 'kv_cache_block_type="fraction"')} 0.375`,
    `nv_trt_llm_kv_cache_block_metrics${lbl('tensorrt_llm', 'kv_cache_block_type="used"')} 30`,
    '# TYPE nv_inference_pending_request_count gauge',
    'nv_inference_pending_request_count{model="tensorrt_llm",version="1"} 0',
    '# TYPE nv_inference_first_response_histogram_ms histogram',
    'nv_inference_first_response_histogram_ms_bucket{model="tensorrt_llm",version="1",le="100"} 1',
    'nv_inference_first_response_histogram_ms_bucket{model="tensorrt_llm",version="1",le="500"} 3',
    'nv_inference_first_response_histogram_ms_bucket{model="tensorrt_llm",version="1",le="2000"} 4',
    'nv_inference_first_response_histogram_ms_bucket{model="tensorrt_llm",version="1",le="5000"} 4',
    'nv_inference_first_response_histogram_ms_bucket{model="tensorrt_llm",version="1",le="+Inf"} 5',
    'nv_inference_first_response_histogram_ms_sum{model="tensorrt_llm",version="1"} 7250',
    'nv_inference_first_response_histogram_ms_count{model="tensorrt_llm",version="1"} 5',
  ].join('\n');

  it('prefers the batcher queue, maps scheduled, the KV fraction and TTFT in seconds', () => {
    const m = { ...TARGET, model: 'tensorrt_llm' };
    const ttft = 'llm_time_to_first_token_seconds';
    assert.deepEqual(run('triton', body), [
      { labels: { __name__: 'llm_requests_running', ...m }, value: 6 },
      { labels: { __name__: 'llm_requests_waiting', ...m }, value: 4 },
      { labels: { __name__: 'llm_kv_cache_usage_ratio', ...m }, value: 0.375 },
      { labels: { __name__: `${ttft}_bucket`, ...m, le: '0.1' }, value: 1 },
      { labels: { __name__: `${ttft}_bucket`, ...m, le: '0.5' }, value: 3 },
      { labels: { __name__: `${ttft}_bucket`, ...m, le: '2' }, value: 4 },
      { labels: { __name__: `${ttft}_bucket`, ...m, le: '5' }, value: 4 },
      { labels: { __name__: `${ttft}_bucket`, ...m, le: '+Inf' }, value: 5 },
      { labels: { __name__: `${ttft}_sum`, ...m }, value: 7.25 },
      { labels: { __name__: `${ttft}_count`, ...m }, value: 5 },
    ]);
  });
});

describe('TGI and SGLang details', () => {
  it('TGI: KV ratio from the batch token budget; failure classes by err', () => {
    const body =
      'tgi_batch_current_max_tokens 128\ntgi_batch_max_total_tokens 512\n' +
      '# TYPE tgi_request_failure counter\n' +
      'tgi_request_failure{err="validation"} 1\ntgi_request_failure{err="overloaded"} 2\n' +
      'tgi_request_failure{err="incomplete"} 4\ntgi_request_failure{err="dropped"} 8\n';
    assert.deepEqual(
      run('tgi', body).map((s) => [s.labels.__name__, s.labels.status_class, s.value]),
      [
        ['llm_requests_total', '4xx', 3],
        ['llm_requests_total', '5xx', 12],
        ['llm_kv_cache_usage_ratio', undefined, 0.25],
      ],
    );
    assert.deepEqual(
      [
        'validation',
        'template',
        'overloaded',
        'generation',
        'incomplete',
        'dropped',
        'new',
        undefined,
      ].map(tgiFailureClass),
      ['4xx', '4xx', '4xx', '4xx', '5xx', '5xx', '5xx', '5xx'],
    );
    assert.deepEqual(
      run('tgi', 'tgi_batch_current_max_tokens 1\ntgi_batch_max_total_tokens 0\n'),
      [],
    );
  });

  it('SGLang: rank labels are folded (sum; max for the KV ratio); the newer ITL name wins', () => {
    const body = [
      'sglang:num_running_reqs{model_name="m",tp_rank="0"} 3',
      'sglang:num_running_reqs{model_name="m",tp_rank="1"} 4',
      'sglang:token_usage{model_name="m",tp_rank="0"} 0.2',
      'sglang:token_usage{model_name="m",tp_rank="1"} 0.6',
      '# TYPE sglang:num_requests_total counter',
      'sglang:num_requests_total{model_name="m"} 10',
      '# TYPE sglang:inter_token_latency_seconds histogram',
      'sglang:inter_token_latency_seconds_bucket{model_name="m",le="+Inf"} 2',
      'sglang:inter_token_latency_seconds_sum{model_name="m"} 0.1',
      'sglang:inter_token_latency_seconds_count{model_name="m"} 2',
      '# TYPE sglang:time_per_output_token_seconds histogram',
      'sglang:time_per_output_token_seconds_bucket{model_name="m",le="+Inf"} 99',
      'sglang:time_per_output_token_seconds_sum{model_name="m"} 9',
      'sglang:time_per_output_token_seconds_count{model_name="m"} 99',
    ].join('\n');
    assert.deepEqual(names(run('sglang', body)), [
      ['llm_requests_running', 7],
      ['llm_kv_cache_usage_ratio', 0.6],
      ['llm_requests_total', 10],
      ['llm_inter_token_latency_seconds_bucket', 2],
      ['llm_inter_token_latency_seconds_sum', 0.1],
      ['llm_inter_token_latency_seconds_count', 2],
    ]);
  });
});
