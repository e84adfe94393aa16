/**
 * The OpenTelemetry GenAI semantic conventions mapped onto llmwatch's canonical metrics:
 *
 * - `gen_ai.client.token.usage` (histogram, {token}, attribute gen_ai.token.type = input|output):
 *   its sum becomes the counters `llm_input_tokens_total` / `llm_output_tokens_total` (the
 *   gen_ai_token_type label removed); the histogram is also kept as `gen_ai_client_token_usage_*`.
 * - `gen_ai.client.operation.duration` and `gen_ai.server.request.duration` (histograms, s):
 *   `llm_request_duration_seconds`, and their count `llm_requests_total` with status_class
 *   "error" when the point has an `error.type` attribute, else "2xx".
 * - `gen_ai.server.time_to_first_token` and `gen_ai.client.operation.time_to_first_chunk`:
 *   `llm_time_to_first_token_seconds`.
 * - `gen_ai.server.time_per_output_token` and `gen_ai.client.operation.time_per_output_chunk`:
 *   `llm_inter_token_latency_seconds`.
 *
 * Durations in "ms" are converted to seconds; a duration in another unit is stored under its
 * converted OTLP name only. Other labels (operation, provider, server address, error type) stay.
 *
 * Limitation: gen_ai.token.type values other than input/output (and the older prompt/completion)
 * are kept only in the `gen_ai_client_token_usage` histogram.
 * Limitation: a token usage point without a sum yields no token counter sample.
 */
import type { HistogramValue, SampleSink } from './emit.js';
import { pushCounter, pushHistogram } from './emit.js';

/** How one GenAI histogram metric is mapped. */
export type GenAiMapping =
  { kind: 'tokens' } | { kind: 'duration'; name: string; countsRequests: boolean };

const MAPPINGS: Record<string, GenAiMapping> = {
  'gen_ai.client.token.usage': { kind: 'tokens' },
  'gen_ai.client.operation.duration': {
    kind: 'duration',
    name: 'llm_request_duration_seconds',
    countsRequests: true,
  },
  'gen_ai.server.request.duration': {
    kind: 'duration',
    name: 'llm_request_duration_seconds',
    countsRequests: true,
  },
  'gen_ai.server.time_to_first_token': {
    kind: 'duration',
    name: 'llm_time_to_first_token_seconds',
    countsRequests: false,
  },
  'gen_ai.client.operation.time_to_first_chunk': {
    kind: 'duration',
    name: 'llm_time_to_first_token_seconds',
    countsRequests: false,
  },
  'gen_ai.server.time_per_output_token': {
    kind: 'duration',
    name: 'llm_inter_token_latency_seconds',
    countsRequests: false,
  },
  'gen_ai.client.operation.time_per_output_chunk': {
    kind: 'duration',
    name: 'llm_inter_token_latency_seconds',
    countsRequests: false,
  },
};

const TOKEN_COUNTERS: Record<string, string> = {
  input: 'llm_input_tokens_total',
  prompt: 'llm_input_tokens_total',
  output: 'llm_output_tokens_total',
  completion: 'llm_output_tokens_total',
};

/** The mapping of an OTLP histogram metric name, or undefined for metrics not in the table. */
export function genAiMapping(metricName: string): GenAiMapping | undefined {
  return Object.hasOwn(MAPPINGS, metricName) ? MAPPINGS[metricName] : undefined;
}

/** Divisor to seconds for a duration unit ("s" or unset: 1, "ms": 1000), else undefined. */
export function secondsDivisor(unit: string): number | undefined {
  if (unit === 's' || unit === '') return 1;
  if (unit === 'ms') return 1000;
  return undefined;
}

/**
 * Writes the canonical samples of one GenAI histogram point. Returns false when the point must
 * instead be stored under its converted OTLP name (duration in an unknown unit); token usage
 * returns false too, because its histogram is kept as well.
 */
export function pushGenAiHistogram(
  sink: SampleSink,
  mapping: GenAiMapping,
  unit: string,
  h: HistogramValue,
): boolean {
  if (mapping.kind === 'tokens') {
    const { gen_ai_token_type: tokenType, ...labels } = h.labels;
    const counter =
      tokenType !== undefined && Object.hasOwn(TOKEN_COUNTERS, tokenType)
        ? TOKEN_COUNTERS[tokenType]
        : undefined;
    if (counter !== undefined && h.sum !== undefined) {
      pushCounter(sink, counter, labels, h.zeroAtMs, h.timeMs, h.sum);
    }
    return false;
  }

  const divisor = secondsDivisor(unit);
  if (divisor === undefined) return false;
  pushHistogram(sink, mapping.name, h, divisor);
  if (mapping.countsRequests) {
    const statusClass = h.labels.error_type === undefined ? '2xx' : 'error';
    const labels = { ...h.labels, status_class: statusClass };
    pushCounter(sink, 'llm_requests_total', labels, h.zeroAtMs, h.timeMs, h.count);
  }
  return true;
}
