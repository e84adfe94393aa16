/**
 * Maps vLLM's `/metrics` families onto llmwatch's canonical serving metrics.
 *
 * Decisions (see shared/reference/metrics-formats.md §1):
 * - New names win: when a family under the new name has samples (`kv_cache_usage_perc`,
 *   `inter_token_latency_seconds`), the old one (`gpu_cache_usage_perc`,
 *   `time_per_output_token_seconds`) is ignored; the old one is used only when the new one is
 *   absent. Never both.
 * - `model_name` becomes `model`; without it the target's configured model is used.
 * - The V1 `engine` label (one engine core per data-parallel rank inside one server) is folded
 *   into the copy: running/waiting gauges, counters and histogram buckets are summed across
 *   engines; the KV-cache ratio takes the maximum, the fullest engine being the one that
 *   preempts. Raw samples keep `engine` for drill-down.
 * - `llm_requests_total{status_class="2xx"}` is the sum of `request_success_total` over every
 *   `finished_reason`, including `abort` (vLLM counts an aborted request as finished; the raw
 *   series keeps the split).
 * - Histogram `le` values are rewritten in the Go client style ("1.0" → "1") so they line up
 *   with gateway buckets.
 * Limitation: a family whose TYPE differs from the expected one (e.g. missing `# TYPE`, so
 * histogram parts arrive as separate untyped families) is not mapped; its raw samples remain.
 */
import type { Labels } from '../store/types.js';
import type { MetricFamily } from './exposition.js';
import { mapTable, type CanonicalMapping, type MappedSample } from './mapping.js';

export type { CanonicalMapping, MappedSample } from './mapping.js';

/** The vLLM → canonical table. */
export const VLLM_MAPPINGS: readonly CanonicalMapping[] = [
  {
    canonical: 'llm_requests_running',
    kind: 'gauge',
    sources: ['vllm:num_requests_running'],
    combine: 'sum',
  },
  {
    canonical: 'llm_requests_waiting',
    kind: 'gauge',
    sources: ['vllm:num_requests_waiting'],
    combine: 'sum',
  },
  {
    canonical: 'llm_kv_cache_usage_ratio',
    kind: 'gauge',
    sources: ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'],
    combine: 'max',
  },
  {
    canonical: 'llm_requests_total',
    kind: 'counter',
    sources: ['vllm:request_success_total'],
    combine: 'sum',
    extraLabels: { status_class: '2xx' },
  },
  {
    canonical: 'llm_input_tokens_total',
    kind: 'counter',
    sources: ['vllm:prompt_tokens_total'],
    combine: 'sum',
  },
  {
    canonical: 'llm_output_tokens_total',
    kind: 'counter',
    sources: ['vllm:generation_tokens_total'],
    combine: 'sum',
  },
  {
    canonical: 'llm_time_to_first_token_seconds',
    kind: 'histogram',
    sources: ['vllm:time_to_first_token_seconds'],
    combine: 'sum',
  },
  {
    canonical: 'llm_request_duration_seconds',
    kind: 'histogram',
    sources: ['vllm:e2e_request_latency_seconds'],
    combine: 'sum',
  },
  {
    canonical: 'llm_inter_token_latency_seconds',
    kind: 'histogram',
    sources: ['vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds'],
    combine: 'sum',
  },
];

/**
 * Maps parsed vLLM families to canonical samples. `targetLabels` (component, copy, endpoint,
 * source) are added to each; `fallbackModel` is the `model` label when a sample has no
 * `model_name`. Families that are absent or of an unexpected type produce nothing.
 */
export function mapVllm(
  families: readonly MetricFamily[],
  targetLabels: Labels,
  fallbackModel?: string,
): MappedSample[] {
  return mapTable(families, VLLM_MAPPINGS, {
    targetLabels,
    fallbackModel,
    modelLabel: 'model_name',
  });
}
