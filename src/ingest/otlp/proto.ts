/**
 * The OTLP metrics protobuf messages llmwatch needs, declared in code with protobufjs reflection
 * (no .proto file at runtime). Names and field numbers follow the published opentelemetry-proto
 * schema (collector/metrics/v1/metrics_service.proto, metrics/v1/metrics.proto,
 * common/v1/common.proto, resource/v1/resource.proto) and google.rpc.Status.
 *
 * Exemplars and exponential histogram data points are declared as raw `bytes` so they are skipped
 * (and counted) without decoding their contents; llmwatch stores neither.
 */
import protobuf from 'protobufjs';

const { Enum, Field, OneOf, Root, Type } = protobuf;

function message(name: string, fields: [string, number, string, string?][]): protobuf.Type {
  const type = new Type(name);
  for (const [fieldName, id, fieldType, rule] of fields) {
    type.add(new Field(fieldName, id, fieldType, rule));
  }
  return type;
}

function withOneOf(type: protobuf.Type, name: string, members: string[]): protobuf.Type {
  type.add(new OneOf(name, members));
  return type;
}

function buildRoot(): protobuf.Root {
  const root = new Root();
  const common = root.define('opentelemetry.proto.common.v1');
  common.add(
    withOneOf(
      message('AnyValue', [
        ['stringValue', 1, 'string'],
        ['boolValue', 2, 'bool'],
        ['intValue', 3, 'int64'],
        ['doubleValue', 4, 'double'],
        ['arrayValue', 5, 'ArrayValue'],
        ['kvlistValue', 6, 'KeyValueList'],
        ['bytesValue', 7, 'bytes'],
      ]),
      'value',
      [
        'stringValue',
        'boolValue',
        'intValue',
        'doubleValue',
        'arrayValue',
        'kvlistValue',
        'bytesValue',
      ],
    ),
  );
  common.add(message('ArrayValue', [['values', 1, 'AnyValue', 'repeated']]));
  common.add(message('KeyValueList', [['values', 1, 'KeyValue', 'repeated']]));
  common.add(
    message('KeyValue', [
      ['key', 1, 'string'],
      ['value', 2, 'AnyValue'],
    ]),
  );
  common.add(
    message('InstrumentationScope', [
      ['name', 1, 'string'],
      ['version', 2, 'string'],
      ['attributes', 3, 'KeyValue', 'repeated'],
      ['droppedAttributesCount', 4, 'uint32'],
    ]),
  );

  root.define('opentelemetry.proto.resource.v1').add(
    message('Resource', [
      ['attributes', 1, 'opentelemetry.proto.common.v1.KeyValue', 'repeated'],
      ['droppedAttributesCount', 2, 'uint32'],
    ]),
  );

  const kv = 'opentelemetry.proto.common.v1.KeyValue';
  const metrics = root.define('opentelemetry.proto.metrics.v1');
  metrics.add(
    new Enum('AggregationTemporality', {
      AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
      AGGREGATION_TEMPORALITY_DELTA: 1,
      AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
    }),
  );
  metrics.add(
    message('ResourceMetrics', [
      ['resource', 1, 'opentelemetry.proto.resource.v1.Resource'],
      ['scopeMetrics', 2, 'ScopeMetrics', 'repeated'],
      ['schemaUrl', 3, 'string'],
    ]),
  );
  metrics.add(
    message('ScopeMetrics', [
      ['scope', 1, 'opentelemetry.proto.common.v1.InstrumentationScope'],
      ['metrics', 2, 'Metric', 'repeated'],
      ['schemaUrl', 3, 'string'],
    ]),
  );
  metrics.add(
    withOneOf(
      message('Metric', [
        ['name', 1, 'string'],
        ['description', 2, 'string'],
        ['unit', 3, 'string'],
        ['gauge', 5, 'Gauge'],
        ['sum', 7, 'Sum'],
        ['histogram', 9, 'Histogram'],
        ['exponentialHistogram', 10, 'ExponentialHistogram'],
        ['summary', 11, 'Summary'],
        ['metadata', 12, kv, 'repeated'],
      ]),
      'data',
      ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'],
    ),
  );
  metrics.add(message('Gauge', [['dataPoints', 1, 'NumberDataPoint', 'repeated']]));
  metrics.add(
    message('Sum', [
      ['dataPoints', 1, 'NumberDataPoint', 'repeated'],
      ['aggregationTemporality', 2, 'AggregationTemporality'],
      ['isMonotonic', 3, 'bool'],
    ]),
  );
  metrics.add(
    message('Histogram', [
      ['dataPoints', 1, 'HistogramDataPoint', 'repeated'],
      ['aggregationTemporality', 2, 'AggregationTemporality'],
    ]),
  );
  metrics.add(
    message('ExponentialHistogram', [
      ['dataPoints', 1, 'bytes', 'repeated'],
      ['aggregationTemporality', 2, 'AggregationTemporality'],
    ]),
  );
  metrics.add(message('Summary', [['dataPoints', 1, 'SummaryDataPoint', 'repeated']]));
  metrics.add(
    withOneOf(
      message('NumberDataPoint', [
        ['attributes', 7, kv, 'repeated'],
        ['startTimeUnixNano', 2, 'fixed64'],
        ['timeUnixNano', 3, 'fixed64'],
        ['asDouble', 4, 'double'],
        ['asInt', 6, 'sfixed64'],
        ['exemplars', 5, 'bytes', 'repeated'],
        ['flags', 8, 'uint32'],
      ]),
      'value',
      ['asDouble', 'asInt'],
    ),
  );
  metrics.add(
    message('HistogramDataPoint', [
      ['attributes', 9, kv, 'repeated'],
      ['startTimeUnixNano', 2, 'fixed64'],
      ['timeUnixNano', 3, 'fixed64'],
      ['count', 4, 'fixed64'],
      ['sum', 5, 'double', 'optional'],
      ['bucketCounts', 6, 'fixed64', 'repeated'],
      ['explicitBounds', 7, 'double', 'repeated'],
      ['exemplars', 8, 'bytes', 'repeated'],
      ['flags', 10, 'uint32'],
      ['min', 11, 'double', 'optional'],
      ['max', 12, 'double', 'optional'],
    ]),
  );
  metrics.add(
    message('ValueAtQuantile', [
      ['quantile', 1, 'double'],
      ['value', 2, 'double'],
    ]),
  );
  metrics.add(
    message('SummaryDataPoint', [
      ['attributes', 7, kv, 'repeated'],
      ['startTimeUnixNano', 2, 'fixed64'],
      ['timeUnixNano', 3, 'fixed64'],
      ['count', 4, 'fixed64'],
      ['sum', 5, 'double'],
      ['quantileValues', 6, 'ValueAtQuantile', 'repeated'],
      ['flags', 8, 'uint32'],
    ]),
  );

  const service = root.define('opentelemetry.proto.collector.metrics.v1');
  service.add(
    message('ExportMetricsServiceRequest', [
      ['resourceMetrics', 1, 'opentelemetry.proto.metrics.v1.ResourceMetrics', 'repeated'],
    ]),
  );
  service.add(
    message('ExportMetricsPartialSuccess', [
      ['rejectedDataPoints', 1, 'int64'],
      ['errorMessage', 2, 'string'],
    ]),
  );
  service.add(
    message('ExportMetricsServiceResponse', [['partialSuccess', 1, 'ExportMetricsPartialSuccess']]),
  );

  const rpc = root.define('google.rpc');
  rpc.add(
    message('Status', [
      ['code', 1, 'int32'],
      ['message', 2, 'string'],
      ['details', 3, 'bytes', 'repeated'],
    ]),
  );

  root.resolveAll();
  return root;
}

const root = buildRoot();

/** `ExportMetricsServiceRequest`: the body of `POST /v1/metrics` in protobuf encoding. */
export const ExportMetricsServiceRequestType = root.lookupType(
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
);

/** `ExportMetricsServiceResponse`: the 200 answer, with `partialSuccess` when points were refused. */
export const ExportMetricsServiceResponseType = root.lookupType(
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
);

/** `google.rpc.Status`: the body of 4xx/5xx answers (`details` left empty). */
export const StatusType = root.lookupType('google.rpc.Status');

/** Temporality enum values as sent on the wire. */
export const AGGREGATION_TEMPORALITY = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
} as const;
