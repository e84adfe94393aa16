/**
 * Writes Prometheus-shaped samples (gauges, counters, classic histograms) into a request's output
 * list. Counters and histograms get a 0-valued sample at their start time the first time a series
 * is seen with that start, so `increase()` over a series' whole life is exact (the store-wide
 * convention); re-sending that sample is harmless because the store replaces equal timestamps.
 */
import type { Labels, Sample } from '../../store/types.js';
import { formatPromFloat } from '../../core/prom-float.js';
import type { OtlpTransaction } from './state.js';

/** Where samples of one request are collected. */
export interface SampleSink {
  samples: Sample[];
  tx: OtlpTransaction;
}

/** A histogram point after temporality conversion: cumulative since `startMs`. */
export interface HistogramValue {
  labels: Labels;
  /** Time of the 0 start sample, or undefined for none. */
  zeroAtMs: number | undefined;
  timeMs: number;
  count: number;
  sum: number | undefined;
  /** Upper bounds, ascending, without +Inf. */
  bounds: number[];
  /** Per-bucket (not cumulative) counts: bounds.length + 1 entries, or none. */
  bucketCounts: number[];
}

/** A stable key for a label set. */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) key += `${name}\u0000${labels[name]}\u0001`;
  return key;
}

/** One gauge sample. */
export function pushGauge(
  sink: SampleSink,
  name: string,
  labels: Labels,
  timeMs: number,
  value: number,
): void {
  sink.samples.push({ labels: { ...labels, __name__: name }, timestampMs: timeMs, value });
}

/** One counter sample, preceded by its 0 start sample when `zeroAtMs` is set and not yet written. */
export function pushCounter(
  sink: SampleSink,
  name: string,
  labels: Labels,
  zeroAtMs: number | undefined,
  timeMs: number,
  value: number,
): void {
  const full = { ...labels, __name__: name };
  if (
    zeroAtMs !== undefined &&
    zeroAtMs < timeMs &&
    sink.tx.claimStartZero(labelsKey(full), zeroAtMs)
  ) {
    sink.samples.push({ labels: full, timestampMs: zeroAtMs, value: 0 });
  }
  sink.samples.push({ labels: full, timestampMs: timeMs, value });
}

/**
 * A classic histogram: `<name>_bucket{le}` with cumulative counts, `<name>_sum` (when the point
 * has a sum) and `<name>_count`. Bounds and sum are divided by `divisor` (unit conversion).
 */
export function pushHistogram(
  sink: SampleSink,
  name: string,
  h: HistogramValue,
  divisor = 1,
): void {
  let cumulative = 0;
  h.bucketCounts.forEach((count, i) => {
    cumulative += count;
    const bound = h.bounds[i];
    const le = bound === undefined ? '+Inf' : formatPromFloat(bound / divisor);
    pushCounter(sink, `${name}_bucket`, { ...h.labels, le }, h.zeroAtMs, h.timeMs, cumulative);
  });
  if (h.bucketCounts.length === 0) {
    pushCounter(sink, `${name}_bucket`, { ...h.labels, le: '+Inf' }, h.zeroAtMs, h.timeMs, h.count);
  }
  if (h.sum !== undefined) {
    pushCounter(sink, `${name}_sum`, h.labels, h.zeroAtMs, h.timeMs, h.sum / divisor);
  }
  pushCounter(sink, `${name}_count`, h.labels, h.zeroAtMs, h.timeMs, h.count);
}
