/**
 * Maps SGLang's `/metrics` (`sglang:` prefix, `model_name` label, needs `--enable-metrics`) onto
 * the canonical serving metrics. See shared/reference/metrics-formats.md §3.
 *
 * Decisions:
 * - Rank labels (e.g. `tp_rank`) are folded like vLLM's `engine`: running and waiting gauges,
 *   counters and buckets are summed; the KV ratio (`sglang:token_usage`) takes the maximum.
 * - `llm_requests_total{status_class="2xx"}` is `sglang:num_requests_total` (finished requests);
 *   aborted requests (`sglang:num_aborted_requests_total`) stay raw only, because SGLang does not
 *   say whether the finished count already includes them.
 * - The inter-token histogram prefers `inter_token_latency_seconds`, then the older
 *   `time_per_output_token_seconds`; never both.
 * Limitation: summing per-rank gauges double counts when every tensor-parallel rank reports the
 * same requests; the raw series keep the rank label for checking.
 */
import type { MetricFamily } from './exposition.js';
import { mapTable, type CanonicalMapping, type MapContext, type MappedSample } from './mapping.js';

/** The SGLang → canonical table. */
export const SGLANG_MAPPINGS: readonly CanonicalMapping[] = [
  {
    canonical: 'llm_requests_running',
    kind: 'gauge',
    sources: ['sglang:num_running_reqs'],
    combine: 'sum',
  },
  {
    canonical: 'llm_requests_waiting',
    kind: 'gauge',
    sources: ['sglang:num_queue_reqs'],
    combine: 'sum',
  },
  {
    canonical: 'llm_kv_cache_usage_ratio',
    kind: 'gauge',
    sources: ['sglang:token_usage'],
    combine: 'max',
  },
  {
    canonical: 'llm_requests_total',
    kind: 'counter',
    sources: ['sglang:num_requests_total'],
    combine: 'sum',
    extraLabels: { status_class: '2xx' },
  },
  {
    canonical: 'llm_input_tokens_total',
    kind: 'counter',
    sources: ['sglang:prompt_tokens_total'],
    combine: 'sum',
  },
  {
    canonical: 'llm_output_tokens_total',
    kind: 'counter',
    sources: ['sglang:generation_tokens_total'],
    combine: 'sum',
  },
  {
    canonical: 'llm_time_to_first_token_seconds',
    kind: 'histogram',
    sources: ['sglang:time_to_first_token_seconds'],
    combine: 'sum',
  },
  {
    canonical: 'llm_request_duration_seconds',
    kind: 'histogram',
    sources: ['sglang:e2e_request_latency_seconds'],
    combine: 'sum',
  },
  {
    canonical: 'llm_inter_token_latency_seconds',
    kind: 'histogram',
    sources: ['sglang:inter_token_latency_seconds', 'sglang:time_per_output_token_seconds'],
    combine: 'sum',
  },
];

/** Maps parsed SGLang families to canonical samples; `model_name` becomes `model`. */
export function mapSglang(
  index: ReadonlyMap<string, MetricFamily>,
  ctx: MapContext,
): MappedSample[] {
  return mapTable(index, SGLANG_MAPPINGS, { ...ctx, modelLabel: 'model_name' });
}
