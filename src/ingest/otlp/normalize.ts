/**
 * Validates an ExportMetricsServiceRequest held as a plain object and turns it into the request
 * model (model.ts). The plain object is either parsed OTLP JSON or a decoded protobuf converted
 * with protobufjs `toObject` (int64 as strings, enums as numbers, bytes as base64), so both
 * encodings share one strict walker.
 *
 * OTLP JSON rules followed: lowerCamelCase field names (the proto names in snake_case are also
 * accepted, as proto3 JSON parsers do), int64 as decimal strings or numbers, enums as integers or
 * their names, doubles as numbers or "NaN"/"Infinity"/"-Infinity", `null` as an absent field,
 * unknown fields ignored. A wrong type anywhere throws LlmwatchError `otlp_invalid` naming the
 * field's path; more than `maxDataPoints` points throws `otlp_too_many_points`.
 */
import { LlmwatchError } from '../../core/errors.js';
import type {
  OtlpAttribute,
  OtlpHistogramPoint,
  OtlpMetric,
  OtlpMetricsRequest,
  OtlpNumberPoint,
  OtlpPointBase,
  OtlpResourceMetrics,
  OtlpSummaryPoint,
  Temporality,
} from './model.js';
import {
  getField,
  readArray,
  readBool,
  readDouble,
  readEnum,
  readInt64,
  readObject,
  readString,
  type Json,
} from './read-json.js';
import { renderAnyValue } from './any-value.js';

const TEMPORALITIES: Record<number, Temporality> = {
  0: 'unspecified',
  1: 'delta',
  2: 'cumulative',
};
const TEMPORALITY_NAMES: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};
const MAX_UINT64 = (1n << 64n) - 1n;
const NANOS_PER_MS = 1_000_000n;

/** Walks one request; counts points against `maxDataPoints` as it goes. */
export function normalizeMetricsRequest(body: unknown, maxDataPoints: number): OtlpMetricsRequest {
  const state = { pointCount: 0, maxDataPoints };
  const root = readObject(body, 'request');
  const resources = readArray(
    getField(root, 'resourceMetrics', 'resource_metrics'),
    'resourceMetrics',
  );
  const out: OtlpResourceMetrics[] = resources.map((rm, i) =>
    normalizeResourceMetrics(rm, `resourceMetrics[${i}]`, state),
  );
  return { resources: out, pointCount: state.pointCount };
}

interface WalkState {
  pointCount: number;
  maxDataPoints: number;
}

function normalizeResourceMetrics(
  value: Json,
  path: string,
  state: WalkState,
): OtlpResourceMetrics {
  const rm = readObject(value, path);
  const resource = getField(rm, 'resource');
  const attributes =
    resource === undefined
      ? []
      : readAttributes(
          getField(readObject(resource, `${path}.resource`), 'attributes'),
          `${path}.resource.attributes`,
        );
  const metrics: OtlpMetric[] = [];
  const scopes = readArray(getField(rm, 'scopeMetrics', 'scope_metrics'), `${path}.scopeMetrics`);
  scopes.forEach((sm, i) => {
    const scopePath = `${path}.scopeMetrics[${i}]`;
    const list = readArray(getField(readObject(sm, scopePath), 'metrics'), `${scopePath}.metrics`);
    list.forEach((m, j) => metrics.push(normalizeMetric(m, `${scopePath}.metrics[${j}]`, state)));
  });
  return { attributes, metrics };
}

function normalizeMetric(value: Json, path: string, state: WalkState): OtlpMetric {
  const m = readObject(value, path);
  const name = readString(getField(m, 'name'), `${path}.name`);
  const unit = readString(getField(m, 'unit'), `${path}.unit`);
  const gauge = getField(m, 'gauge');
  const sum = getField(m, 'sum');
  const histogram = getField(m, 'histogram');
  const exponential = getField(m, 'exponentialHistogram', 'exponential_histogram');
  const summary = getField(m, 'summary');

  if (gauge !== undefined) {
    const g = readObject(gauge, `${path}.gauge`);
    return { name, unit, kind: 'gauge', points: numberPoints(g, `${path}.gauge`, state) };
  }
  if (sum !== undefined) {
    const s = readObject(sum, `${path}.sum`);
    return {
      name,
      unit,
      kind: 'sum',
      temporality: readTemporality(s, `${path}.sum`),
      monotonic: readBool(getField(s, 'isMonotonic', 'is_monotonic'), `${path}.sum.isMonotonic`),
      points: numberPoints(s, `${path}.sum`, state),
    };
  }
  if (histogram !== undefined) {
    const h = readObject(histogram, `${path}.histogram`);
    const list = dataPoints(h, `${path}.histogram`, state);
    return {
      name,
      unit,
      kind: 'histogram',
      temporality: readTemporality(h, `${path}.histogram`),
      points: list.map((p, i) => histogramPoint(p, `${path}.histogram.dataPoints[${i}]`)),
    };
  }
  if (exponential !== undefined) {
    const e = readObject(exponential, `${path}.exponentialHistogram`);
    const list = dataPoints(e, `${path}.exponentialHistogram`, state);
    return { name, unit, kind: 'exponentialHistogram', pointCount: list.length };
  }
  if (summary !== undefined) {
    const s = readObject(summary, `${path}.summary`);
    const list = dataPoints(s, `${path}.summary`, state);
    return {
      name,
      unit,
      kind: 'summary',
      points: list.map((p, i) => summaryPoint(p, `${path}.summary.dataPoints[${i}]`)),
    };
  }
  return { name, unit, kind: 'empty' };
}

function readTemporality(obj: Record<string, Json>, path: string): Temporality {
  const field = `${path}.aggregationTemporality`;
  const code = readEnum(
    getField(obj, 'aggregationTemporality', 'aggregation_temporality'),
    field,
    TEMPORALITY_NAMES,
  );
  const temporality = TEMPORALITIES[code];
  if (temporality === undefined) {
    throw new LlmwatchError(
      'otlp_invalid',
      `${field} must be 0, 1 (delta) or 2 (cumulative), got ${code}`,
    );
  }
  return temporality;
}

/** Reads `dataPoints` and counts them against the request limit. */
function dataPoints(obj: Record<string, Json>, path: string, state: WalkState): Json[] {
  const list = readArray(getField(obj, 'dataPoints', 'data_points'), `${path}.dataPoints`);
  state.pointCount += list.length;
  if (state.pointCount > state.maxDataPoints) {
    throw new LlmwatchError(
      'otlp_too_many_points',
      `request has more than ${state.maxDataPoints} data points; export smaller batches (OTEL_BSP/periodic reader batch size) or raise otlp.maxDataPointsPerRequest`,
    );
  }
  return list;
}

function numberPoints(
  obj: Record<string, Json>,
  path: string,
  state: WalkState,
): OtlpNumberPoint[] {
  return dataPoints(obj, path, state).map((value, i) => {
    const pointPath = `${path}.dataPoints[${i}]`;
    const p = readObject(value, pointPath);
    const asDouble = getField(p, 'asDouble', 'as_double');
    const asInt = getField(p, 'asInt', 'as_int');
    let number: number | undefined;
    if (asDouble !== undefined) number = readDouble(asDouble, `${pointPath}.asDouble`);
    else if (asInt !== undefined) number = Number(readInt64(asInt, `${pointPath}.asInt`, false));
    return { ...pointBase(p, pointPath), value: number };
  });
}

function histogramPoint(value: Json, path: string): OtlpHistogramPoint {
  const p = readObject(value, path);
  const sum = getField(p, 'sum');
  const bucketCounts = readArray(
    getField(p, 'bucketCounts', 'bucket_counts'),
    `${path}.bucketCounts`,
  );
  const bounds = readArray(
    getField(p, 'explicitBounds', 'explicit_bounds'),
    `${path}.explicitBounds`,
  );
  return {
    ...pointBase(p, path),
    count: readCount(getField(p, 'count'), `${path}.count`),
    sum: sum === undefined ? undefined : readDouble(sum, `${path}.sum`),
    bucketCounts: bucketCounts.map((c, i) => readCount(c, `${path}.bucketCounts[${i}]`)),
    explicitBounds: bounds.map((b, i) => readDouble(b, `${path}.explicitBounds[${i}]`)),
  };
}

function summaryPoint(value: Json, path: string): OtlpSummaryPoint {
  const p = readObject(value, path);
  const quantiles = readArray(
    getField(p, 'quantileValues', 'quantile_values'),
    `${path}.quantileValues`,
  );
  return {
    ...pointBase(p, path),
    count: readCount(getField(p, 'count'), `${path}.count`),
    sum: readDouble(getField(p, 'sum'), `${path}.sum`),
    quantileValues: quantiles.map((q, i) => {
      const qPath = `${path}.quantileValues[${i}]`;
      const obj = readObject(q, qPath);
      return {
        quantile: readDouble(getField(obj, 'quantile'), `${qPath}.quantile`),
        value: readDouble(getField(obj, 'value'), `${qPath}.value`),
      };
    }),
  };
}

function pointBase(p: Record<string, Json>, path: string): OtlpPointBase {
  const flags = readInt64(getField(p, 'flags'), `${path}.flags`, true);
  return {
    attributes: readAttributes(getField(p, 'attributes'), `${path}.attributes`),
    startTimeMs: readTimeMs(
      getField(p, 'startTimeUnixNano', 'start_time_unix_nano'),
      `${path}.startTimeUnixNano`,
    ),
    timeMs: readTimeMs(getField(p, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`),
    flags: Number(flags & 0xffffffffn),
  };
}

/** A fixed64 of Unix nanoseconds as integer milliseconds (floored). */
function readTimeMs(value: Json | undefined, path: string): number {
  const nanos = readInt64(value, path, true);
  if (nanos > MAX_UINT64) {
    throw new LlmwatchError('otlp_invalid', `${path} must fit in 64 bits, got ${nanos}`);
  }
  return Number(nanos / NANOS_PER_MS);
}

function readCount(value: Json | undefined, path: string): number {
  return Number(readInt64(value, path, true));
}

function readAttributes(value: Json | undefined, path: string): OtlpAttribute[] {
  return readArray(value, path).map((item, i) => {
    const kvPath = `${path}[${i}]`;
    const kv = readObject(item, kvPath);
    return {
      key: readString(getField(kv, 'key'), `${kvPath}.key`),
      value: renderAnyValue(getField(kv, 'value'), `${kvPath}.value`),
    };
  });
}
