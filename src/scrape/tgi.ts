/**
 * Maps Hugging Face TGI's `/metrics` (Rust `metrics` crate, counters without `_total`, no model
 * label) onto the canonical serving metrics. See shared/reference/metrics-formats.md §2.
 *
 * Decisions:
 * - The model comes from the target (TGI serves one model per server and labels nothing).
 * - `llm_requests_total{status_class="2xx"}` is `tgi_request_success`; `tgi_request_failure{err}`
 *   is added under the HTTP class TGI answers with for that error: validation and template 422,
 *   overloaded 429 and generation 424 are "4xx"; incomplete, dropped and any new kind are "5xx".
 * - Tokens are the `_sum` of the per-request length histograms (`tgi_request_input_length`,
 *   `tgi_request_generated_tokens`), which TGI updates once per finished request.
 * - `llm_inter_token_latency_seconds` is `tgi_request_mean_time_per_token_duration`: its buckets
 *   count requests by their mean time per output token, not individual token gaps.
 * - `llm_kv_cache_usage_ratio` is `tgi_batch_current_max_tokens / tgi_batch_max_total_tokens`,
 *   emitted only when both are present and the capacity is above 0 (the token budget of the
 *   running batch, TGI's nearest signal to KV use).
 * Limitation: TGI exposes no time to first token; `llm_time_to_first_token_seconds` stays absent
 * (its dashboard estimates it from queue and prefill quantiles, which cannot form a histogram).
 */
import type { Labels } from '../store/types.js';
import type { MetricFamily } from './exposition.js';
import { mapTable, type CanonicalMapping, type MapContext, type MappedSample } from './mapping.js';

const FAILURE_CLASS: Record<string, string> = {
  validation: '4xx',
  template: '4xx',
  overloaded: '4xx',
  generation: '4xx',
  incomplete: '5xx',
  dropped: '5xx',
};

/** HTTP class TGI answers with for a `tgi_request_failure` `err` value; "5xx" when unknown. */
export function tgiFailureClass(err: string | undefined): string {
  return (err !== undefined && FAILURE_CLASS[err]) || '5xx';
}

/** The TGI → canonical table. */
export const TGI_MAPPINGS: readonly CanonicalMapping[] = [
  {
    canonical: 'llm_requests_running',
    kind: 'gauge',
    sources: ['tgi_batch_current_size'],
    combine: 'sum',
  },
  { canonical: 'llm_requests_waiting', kind: 'gauge', sources: ['tgi_queue_size'], combine: 'sum' },
  {
    canonical: 'llm_requests_total',
    kind: 'counter',
    sources: ['tgi_request_success'],
    combine: 'sum',
    extraLabels: { status_class: '2xx' },
  },
  {
    canonical: 'llm_requests_total',
    kind: 'counter',
    sources: [
      {
        family: 'tgi_request_failure',
        labelsFrom: (labels: Labels) => ({ status_class: tgiFailureClass(labels.err) }),
      },
    ],
    combine: 'sum',
  },
  {
    canonical: 'llm_input_tokens_total',
    kind: 'counter',
    sources: [{ family: 'tgi_request_input_length', part: '_sum' }],
    combine: 'sum',
  },
  {
    canonical: 'llm_output_tokens_total',
    kind: 'counter',
    sources: [{ family: 'tgi_request_generated_tokens', part: '_sum' }],
    combine: 'sum',
  },
  {
    canonical: 'llm_request_duration_seconds',
    kind: 'histogram',
    sources: ['tgi_request_duration'],
    combine: 'sum',
  },
  {
    canonical: 'llm_inter_token_latency_seconds',
    kind: 'histogram',
    sources: ['tgi_request_mean_time_per_token_duration'],
    combine: 'sum',
  },
];

function single(index: ReadonlyMap<string, MetricFamily>, name: string): number | undefined {
  const family = index.get(name);
  if (!family || (family.type !== 'gauge' && family.type !== 'untyped')) return undefined;
  return family.samples.length === 1 ? family.samples[0]?.value : undefined;
}

/** Maps parsed TGI families to canonical samples (see the file comment for the rules). */
export function mapTgi(index: ReadonlyMap<string, MetricFamily>, ctx: MapContext): MappedSample[] {
  const out = mapTable(index, TGI_MAPPINGS, ctx);
  const used = single(index, 'tgi_batch_current_max_tokens');
  const capacity = single(index, 'tgi_batch_max_total_tokens');
  if (used !== undefined && capacity !== undefined && capacity > 0 && Number.isFinite(used)) {
    const labels: Labels = { __name__: 'llm_kv_cache_usage_ratio', ...ctx.targetLabels };
    if (ctx.fallbackModel !== undefined) labels.model = ctx.fallbackModel;
    out.push({ labels, value: used / capacity });
  }
  return out;
}
