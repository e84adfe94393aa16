/**
 * Maps llama.cpp `llama-server --metrics` output (`llamacpp:` prefix, no labels) onto the
 * canonical serving metrics. See shared/reference/metrics-formats.md §6.
 *
 * Decisions:
 * - The model comes from the target (llama-server labels nothing).
 * - `llm_inter_token_latency_seconds` has only `_sum` (`llamacpp:tokens_predicted_seconds_total`,
 *   generation time summed over slots) and `_count` (`llamacpp:tokens_predicted_total`), so
 *   `rate(_sum)/rate(_count)` is the mean time per generated token; both or neither are written.
 * - `llm_kv_cache_usage_ratio` from `llamacpp:kv_cache_usage_ratio`, which only older builds have.
 * Limitation: llama-server has no request counter, no latency histograms, no TTFT and no error
 * counter; those canonical metrics stay absent (the gateway records them for proxied traffic).
 */
import type { MetricFamily } from './exposition.js';
import { mapTable, type CanonicalMapping, type MapContext, type MappedSample } from './mapping.js';

/** The llama.cpp → canonical table. */
export const LLAMACPP_MAPPINGS: readonly CanonicalMapping[] = [
  {
    canonical: 'llm_requests_running',
    kind: 'gauge',
    sources: ['llamacpp:requests_processing'],
    combine: 'sum',
  },
  {
    canonical: 'llm_requests_waiting',
    kind: 'gauge',
    sources: ['llamacpp:requests_deferred'],
    combine: 'sum',
  },
  {
    canonical: 'llm_kv_cache_usage_ratio',
    kind: 'gauge',
    sources: ['llamacpp:kv_cache_usage_ratio'],
    combine: 'max',
  },
  {
    canonical: 'llm_input_tokens_total',
    kind: 'counter',
    sources: ['llamacpp:prompt_tokens_total'],
    combine: 'sum',
  },
  {
    canonical: 'llm_output_tokens_total',
    kind: 'counter',
    sources: ['llamacpp:tokens_predicted_total'],
    combine: 'sum',
  },
  {
    canonical: 'llm_inter_token_latency_seconds_sum',
    kind: 'counter',
    sources: ['llamacpp:tokens_predicted_seconds_total'],
    combine: 'sum',
  },
  {
    canonical: 'llm_inter_token_latency_seconds_count',
    kind: 'counter',
    sources: ['llamacpp:tokens_predicted_total'],
    combine: 'sum',
  },
];

/** Maps parsed llama.cpp families to canonical samples (see the file comment for the rules). */
export function mapLlamacpp(
  index: ReadonlyMap<string, MetricFamily>,
  ctx: MapContext,
): MappedSample[] {
  const out = mapTable(index, LLAMACPP_MAPPINGS, ctx);
  const has = (name: string) => out.some((s) => s.labels.__name__ === name);
  if (has('llm_inter_token_latency_seconds_sum') && has('llm_inter_token_latency_seconds_count')) {
    return out;
  }
  return out.filter((s) => !s.labels.__name__?.startsWith('llm_inter_token_latency_seconds'));
}
