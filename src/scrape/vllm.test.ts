import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseExposition } from './exposition.js';
import { formatPromFloat } from '../core/prom-float.js';
import { isRuntimeNoise, toRawSamples } from './targets.js';
import { mapVllm, type MappedSample } from './vllm.js';

const capture = readFileSync(
  new URL('../../test/fixtures/metrics/datadog-vllm-opt125m-mixed.metrics.txt', import.meta.url),
  'utf8',
);
const target = { component: 'chat', copy: 'c0', endpoint: 'prod', source: 'engine' };

/** `name{labels}` → value, with the target labels left out for readability. */
function flatten(samples: MappedSample[]): Array<[string, number]> {
  return samples.map((s) => {
    const { __name__: name, ...rest } = s.labels;
    for (const key of Object.keys(target)) {
      assert.equal(rest[key], target[key as keyof typeof target], `${key} on ${name}`);
      delete rest[key];
    }
    const labels = Object.entries(rest)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    return [`${name}{${labels}}`, s.value];
  });
}

function map(text: string, fallbackModel?: string) {
  return flatten(mapVllm(parseExposition(text).families, target, fallbackModel));
}

const M = 'model="facebook/opt-125m"';

describe('mapVllm on the real Datadog vLLM capture', () => {
  it('maps every canonical family with the values in the file', () => {
    const ttftBuckets = [
      ['0.001', 0],
      ['0.005', 0],
      ['0.01', 0],
      ['0.02', 0],
      ['0.04', 0],
      ['0.06', 0],
      ['0.08', 0],
      ['0.1', 0],
      ['0.25', 0],
      ['0.5', 1],
      ['0.75', 1],
      ['1', 1],
      ['2.5', 1],
      ['5', 1],
      ['7.5', 1],
      ['10', 1],
      ['+Inf', 1],
    ] as const;
    const e2eBuckets = ['1', '2.5', '5', '10', '15', '20', '30', '40', '50', '60', '+Inf'];
    assert.deepEqual(map(capture), [
      [`llm_requests_running{${M}}`, 0],
      [`llm_requests_waiting{${M}}`, 0],
      [`llm_kv_cache_usage_ratio{${M}}`, 0],
      [`llm_requests_total{${M},status_class="2xx"}`, 1],
      [`llm_input_tokens_total{${M}}`, 5],
      [`llm_output_tokens_total{${M}}`, 7],
      ...ttftBuckets.map(([le, v]): [string, number] => [
        `llm_time_to_first_token_seconds_bucket{${M},le="${le}"}`,
        v,
      ]),
      [`llm_time_to_first_token_seconds_sum{${M}}`, 0.31326723098754883],
      [`llm_time_to_first_token_seconds_count{${M}}`, 1],
      ...e2eBuckets.map((le): [string, number] => [
        `llm_request_duration_seconds_bucket{${M},le="${le}"}`,
        1,
      ]),
      [`llm_request_duration_seconds_sum{${M}}`, 0.5034303665161133],
      [`llm_request_duration_seconds_count{${M}}`, 1],
      // inter_token_latency_seconds (new, count 144) wins over time_per_output_token (count 6).
      [`llm_inter_token_latency_seconds_bucket{${M},le="0.01"}`, 141],
      [`llm_inter_token_latency_seconds_bucket{${M},le="0.1"}`, 144],
      [`llm_inter_token_latency_seconds_bucket{${M},le="+Inf"}`, 144],
      [`llm_inter_token_latency_seconds_sum{${M}}`, 0.6237391703762114],
      [`llm_inter_token_latency_seconds_count{${M}}`, 144],
    ]);
  });

  it('keeps raw samples under original names, without process and python noise', () => {
    const { families } = parseExposition(capture);
    const raw = toRawSamples(families, target);
    assert.equal(raw.length, 185 - 16);
    assert.deepEqual(
      raw.find((s) => s.labels.__name__ === 'vllm:prompt_tokens_by_source_total'),
      {
        labels: {
          __name__: 'vllm:prompt_tokens_by_source_total',
          model_name: 'facebook/opt-125m',
          source: 'engine',
          exported_source: 'local_compute',
          component: 'chat',
          copy: 'c0',
          endpoint: 'prod',
        },
        value: 53,
      },
    );
    assert.equal(
      raw.filter((s) => s.labels.__name__ === 'vllm:time_to_first_token_seconds_bucket')[11]?.labels
        .le,
      '1.0',
    );
  });
});

describe('mapVllm on synthetic V1 bodies', () => {
  const twoEngines = [
    '# TYPE vllm:num_requests_running gauge',
    'vllm:num_requests_running{engine="0",model_name="q"} 2.0',
    'vllm:num_requests_running{engine="1",model_name="q"} 3.0',
    '# TYPE vllm:gpu_cache_usage_perc gauge',
    'vllm:gpu_cache_usage_perc{engine="0",model_name="q"} 0.9',
    '# TYPE vllm:kv_cache_usage_perc gauge',
    'vllm:kv_cache_usage_perc{engine="0",model_name="q"} 0.25',
    'vllm:kv_cache_usage_perc{engine="1",model_name="q"} 0.75',
    '# TYPE vllm:request_success_total counter',
    'vllm:request_success_total{engine="0",finished_reason="stop",model_name="q"} 10.0',
    'vllm:request_success_total{engine="0",finished_reason="length",model_name="q"} 4.0',
    'vllm:request_success_total{engine="1",finished_reason="abort",model_name="q"} 1.0',
    '# TYPE vllm:time_to_first_token_seconds histogram',
    'vllm:time_to_first_token_seconds_bucket{engine="0",le="0.5",model_name="q"} 1.0',
    'vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="q"} 2.0',
    'vllm:time_to_first_token_seconds_count{engine="0",model_name="q"} 2.0',
    'vllm:time_to_first_token_seconds_sum{engine="0",model_name="q"} 1.5',
    'vllm:time_to_first_token_seconds_bucket{engine="1",le="+Inf",model_name="q"} 3.0',
    'vllm:time_to_first_token_seconds_bucket{engine="1",le="0.5",model_name="q"} 3.0',
    'vllm:time_to_first_token_seconds_count{engine="1",model_name="q"} 3.0',
    'vllm:time_to_first_token_seconds_sum{engine="1",model_name="q"} 0.75',
  ].join('\n');

  it('folds engines: sums gauges, counters and buckets; max for the KV ratio; new name wins', () => {
    assert.deepEqual(map(twoEngines), [
      ['llm_requests_running{model="q"}', 5],
      ['llm_kv_cache_usage_ratio{model="q"}', 0.75],
      ['llm_requests_total{model="q",status_class="2xx"}', 15],
      ['llm_time_to_first_token_seconds_bucket{model="q",le="0.5"}', 4],
      ['llm_time_to_first_token_seconds_bucket{model="q",le="+Inf"}', 5],
      ['llm_time_to_first_token_seconds_sum{model="q"}', 2.25],
      ['llm_time_to_first_token_seconds_count{model="q"}', 5],
    ]);
  });

  it('falls back to the old names when the new ones are absent', () => {
    const old = [
      '# TYPE vllm:gpu_cache_usage_perc gauge',
      'vllm:gpu_cache_usage_perc{model_name="q"} 0.4',
      '# TYPE vllm:time_per_output_token_seconds histogram',
      'vllm:time_per_output_token_seconds_bucket{le="0.05",model_name="q"} 6.0',
      'vllm:time_per_output_token_seconds_bucket{le="+Inf",model_name="q"} 6.0',
      'vllm:time_per_output_token_seconds_sum{model_name="q"} 0.19',
      'vllm:time_per_output_token_seconds_count{model_name="q"} 6.0',
    ].join('\n');
    assert.deepEqual(map(old), [
      ['llm_kv_cache_usage_ratio{model="q"}', 0.4],
      ['llm_inter_token_latency_seconds_bucket{model="q",le="0.05"}', 6],
      ['llm_inter_token_latency_seconds_bucket{model="q",le="+Inf"}', 6],
      ['llm_inter_token_latency_seconds_sum{model="q"}', 0.19],
      ['llm_inter_token_latency_seconds_count{model="q"}', 6],
    ]);
  });

  it('uses the configured model without model_name, and reads OpenMetrics counter names', () => {
    const body = [
      '# TYPE vllm:prompt_tokens counter',
      'vllm:prompt_tokens_total 12.0',
      'vllm:prompt_tokens_created 1.7e9',
      '# TYPE vllm:num_requests_waiting gauge',
      'vllm:num_requests_waiting 4',
      '# EOF',
    ].join('\n');
    assert.deepEqual(map(body, 'qwen'), [
      ['llm_requests_waiting{model="qwen"}', 4],
      ['llm_input_tokens_total{model="qwen"}', 12],
    ]);
    assert.deepEqual(map(body), [
      ['llm_requests_waiting{}', 4],
      ['llm_input_tokens_total{}', 12],
    ]);
  });

  it('ignores a family with an unexpected type', () => {
    assert.deepEqual(map('vllm:time_to_first_token_seconds_count 3\nvllm:num_requests_running 1'), [
      ['llm_requests_running{}', 1],
    ]);
  });

  it('keeps exposition timestamps, the latest across engines', () => {
    const body =
      'vllm:num_requests_running{engine="0"} 1 1000\nvllm:num_requests_running{engine="1"} 1 2000';
    const samples = mapVllm(parseExposition(body).families, {});
    assert.deepEqual(samples, [
      { labels: { __name__: 'llm_requests_running' }, value: 2, timestampMs: 2000 },
    ]);
  });
});

describe('formatPromFloat and isRuntimeNoise', () => {
  const floats: Array<[number, string]> = [
    [0.005, '0.005'],
    [1, '1'],
    [2.5, '2.5'],
    [10, '10'],
    [2560, '2560'],
    [100000, '100000'],
    [1e6, '1e+06'],
    [1.5e21, '1.5e+21'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [0.07500000000000001, '0.07500000000000001'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
    [-2.5, '-2.5'],
    [0, '0'],
  ];
  for (const [value, want] of floats) {
    it(`${value} → ${want}`, () => assert.equal(formatPromFloat(value), want));
  }

  it('drops runtime families but keeps http_requests_total', () => {
    assert.deepEqual(
      [
        'python_info',
        'process_open_fds',
        'go_goroutines',
        'http_request_size_bytes',
        'http_requests_total',
        'vllm:x',
      ].map(isRuntimeNoise),
      [true, true, true, true, false, false],
    );
  });
});
