/**
 * Turns a decoded OTLP metrics request into store samples. Gauges stay gauges; monotonic sums
 * become `_total` counters and non-monotonic sums gauges; explicit-bucket histograms become
 * classic histograms (cumulative `le` buckets, `_sum`, `_count`); summaries become quantile
 * gauges plus `_sum` and `_count`. GenAI metrics are mapped to canonical names (genai.ts).
 * Delta sums and histograms are accumulated into cumulative series (state.ts) or refused,
 * per `config.deltaTemporality`.
 *
 * Points that cannot be stored are counted as rejected with a reason, and the rest of the
 * request is kept (OTLP partial success). Points flagged FLAG_NO_RECORDED_VALUE are skipped
 * silently, as the flag asks.
 *
 * Limitation: exponential histograms are refused (counted as rejected); configure exporters with
 * explicit bucket histograms.
 * Limitation: scope name and version are not kept as labels.
 */
import type { Labels, Sample } from '../../store/types.js';
import type { OtlpConfig } from './config.js';
import {
  labelsKey,
  pushCounter,
  pushGauge,
  pushHistogram,
  type HistogramValue,
  type SampleSink,
} from './emit.js';
import { genAiMapping, pushGenAiHistogram } from './genai.js';
import { pointLabels, resourceContext, type ResourceContext } from './labels.js';
import type {
  OtlpHistogramPoint,
  OtlpMetric,
  OtlpMetricsRequest,
  OtlpPointBase,
  Temporality,
} from './model.js';
import { prometheusName } from './names.js';
import type { OtlpTransaction } from './state.js';

const FLAG_NO_RECORDED_VALUE = 1;
/** Distinct rejection reasons kept for the answer's error_message. */
const MAX_REASONS = 5;

/** What a request turned into. */
export interface ConvertedRequest {
  samples: Sample[];
  /** Points refused (partial success), exponential histogram points included. */
  rejectedPoints: number;
  /** Up to 5 distinct reasons, each naming the metric. */
  reasons: string[];
}

interface Context {
  sink: SampleSink;
  config: OtlpConfig;
  rejectedPoints: number;
  reasons: Set<string>;
}

/** Converts one request; staged delta totals go to `tx`, which the caller commits after storing. */
export function convertRequest(
  request: OtlpMetricsRequest,
  config: OtlpConfig,
  tx: OtlpTransaction,
): ConvertedRequest {
  const ctx: Context = { sink: { samples: [], tx }, config, rejectedPoints: 0, reasons: new Set() };
  for (const resource of request.resources) {
    const rctx = resourceContext(resource.attributes, config);
    for (const metric of resource.metrics) convertMetric(ctx, rctx, metric);
  }
  return {
    samples: ctx.sink.samples,
    rejectedPoints: ctx.rejectedPoints,
    reasons: [...ctx.reasons],
  };
}

function reject(ctx: Context, metricName: string, reason: string, points = 1): void {
  ctx.rejectedPoints += points;
  if (ctx.reasons.size < MAX_REASONS) ctx.reasons.add(`${JSON.stringify(metricName)}: ${reason}`);
}

function convertMetric(ctx: Context, rctx: ResourceContext, metric: OtlpMetric): void {
  if (metric.kind === 'empty') return;
  if (metric.kind === 'exponentialHistogram') {
    if (metric.pointCount > 0) {
      reject(
        ctx,
        metric.name,
        'exponential histograms are not supported; export explicit bucket histograms ' +
          '(OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION=explicit_bucket_histogram)',
        metric.pointCount,
      );
    }
    return;
  }
  if ((metric.kind === 'sum' || metric.kind === 'histogram') && metric.points.length > 0) {
    const refusal = temporalityRefusal(metric.temporality, ctx.config);
    if (refusal !== undefined) return reject(ctx, metric.name, refusal, metric.points.length);
  }

  if (metric.kind === 'gauge') {
    const name = prometheusName(metric.name, metric.unit, 'gauge');
    for (const point of metric.points) {
      const labels = checkPoint(ctx, rctx, metric.name, point);
      if (labels === undefined) continue;
      if (point.value === undefined)
        reject(ctx, metric.name, 'a data point has neither asDouble nor asInt');
      else pushGauge(ctx.sink, name, labels, point.timeMs, point.value);
    }
  } else if (metric.kind === 'sum') {
    convertSum(ctx, rctx, metric);
  } else if (metric.kind === 'histogram') {
    for (const point of metric.points) convertHistogramPoint(ctx, rctx, metric, point);
  } else {
    const name = prometheusName(metric.name, metric.unit, 'summary');
    for (const point of metric.points) {
      const labels = checkPoint(ctx, rctx, metric.name, point);
      if (labels === undefined) continue;
      for (const { quantile, value } of point.quantileValues) {
        pushGauge(ctx.sink, name, { ...labels, quantile: String(quantile) }, point.timeMs, value);
      }
      pushGauge(ctx.sink, `${name}_sum`, labels, point.timeMs, point.sum);
      pushGauge(ctx.sink, `${name}_count`, labels, point.timeMs, point.count);
    }
  }
}

function temporalityRefusal(temporality: Temporality, config: OtlpConfig): string | undefined {
  if (temporality === 'unspecified') {
    return 'aggregationTemporality is unspecified; send 1 (delta) or 2 (cumulative)';
  }
  if (temporality === 'delta' && config.deltaTemporality === 'reject') {
    return 'delta temporality is refused (otlp.deltaTemporality: reject); export cumulative temporality';
  }
  return undefined;
}

/** The point's labels, or undefined after rejecting (or skipping) it. */
function checkPoint(
  ctx: Context,
  rctx: ResourceContext,
  metricName: string,
  point: OtlpPointBase,
): Labels | undefined {
  if ((point.flags & FLAG_NO_RECORDED_VALUE) !== 0) return undefined;
  if (point.timeMs <= 0) {
    reject(
      ctx,
      metricName,
      'a data point has no timeUnixNano (or a time before 1970-01-01T00:00:00.001Z)',
    );
    return undefined;
  }
  const result = pointLabels(rctx, point.attributes, ctx.config);
  if ('error' in result) {
    reject(ctx, metricName, result.error);
    return undefined;
  }
  return result.labels;
}

function convertSum(
  ctx: Context,
  rctx: ResourceContext,
  metric: Extract<OtlpMetric, { kind: 'sum' }>,
): void {
  const kind = metric.monotonic ? 'counter' : 'gauge';
  const name = prometheusName(metric.name, metric.unit, kind);
  for (const point of metric.points) {
    const labels = checkPoint(ctx, rctx, metric.name, point);
    if (labels === undefined) continue;
    if (point.value === undefined) {
      reject(ctx, metric.name, 'a data point has neither asDouble nor asInt');
      continue;
    }
    let value = point.value;
    let zeroAtMs = point.startTimeMs > 0 ? point.startTimeMs : undefined;
    if (metric.temporality === 'delta') {
      const key = `${name}\u0003${labelsKey(labels)}`;
      const result = ctx.sink.tx.addDelta(key, 'sum', point.timeMs, [point.value]);
      if ('error' in result) {
        reject(ctx, metric.name, result.error);
        continue;
      }
      value = result.totals[0] ?? 0;
      if (!result.isNew) zeroAtMs = undefined;
    }
    if (metric.monotonic) pushCounter(ctx.sink, name, labels, zeroAtMs, point.timeMs, value);
    else pushGauge(ctx.sink, name, labels, point.timeMs, value);
  }
}

function convertHistogramPoint(
  ctx: Context,
  rctx: ResourceContext,
  metric: Extract<OtlpMetric, { kind: 'histogram' }>,
  point: OtlpHistogramPoint,
): void {
  const labels = checkPoint(ctx, rctx, metric.name, point);
  if (labels === undefined) return;
  const layoutError = checkBuckets(point);
  if (layoutError !== undefined) return reject(ctx, metric.name, layoutError);

  const h: HistogramValue = {
    labels,
    zeroAtMs: point.startTimeMs > 0 ? point.startTimeMs : undefined,
    timeMs: point.timeMs,
    count: point.count,
    sum: point.sum,
    bounds: point.explicitBounds,
    bucketCounts: point.bucketCounts,
  };
  const name = prometheusName(metric.name, metric.unit, 'histogram');
  if (metric.temporality === 'delta') {
    const shape = `${point.explicitBounds.join(',')}|${point.bucketCounts.length}|${point.sum === undefined}`;
    const values = [point.count, point.sum ?? 0, ...point.bucketCounts];
    const result = ctx.sink.tx.addDelta(
      `${name}\u0003${labelsKey(labels)}`,
      shape,
      point.timeMs,
      values,
    );
    if ('error' in result) return reject(ctx, metric.name, result.error);
    const [count = 0, sum = 0, ...buckets] = result.totals;
    Object.assign(h, {
      count,
      sum: point.sum === undefined ? undefined : sum,
      bucketCounts: buckets,
    });
    if (!result.isNew) h.zeroAtMs = undefined;
  }

  const mapping = genAiMapping(metric.name);
  if (mapping !== undefined && pushGenAiHistogram(ctx.sink, mapping, metric.unit, h)) return;
  pushHistogram(ctx.sink, name, h);
}

/** Why a histogram point's buckets cannot be stored, or undefined when they can. */
function checkBuckets(point: OtlpHistogramPoint): string | undefined {
  const bounds = point.explicitBounds;
  const counts = point.bucketCounts;
  if (counts.length !== 0 && counts.length !== bounds.length + 1) {
    return `a histogram point has ${counts.length} bucketCounts for ${bounds.length} explicitBounds; it needs explicitBounds.length + 1`;
  }
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i] as number;
    if (!Number.isFinite(bound) || (i > 0 && bound <= (bounds[i - 1] as number))) {
      return 'a histogram point has explicitBounds that are not finite and strictly increasing';
    }
  }
  return undefined;
}
