/**
 * Maps NVIDIA Triton Inference Server's `/metrics` (prometheus-cpp; labels `model`, `version`;
 * GPU series by `gpu_uuid`), including the TensorRT-LLM backend's `nv_trt_llm_*` gauges, onto
 * the canonical metrics. See shared/reference/metrics-formats.md §4 and §4.1.
 *
 * Decisions:
 * - `model` stays `model`; model versions are summed (max for the KV ratio).
 * - `llm_requests_total`: `nv_inference_request_success` as "2xx", `nv_inference_request_failure`
 *   as "5xx" (Triton does not say which HTTP status a failure got).
 * - Queue: TensorRT-LLM's `nv_trt_llm_request_metrics{request_type="waiting"}` when present (the
 *   in-flight batcher's queue), else `nv_inference_pending_request_count`. Running:
 *   `request_type="scheduled"`. KV: `nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction"}`.
 * - TTFT from the opt-in `nv_inference_first_response_histogram_ms`, milliseconds → seconds.
 * - `llm_request_duration_seconds` has only `_sum` (cumulative `nv_inference_request_duration_us`
 *   in seconds) and `_count` (success + failure): averages work, quantiles do not.
 * - GPUs: `nv_gpu_utilization` (0..1), `nv_gpu_memory_{used,total}_bytes`, `nv_gpu_power_usage`
 *   become the `gpu_*` series with `gpu_uuid` and the target's host as `instance`.
 * Limitation: Triton has no token counters, so `llm_input_tokens_total`/`llm_output_tokens_total`
 * stay absent; an ensemble counts a request once per member model (each under its own `model`).
 * Limitation: Triton's GPU series carry no GPU index, so their `gpu` label is absent.
 */
import type { Labels } from '../store/types.js';
import { deviceLabels } from './device.js';
import type { MetricFamily } from './exposition.js';
import { mapTable, type CanonicalMapping, type MapContext, type MappedSample } from './mapping.js';

/** The Triton (+ TensorRT-LLM backend) → canonical serving table. */
export const TRITON_MAPPINGS: readonly CanonicalMapping[] = [
  {
    canonical: 'llm_requests_running',
    kind: 'gauge',
    sources: [{ family: 'nv_trt_llm_request_metrics', where: { request_type: 'scheduled' } }],
    combine: 'sum',
  },
  {
    canonical: 'llm_requests_waiting',
    kind: 'gauge',
    sources: [
      { family: 'nv_trt_llm_request_metrics', where: { request_type: 'waiting' } },
      'nv_inference_pending_request_count',
    ],
    combine: 'sum',
  },
  {
    canonical: 'llm_kv_cache_usage_ratio',
    kind: 'gauge',
    sources: [
      { family: 'nv_trt_llm_kv_cache_block_metrics', where: { kv_cache_block_type: 'fraction' } },
    ],
    combine: 'max',
  },
  {
    canonical: 'llm_requests_total',
    kind: 'counter',
    sources: ['nv_inference_request_success'],
    combine: 'sum',
    extraLabels: { status_class: '2xx' },
  },
  {
    canonical: 'llm_requests_total',
    kind: 'counter',
    sources: ['nv_inference_request_failure'],
    combine: 'sum',
    extraLabels: { status_class: '5xx' },
  },
  {
    canonical: 'llm_time_to_first_token_seconds',
    kind: 'histogram',
    sources: [{ family: 'nv_inference_first_response_histogram_ms', convert: (ms) => ms / 1000 }],
    combine: 'sum',
  },
  {
    canonical: 'llm_request_duration_seconds_sum',
    kind: 'counter',
    sources: [{ family: 'nv_inference_request_duration_us', convert: (us) => us / 1e6 }],
    combine: 'sum',
  },
];

const GPU_GAUGES: ReadonlyArray<readonly [string, string]> = [
  ['nv_gpu_utilization', 'gpu_utilization_ratio'],
  ['nv_gpu_memory_used_bytes', 'gpu_memory_used_bytes'],
  ['nv_gpu_memory_total_bytes', 'gpu_memory_total_bytes'],
  ['nv_gpu_power_usage', 'gpu_power_watts'],
];

/** `_count` of the bucketless duration histogram: success + failure per model. */
function durationCounts(mapped: readonly MappedSample[]): MappedSample[] {
  if (!mapped.some((s) => s.labels.__name__ === 'llm_request_duration_seconds_sum')) return [];
  const byModel = new Map<string, MappedSample>();
  for (const s of mapped) {
    if (s.labels.__name__ !== 'llm_requests_total') continue;
    const rest = Object.fromEntries(
      Object.entries(s.labels).filter(([k]) => k !== 'status_class'),
    ) as Labels;
    const key = rest.model ?? '';
    const found = byModel.get(key);
    if (found) found.value += s.value;
    else
      byModel.set(key, {
        labels: { ...rest, __name__: 'llm_request_duration_seconds_count' },
        value: s.value,
      });
  }
  return [...byModel.values()];
}

function mapGpus(index: ReadonlyMap<string, MetricFamily>, ctx: MapContext): MappedSample[] {
  const out: MappedSample[] = [];
  for (const [source, canonical] of GPU_GAUGES) {
    const family = index.get(source);
    if (!family || (family.type !== 'gauge' && family.type !== 'untyped')) continue;
    for (const sample of family.samples) {
      if (!Number.isFinite(sample.value) || !sample.labels.gpu_uuid) continue;
      const labels: Labels = deviceLabels(canonical, { gpu_uuid: sample.labels.gpu_uuid }, ctx);
      out.push({ labels, value: sample.value });
    }
  }
  return out;
}

/** Maps parsed Triton families to canonical serving and GPU samples. */
export function mapTriton(
  index: ReadonlyMap<string, MetricFamily>,
  ctx: MapContext,
): MappedSample[] {
  const serving = mapTable(index, TRITON_MAPPINGS, { ...ctx, modelLabel: 'model' });
  return [...serving, ...durationCounts(serving), ...mapGpus(index, ctx)];
}
