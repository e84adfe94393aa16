/**
 * The decoded, validated shape of an OTLP metrics request, the same for JSON and protobuf input.
 * Times are Unix milliseconds (nanoseconds floored); 0 means the sender left the time unset.
 * Attribute values are already rendered as label strings (see normalize.ts).
 */

/** One attribute: key and its AnyValue rendered as a string. */
export interface OtlpAttribute {
  key: string;
  value: string;
}

/** Fields every data point kind shares. */
export interface OtlpPointBase {
  attributes: OtlpAttribute[];
  /** Start of the aggregation interval (Unix ms); 0 when unset. */
  startTimeMs: number;
  /** Time of the observation (Unix ms); 0 when unset. */
  timeMs: number;
  /** DataPointFlags; bit 1 (FLAG_NO_RECORDED_VALUE) marks a point without a value. */
  flags: number;
}

/** A gauge or sum point; `value` is undefined when neither asDouble nor asInt was sent. */
export interface OtlpNumberPoint extends OtlpPointBase {
  value: number | undefined;
}

/** An explicit-bucket histogram point; `bucketCounts` are per bucket, not cumulative. */
export interface OtlpHistogramPoint extends OtlpPointBase {
  count: number;
  /** Undefined when the sender did not record a sum (e.g. negative measurements). */
  sum: number | undefined;
  bucketCounts: number[];
  explicitBounds: number[];
}

/** A summary point. */
export interface OtlpSummaryPoint extends OtlpPointBase {
  count: number;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
}

/** Aggregation temporality of a sum or histogram. */
export type Temporality = 'unspecified' | 'delta' | 'cumulative';

/** One metric with its kind-specific data. */
export type OtlpMetric = { name: string; unit: string } & (
  | { kind: 'gauge'; points: OtlpNumberPoint[] }
  | { kind: 'sum'; temporality: Temporality; monotonic: boolean; points: OtlpNumberPoint[] }
  | { kind: 'histogram'; temporality: Temporality; points: OtlpHistogramPoint[] }
  | { kind: 'summary'; points: OtlpSummaryPoint[] }
  /** Not stored: only the number of points is kept, to report them as rejected. */
  | { kind: 'exponentialHistogram'; pointCount: number }
  /** A metric without any data field. */
  | { kind: 'empty' }
);

/** The metrics of one resource (all scopes flattened). */
export interface OtlpResourceMetrics {
  attributes: OtlpAttribute[];
  metrics: OtlpMetric[];
}

/** A whole decoded ExportMetricsServiceRequest. */
export interface OtlpMetricsRequest {
  resources: OtlpResourceMetrics[];
  /** Data points of every kind, exponential histograms included. */
  pointCount: number;
}
