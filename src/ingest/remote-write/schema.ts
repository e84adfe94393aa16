/**
 * The Prometheus remote-write 1.0 protobuf schema (prompb `WriteRequest`), declared in code with
 * protobufjs reflection so no .proto file is read at runtime. Field numbers follow the published
 * schema (prometheus/prompb/types.proto and remote.proto).
 *
 * Native histograms (TimeSeries field 4) and exemplars (field 3) are declared as raw `bytes` so
 * the decoder can count and skip them without decoding their contents.
 */
import protobuf from 'protobufjs';

const { Enum, Field, Root, Type } = protobuf;

/** prompb MetricMetadata.MetricType values, index = wire value. */
export const METRIC_TYPES = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
] as const;

/** A metric type as Prometheus's /api/v1/metadata spells it. */
export type MetricTypeName = (typeof METRIC_TYPES)[number];

function buildRoot(): protobuf.Root {
  const metricType = new Enum(
    'MetricType',
    Object.fromEntries(METRIC_TYPES.map((name, index) => [name.toUpperCase(), index])),
  );
  const label = new Type('Label')
    .add(new Field('name', 1, 'string'))
    .add(new Field('value', 2, 'string'));
  const sample = new Type('Sample')
    .add(new Field('value', 1, 'double'))
    .add(new Field('timestamp', 2, 'int64'));
  const timeSeries = new Type('TimeSeries')
    .add(new Field('labels', 1, 'Label', 'repeated'))
    .add(new Field('samples', 2, 'Sample', 'repeated'))
    .add(new Field('exemplars', 3, 'bytes', 'repeated'))
    .add(new Field('histograms', 4, 'bytes', 'repeated'));
  const metadata = new Type('MetricMetadata')
    .add(metricType)
    .add(new Field('type', 1, 'MetricType'))
    .add(new Field('metricFamilyName', 2, 'string'))
    .add(new Field('help', 4, 'string'))
    .add(new Field('unit', 5, 'string'));
  const writeRequest = new Type('WriteRequest')
    .add(new Field('timeseries', 1, 'TimeSeries', 'repeated'))
    .add(new Field('metadata', 3, 'MetricMetadata', 'repeated'));

  const root = new Root();
  root.define('prometheus').add(label).add(sample).add(timeSeries).add(metadata).add(writeRequest);
  root.resolveAll();
  return root;
}

const root = buildRoot();

/** The `prometheus.WriteRequest` message type. */
export const WriteRequestType = root.lookupType('prometheus.WriteRequest');

/** A decoded Label message (protobufjs fills absent strings with ""). */
export interface PbLabel {
  name: string;
  value: string;
}

/** A decoded Sample message; `timestamp` is a Long for int64 fields. */
export interface PbSample {
  value: number;
  timestamp: number | { toNumber(): number };
}

/** A decoded TimeSeries message. */
export interface PbTimeSeries {
  labels: PbLabel[];
  samples: PbSample[];
  exemplars: Uint8Array[];
  histograms: Uint8Array[];
}

/** A decoded MetricMetadata message. */
export interface PbMetricMetadata {
  type: number;
  metricFamilyName: string;
  help: string;
  unit: string;
}

/** A decoded WriteRequest message. */
export interface PbWriteRequest {
  timeseries: PbTimeSeries[];
  metadata: PbMetricMetadata[];
}
