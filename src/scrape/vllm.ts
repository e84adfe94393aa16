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
import type { ExpositionSample, MetricFamily, MetricType } from './exposition.js';
import { parseNumber } from './exposition-line.js';
import { formatPromFloat } from './promfloat.js';

/** A mapped sample; `timestampMs` only when the exposition carried one. */
export interface MappedSample {
  labels: Labels;
  value: number;
  timestampMs?: number;
}

/** One row of the mapping table: the canonical name and its vLLM sources, newest first. */
export interface CanonicalMapping {
  canonical: string;
  kind: 'gauge' | 'counter' | 'histogram';
  /** vLLM family names, preferred first; the first one present is used, the rest ignored. */
  sources: readonly string[];
  /** How samples of several engines (or label sets) of one model are combined. */
  combine: 'sum' | 'max';
  /** Labels added to the canonical series. */
  extraLabels?: Labels;
}

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

const ACCEPTED_TYPES: Record<CanonicalMapping['kind'], readonly MetricType[]> = {
  gauge: ['gauge', 'untyped'],
  counter: ['counter', 'untyped'],
  histogram: ['histogram'],
};

interface Group {
  labels: Labels;
  value: number;
  timestampMs?: number;
  order: number;
  bound: number;
}

/** Finds a source family by name; counters may also appear under the OpenMetrics base name. */
function findFamily(
  index: Map<string, MetricFamily>,
  name: string,
  kind: CanonicalMapping['kind'],
) {
  const direct = index.get(name);
  if (direct) return direct;
  if (kind === 'counter' && name.endsWith('_total')) return index.get(name.slice(0, -6));
  return undefined;
}

function pickSource(index: Map<string, MetricFamily>, mapping: CanonicalMapping) {
  for (const source of mapping.sources) {
    const family = findFamily(index, source, mapping.kind);
    if (family && family.samples.length > 0 && ACCEPTED_TYPES[mapping.kind].includes(family.type)) {
      return family;
    }
  }
  return undefined;
}

/** Which part of the canonical series a sample feeds: '' for gauges/counters, or a suffix. */
function partOf(family: MetricFamily, sample: ExpositionSample, kind: CanonicalMapping['kind']) {
  if (kind !== 'histogram') {
    return sample.name === family.name || sample.name === `${family.name}_total` ? '' : undefined;
  }
  const suffix = sample.name.slice(family.name.length);
  return suffix === '_bucket' || suffix === '_sum' || suffix === '_count' ? suffix : undefined;
}

function mapOne(
  family: MetricFamily,
  mapping: CanonicalMapping,
  targetLabels: Labels,
  fallbackModel: string | undefined,
): MappedSample[] {
  const groups = new Map<string, Group>();
  for (const sample of family.samples) {
    const part = partOf(family, sample, mapping.kind);
    if (part === undefined) continue;
    const model = sample.labels.model_name ?? fallbackModel;
    const labels: Labels = { __name__: mapping.canonical + part, ...targetLabels };
    if (model !== undefined) labels.model = model;
    Object.assign(labels, mapping.extraLabels);
    let bound = 0;
    if (part === '_bucket') {
      bound = parseNumber(sample.labels.le ?? '') ?? NaN;
      labels.le = formatPromFloat(bound);
    }
    const key = `${model ?? ''}\u0000${part}\u0000${labels.le ?? ''}`;
    const group = groups.get(key);
    if (!group) {
      const order = part === '_bucket' ? 0 : part === '_sum' ? 1 : 2;
      groups.set(key, {
        labels,
        value: sample.value,
        timestampMs: sample.timestampMs,
        order,
        bound,
      });
      continue;
    }
    group.value =
      mapping.combine === 'max' ? Math.max(group.value, sample.value) : group.value + sample.value;
    if (sample.timestampMs !== undefined) {
      group.timestampMs = Math.max(group.timestampMs ?? sample.timestampMs, sample.timestampMs);
    }
  }
  const ordered = [...groups.values()];
  if (mapping.kind === 'histogram') {
    const modelOrder = new Map<string, number>();
    for (const g of ordered) {
      const m = g.labels.model ?? '';
      if (!modelOrder.has(m)) modelOrder.set(m, modelOrder.size);
    }
    const rankOf = (g: Group) => modelOrder.get(g.labels.model ?? '') ?? 0;
    ordered.sort((a, b) => rankOf(a) - rankOf(b) || a.order - b.order || a.bound - b.bound);
  }
  return ordered.map((g) =>
    g.timestampMs === undefined
      ? { labels: g.labels, value: g.value }
      : { labels: g.labels, value: g.value, timestampMs: g.timestampMs },
  );
}

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
  const index = new Map(families.map((f) => [f.name, f]));
  const out: MappedSample[] = [];
  for (const mapping of VLLM_MAPPINGS) {
    const family = pickSource(index, mapping);
    if (family) out.push(...mapOne(family, mapping, targetLabels, fallbackModel));
  }
  return out;
}
