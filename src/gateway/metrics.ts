/**
 * The gateway's metric families and the cached per-(copy, model) series handles it records into.
 * Names and labels follow the metric contract: request series carry `component`, `model`,
 * `copy`, `endpoint` and `source="gateway"`; health series carry `component` and `copy`.
 */
import type {
  CounterSeries,
  GaugeSeries,
  HistogramSeries,
  MetricFamily,
  MetricRegistry,
} from '../ingest/registry.js';
import {
  INTER_TOKEN_LATENCY_BUCKETS_SECONDS,
  REQUEST_DURATION_BUCKETS_SECONDS,
  TIME_TO_FIRST_TOKEN_BUCKETS_SECONDS,
} from './buckets.js';

/** `status_class` label values: HTTP class of the upstream reply, or "error" when none came. */
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'error';

/** Kinds of upstream failure for `llm_upstream_errors_total{kind}`. */
export type UpstreamErrorKind = 'connect' | 'timeout' | 'reset' | 'protocol';

/** The registered families. */
export interface GatewayFamilies {
  requests: MetricFamily<CounterSeries>;
  duration: MetricFamily<HistogramSeries>;
  timeToFirstToken: MetricFamily<HistogramSeries>;
  interTokenLatency: MetricFamily<HistogramSeries>;
  inputTokens: MetricFamily<CounterSeries>;
  outputTokens: MetricFamily<CounterSeries>;
  outstanding: MetricFamily<GaugeSeries>;
  upstreamErrors: MetricFamily<CounterSeries>;
  clientAborts: MetricFamily<CounterSeries>;
  invalidRequests: MetricFamily<CounterSeries>;
}

/** Registers the gateway's families in `registry` (idempotent). */
export function registerGatewayFamilies(registry: MetricRegistry): GatewayFamilies {
  return {
    requests: registry.counter('llm_requests_total', 'Requests proxied, by status class.'),
    duration: registry.histogram(
      'llm_request_duration_seconds',
      'End-to-end request time at the gateway, from request received to last byte sent.',
      REQUEST_DURATION_BUCKETS_SECONDS,
    ),
    timeToFirstToken: registry.histogram(
      'llm_time_to_first_token_seconds',
      'Streaming: time from request received to the first chunk carrying content.',
      TIME_TO_FIRST_TOKEN_BUCKETS_SECONDS,
    ),
    interTokenLatency: registry.histogram(
      'llm_inter_token_latency_seconds',
      'Streaming: gaps between consecutive chunks carrying content.',
      INTER_TOKEN_LATENCY_BUCKETS_SECONDS,
    ),
    inputTokens: registry.counter('llm_input_tokens_total', 'Prompt tokens reported in usage.'),
    outputTokens: registry.counter(
      'llm_output_tokens_total',
      'Completion tokens reported in usage.',
    ),
    outstanding: registry.gauge(
      'llmwatch_gateway_outstanding_requests',
      'Requests in flight to each copy.',
    ),
    upstreamErrors: registry.counter(
      'llm_upstream_errors_total',
      'Upstream failures without a usable HTTP reply, by kind.',
    ),
    clientAborts: registry.counter(
      'llmwatch_gateway_client_aborts_total',
      'Requests whose client disconnected before the reply was complete.',
    ),
    invalidRequests: registry.counter(
      'llmwatch_gateway_invalid_requests_total',
      'Requests rejected by the gateway before routing, by reason.',
    ),
  };
}

/** Series handles for one (component, copy, model), created on the first request. */
export interface ModelSeries {
  requests: Map<StatusClass, CounterSeries>;
  labels: Record<string, string>;
  duration: HistogramSeries;
  timeToFirstToken: HistogramSeries;
  interTokenLatency: HistogramSeries;
  inputTokens: CounterSeries;
  outputTokens: CounterSeries;
}

/** Resolves the handles for one (component, copy, model). */
export function createModelSeries(
  families: GatewayFamilies,
  labels: { component: string; copy: string; endpoint: string; model: string },
): ModelSeries {
  const base = { ...labels, source: 'gateway' };
  return {
    requests: new Map(),
    labels: base,
    duration: families.duration.series(base),
    timeToFirstToken: families.timeToFirstToken.series(base),
    interTokenLatency: families.interTokenLatency.series(base),
    inputTokens: families.inputTokens.series(base),
    outputTokens: families.outputTokens.series(base),
  };
}

/** Counts one request under its status class (series created on first use). */
export function countRequest(
  families: GatewayFamilies,
  series: ModelSeries,
  statusClass: StatusClass,
): void {
  let counter = series.requests.get(statusClass);
  if (counter === undefined) {
    counter = families.requests.series({ ...series.labels, status_class: statusClass });
    series.requests.set(statusClass, counter);
  }
  counter.inc();
}
