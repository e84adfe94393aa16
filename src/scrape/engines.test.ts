import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Labels } from '../store/types.js';
import { detectEngine, mapEngine, type EngineName } from './engines.js';
import { parseExposition } from './exposition.js';
import type { MappedSample } from './mapping.js';
import { formatPromFloat } from '../core/prom-float.js';
import { mapVllm } from './vllm.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/metrics/${name}`, import.meta.url), 'utf8');

const TARGET = { component: 'chat', copy: 'c0', endpoint: 'prod', source: 'engine' };
const ctx = () => ({ targetLabels: TARGET, fallbackModel: 'cfg-model', instance: 'host-a' });
const srv = (name: string, extra: Labels, value: number) => ({
  labels: { __name__: name, ...TARGET, ...extra },
  value,
});
const dev = (name: string, id: Labels, value: number) => ({
  labels: { __name__: name, ...id, component: 'chat', copy: 'c0', source: 'engine' },
  value,
});

/** Bucket lines of `family` read straight from the text with a regex (an oracle independent of the parser). */
function bucketsInText(text: string, family: string, scale = 1): Array<[string, number]> {
  const re = new RegExp(`^${family}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm');
  const rows = [...text.matchAll(re)].map((m): [number, number] => [
    m[1] === '+Inf' ? Infinity : Number(m[1]) * scale,
    Number(m[2]),
  ]);
  return rows.sort((a, b) => a[0] - b[0]).map(([le, v]) => [formatPromFloat(le), v]);
}

const isBucket = (s: MappedSample) => s.labels.__name__?.endsWith('_bucket') ?? false;
const bucketsOf = (out: MappedSample[], canonical: string) =>
  out
    .filter((s) => s.labels.__name__ === `${canonical}_bucket`)
    .map((s): [string, number] => [s.labels.le ?? '', s.value]);

const SGLANG_MODEL = { model: 'meta-llama/Llama-3.1-8B-Instruct' };
const TRITON_MODELS = [
  'simple_string',
  'simple_sequence',
  'simple_int8',
  'simple_identity',
  'densenet_onnx',
  'simple_dyna_sequence',
  'inception_graphdef',
  'simple',
];
const perModel = (name: string, extra: Labels, dense: number) =>
  TRITON_MODELS.map((model) =>
    srv(name, { model, ...extra }, model === 'densenet_onnx' ? dense : 0),
  );
const T4_A = {
  instance: '424773df46e0',
  gpu: '0',
  gpu_uuid: 'GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e',
  gpu_model: 'Tesla T4',
};
const T4_B = {
  instance: '551bdf382151',
  gpu: '0',
  gpu_uuid: 'GPU-9ef1b6d0-3643-5dd7-b823-c0ec20dcf2d5',
  gpu_model: 'Tesla T4',
};
const TRITON_GPU = { instance: 'host-a', gpu_uuid: 'GPU-951eeeeb-d284-d263-688e-d98a5306389b' };

interface CaptureCase {
  file: string;
  engine: EngineName;
  /** Every canonical sample except histogram buckets, in output order. */
  samples: Array<{ labels: Labels; value: number }>;
  /** Canonical histogram → [source family, bucket count] for the bucket check. */
  buckets: Record<string, [string, number]>;
}

const CASES: CaptureCase[] = [
  {
    file: 'datadog-tgi-payload.truncated.metrics.txt',
    engine: 'tgi',
    samples: [
      srv('llm_requests_running', { model: 'cfg-model' }, 0),
      srv('llm_requests_waiting', { model: 'cfg-model' }, 0),
      srv('llm_requests_total', { model: 'cfg-model', status_class: '2xx' }, 109),
      srv('llm_requests_total', { model: 'cfg-model', status_class: '4xx' }, 2),
      srv('llm_input_tokens_total', { model: 'cfg-model' }, 662),
      srv('llm_output_tokens_total', { model: 'cfg-model' }, 3423),
      srv('llm_request_duration_seconds_sum', { model: 'cfg-model' }, 541.2140316159999),
      srv('llm_request_duration_seconds_count', { model: 'cfg-model' }, 109),
      srv('llm_inter_token_latency_seconds_sum', { model: 'cfg-model' }, 8.643160945),
      srv('llm_inter_token_latency_seconds_count', { model: 'cfg-model' }, 109),
    ],
    buckets: {
      llm_request_duration_seconds: ['tgi_request_duration', 36],
      llm_inter_token_latency_seconds: ['tgi_request_mean_time_per_token_duration', 36],
    },
  },
  {
    file: 'sglang-docs-llama3.1-8b.metrics.txt',
    engine: 'sglang',
    samples: [
      srv('llm_requests_running', SGLANG_MODEL, 162),
      srv('llm_requests_waiting', SGLANG_MODEL, 2826),
      srv('llm_kv_cache_usage_ratio', SGLANG_MODEL, 0.28),
      srv('llm_input_tokens_total', SGLANG_MODEL, 8128902),
      srv('llm_output_tokens_total', SGLANG_MODEL, 7557572),
      srv('llm_time_to_first_token_seconds_sum', SGLANG_MODEL, 2351897.9474117756),
      srv('llm_time_to_first_token_seconds_count', SGLANG_MODEL, 11008),
      srv('llm_request_duration_seconds_sum', SGLANG_MODEL, 3116093.850019932),
      srv('llm_request_duration_seconds_count', SGLANG_MODEL, 11228),
      srv('llm_inter_token_latency_seconds_sum', SGLANG_MODEL, 866964.5791549598),
      srv('llm_inter_token_latency_seconds_count', SGLANG_MODEL, 7400757),
    ],
    buckets: {
      llm_time_to_first_token_seconds: ['sglang:time_to_first_token_seconds', 21],
      llm_request_duration_seconds: ['sglang:e2e_request_latency_seconds', 16],
      llm_inter_token_latency_seconds: ['sglang:time_per_output_token_seconds', 19],
    },
  },
  {
    file: 'datadog-triton-densenet-onnx.metrics.txt',
    engine: 'triton',
    samples: [
      ...perModel('llm_requests_waiting', {}, 0),
      ...perModel('llm_requests_total', { status_class: '2xx' }, 3),
      ...perModel('llm_requests_total', { status_class: '5xx' }, 0),
      ...perModel('llm_request_duration_seconds_sum', {}, 1.327965),
      ...perModel('llm_request_duration_seconds_count', {}, 3),
      dev('gpu_utilization_ratio', TRITON_GPU, 0),
      dev('gpu_memory_used_bytes', TRITON_GPU, 266338304),
      dev('gpu_memory_total_bytes', TRITON_GPU, 16106127360),
      dev('gpu_power_watts', TRITON_GPU, 32.09),
    ],
    buckets: {},
  },
  {
    file: 'datadog-dcgm-t4-a10g-partly-dummy.metrics.txt',
    engine: 'dcgm',
    samples: [
      dev('gpu_utilization_ratio', T4_A, 0),
      dev('gpu_memory_used_bytes', T4_A, 0),
      // FB_USED 0 + FB_FREE 15109 MiB (no FB_RESERVED); the second T4 exports FB_TOTAL 15109.
      dev('gpu_memory_total_bytes', T4_A, 15109 * 1048576),
      dev('gpu_memory_total_bytes', T4_B, 15109 * 1048576),
      dev('gpu_power_watts', T4_A, 8.969),
      dev('gpu_temperature_celsius', T4_A, 25),
    ],
    buckets: {},
  },
];

describe('mapEngine on every real capture', () => {
  for (const c of CASES) {
    it(`${c.file}: detected as ${c.engine}, exact canonical samples`, () => {
      const text = fixture(c.file);
      const { families } = parseExposition(text);
      assert.equal(detectEngine(families), c.engine);
      const out = mapEngine(c.engine, families, ctx());
      assert.deepEqual(
        out.filter((s) => !isBucket(s)),
        c.samples,
      );
      let bucketTotal = 0;
      for (const [canonical, [source, count]] of Object.entries(c.buckets)) {
        const got = bucketsOf(out, canonical);
        assert.equal(got.length, count, canonical);
        assert.deepEqual(got, bucketsInText(text, source), canonical);
        bucketTotal += count;
      }
      assert.equal(out.filter(isBucket).length, bucketTotal);
    });
  }

  it('datadog-vllm-opt125m-mixed.metrics.txt: detected as vllm, same samples as mapVllm', () => {
    const { families } = parseExposition(fixture('datadog-vllm-opt125m-mixed.metrics.txt'));
    assert.equal(detectEngine(families), 'vllm');
    const out = mapEngine('vllm', families, ctx());
    assert.equal(out.length, 43);
    assert.deepEqual(out, mapVllm(families, TARGET, 'cfg-model'));
  });

  it('spot checks: Go-style le, TGI first bound, SGLang "1.0" → "1"', () => {
    const tgi = mapEngine(
      'tgi',
      parseExposition(fixture('datadog-tgi-payload.truncated.metrics.txt')).families,
      ctx(),
    );
    assert.deepEqual(bucketsOf(tgi, 'llm_request_duration_seconds').slice(22, 25), [
      ['1.122274146401882', 2],
      ['1.683411219602823', 4],
      ['2.5251168294042348', 24],
    ]);
    const sglang = mapEngine(
      'sglang',
      parseExposition(fixture('sglang-docs-llama3.1-8b.metrics.txt')).families,
      ctx(),
    );
    assert.deepEqual(bucketsOf(sglang, 'llm_time_to_first_token_seconds').slice(10, 13), [
      ['0.75', 6],
      ['1', 27],
      ['2.5', 140],
    ]);
  });
});
