/**
 * Prometheus remote-write 1.0 wire codec: a snappy block-compressed protobuf `WriteRequest`.
 * `decodeWriteRequest` turns an untrusted body into validated store samples and metadata, or
 * throws an LlmwatchError whose code names the problem (every code starts with "remote_write_").
 *
 * Limitation: native histograms and exemplars are not stored; they are counted in the decode
 * result (`droppedHistograms`, `droppedExemplars`) and skipped.
 * Limitation: label names must match [a-zA-Z_][a-zA-Z0-9_]* and metric names
 * [a-zA-Z_:][a-zA-Z0-9_:]* (Prometheus's classic rules); UTF-8 names are rejected.
 */
import snappy from 'snappy';
import { LlmwatchError } from '../../core/errors.js';
import type { Labels, Sample } from '../../store/types.js';
import {
  METRIC_TYPES,
  WriteRequestType,
  type MetricTypeName,
  type PbTimeSeries,
  type PbWriteRequest,
} from './schema.js';

export type { MetricTypeName } from './schema.js';

/** One series to encode: its full label set (with `__name__`) and its samples. */
export interface EncodableSeries {
  labels: Labels;
  /** Integer Unix ms timestamps; values may be NaN or ±Infinity. */
  samples: { timestampMs: number; value: number }[];
}

/** Metadata about one metric family, as remote-write senders report it. */
export interface RemoteWriteMetadata {
  metricFamilyName: string;
  /** Lower-case type name as the Prometheus metadata API spells it; "unknown" when unset. */
  type: MetricTypeName;
  /** HELP text; "" when not sent. */
  help: string;
  /** Unit; "" when not sent. */
  unit: string;
}

/** Limits applied to an untrusted request; every field optional, defaults below. */
export interface DecodeLimits {
  /** Largest uncompressed protobuf accepted, in bytes. Default 32 MiB. */
  maxDecompressedBytes?: number;
  /** Most labels (including `__name__`) on one series. Default 64. */
  maxLabelsPerSeries?: number;
  /** Longest label name, in UTF-8 bytes. Default 1024. */
  maxLabelNameBytes?: number;
  /** Longest label value, in UTF-8 bytes. Default 4096. */
  maxLabelValueBytes?: number;
}

/** The limits used when a field of DecodeLimits is not given. */
export const DEFAULT_DECODE_LIMITS: Required<DecodeLimits> = {
  maxDecompressedBytes: 32 * 1024 * 1024,
  maxLabelsPerSeries: 64,
  maxLabelNameBytes: 1024,
  maxLabelValueBytes: 4096,
};

/** What a valid request holds. */
export interface DecodedWriteRequest {
  /** Float samples in request order; samples of one series share one labels object. */
  samples: Sample[];
  metadata: RemoteWriteMetadata[];
  /** Number of series in the request (including ones with no float samples). */
  seriesCount: number;
  /** Native histogram samples skipped (not supported). */
  droppedHistograms: number;
  /** Exemplars skipped (not supported). */
  droppedExemplars: number;
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Encodes series as a snappy-compressed remote-write 1.0 body, ready to POST with
 * `content-encoding: snappy`, `content-type: application/x-protobuf` and
 * `X-Prometheus-Remote-Write-Version: 0.1.0`. Labels are sent sorted by name, as the spec asks.
 * Throws LlmwatchError `remote_write_invalid_timestamp` for a timestamp that is not a safe
 * integer (NaN included), since int64 cannot carry it.
 */
export function encodeWriteRequest(series: readonly EncodableSeries[]): Buffer {
  const timeseries = series.map((s, seriesIndex) => ({
    labels: Object.keys(s.labels)
      .sort()
      .map((name) => ({ name, value: s.labels[name] })),
    samples: s.samples.map((sample, sampleIndex) => {
      if (!Number.isSafeInteger(sample.timestampMs)) {
        throw new LlmwatchError(
          'remote_write_invalid_timestamp',
          `remote write: series[${seriesIndex}].samples[${sampleIndex}].timestampMs must be an integer number of Unix ms, got ${String(sample.timestampMs)}`,
        );
      }
      return { value: sample.value, timestamp: sample.timestampMs };
    }),
  }));
  const message = WriteRequestType.create({ timeseries });
  const bytes = WriteRequestType.encode(message).finish();
  return snappy.compressSync(bytes);
}

/**
 * Reads the uncompressed length from a snappy block header (a little-endian base-128 varint of at
 * most 32 bits). Returns undefined when the header is missing or malformed.
 */
export function snappyDecodedLength(body: Uint8Array): number | undefined {
  let length = 0;
  for (let i = 0; i < 5 && i < body.length; i++) {
    const byte = body[i] as number;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return length <= 0xffffffff ? length : undefined;
  }
  return undefined;
}

/**
 * Decodes and validates a remote-write 1.0 body. Checks the snappy header's declared size against
 * `maxDecompressedBytes` before decompressing. Throws LlmwatchError with code:
 * `remote_write_not_snappy`, `remote_write_too_large`, `remote_write_not_protobuf`,
 * `remote_write_too_many_labels`, `remote_write_label_too_long`,
 * `remote_write_invalid_label_name`, `remote_write_missing_metric_name`,
 * `remote_write_invalid_metric_name`, `remote_write_duplicate_label` or
 * `remote_write_invalid_timestamp`. One bad series rejects the whole request.
 */
export function decodeWriteRequest(
  body: Uint8Array,
  limits: DecodeLimits = {},
): DecodedWriteRequest {
  const lim = { ...DEFAULT_DECODE_LIMITS, ...stripUndefined(limits) };
  const raw = decompress(body, lim.maxDecompressedBytes);

  let request: PbWriteRequest;
  try {
    request = WriteRequestType.decode(raw) as unknown as PbWriteRequest;
  } catch (err) {
    throw new LlmwatchError(
      'remote_write_not_protobuf',
      `remote write: body is not a protobuf WriteRequest (${(err as Error).message}); send Prometheus remote-write 1.0 (prompb.WriteRequest)`,
      { cause: err },
    );
  }

  const samples: Sample[] = [];
  let droppedHistograms = 0;
  let droppedExemplars = 0;
  request.timeseries.forEach((series, index) => {
    const labels = validateLabels(series, index, lim);
    droppedHistograms += series.histograms.length;
    droppedExemplars += series.exemplars.length;
    series.samples.forEach((sample, sampleIndex) => {
      const timestampMs = toSafeInteger(sample.timestamp);
      if (timestampMs === undefined) {
        throw new LlmwatchError(
          'remote_write_invalid_timestamp',
          `remote write: timeseries[${index}].samples[${sampleIndex}] of ${describe(labels)} has timestamp ${String(sample.timestamp)} outside the safe integer range of Unix ms; send millisecond timestamps`,
        );
      }
      samples.push({ labels, timestampMs, value: sample.value });
    });
  });

  const metadata = request.metadata.map((m) => ({
    metricFamilyName: m.metricFamilyName,
    type: METRIC_TYPES[m.type] ?? 'unknown',
    help: m.help,
    unit: m.unit,
  }));
  return {
    samples,
    metadata,
    seriesCount: request.timeseries.length,
    droppedHistograms,
    droppedExemplars,
  };
}

function decompress(body: Uint8Array, maxBytes: number): Buffer {
  const declared = snappyDecodedLength(body);
  if (declared === undefined) {
    throw new LlmwatchError(
      'remote_write_not_snappy',
      `remote write: body of ${body.length} bytes has no valid snappy block header; compress the protobuf with snappy block format (not framed)`,
    );
  }
  if (declared > maxBytes) {
    throw new LlmwatchError(
      'remote_write_too_large',
      `remote write: body decompresses to ${declared} bytes, more than the limit of ${maxBytes}; send smaller batches (queue_config.max_samples_per_send)`,
    );
  }
  try {
    return snappy.uncompressSync(body, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new LlmwatchError(
      'remote_write_not_snappy',
      `remote write: body is not valid snappy (${(err as Error).message}); compress the protobuf with snappy block format (not framed)`,
      { cause: err },
    );
  }
}

function validateLabels(series: PbTimeSeries, index: number, lim: Required<DecodeLimits>): Labels {
  const at = `remote write: timeseries[${index}]`;
  if (series.labels.length > lim.maxLabelsPerSeries) {
    throw new LlmwatchError(
      'remote_write_too_many_labels',
      `${at} has ${series.labels.length} labels, more than the limit of ${lim.maxLabelsPerSeries}; drop labels with relabeling`,
    );
  }
  const labels: Labels = {};
  const seen = new Set<string>();
  for (const { name, value } of series.labels) {
    if (Buffer.byteLength(name) > lim.maxLabelNameBytes) {
      throw new LlmwatchError(
        'remote_write_label_too_long',
        `${at} has a label name of ${Buffer.byteLength(name)} bytes starting ${JSON.stringify(name.slice(0, 40))}, more than the limit of ${lim.maxLabelNameBytes}; shorten it`,
      );
    }
    if (Buffer.byteLength(value) > lim.maxLabelValueBytes) {
      throw new LlmwatchError(
        'remote_write_label_too_long',
        `${at} label ${JSON.stringify(name)} has a value of ${Buffer.byteLength(value)} bytes, more than the limit of ${lim.maxLabelValueBytes}; shorten it`,
      );
    }
    if (!LABEL_NAME_RE.test(name)) {
      throw new LlmwatchError(
        'remote_write_invalid_label_name',
        `${at} has invalid label name ${JSON.stringify(name)}; use letters, digits and _, not starting with a digit`,
      );
    }
    if (seen.has(name)) {
      throw new LlmwatchError(
        'remote_write_duplicate_label',
        `${at} has label ${JSON.stringify(name)} more than once; each label name may appear once per series`,
      );
    }
    seen.add(name);
    // As in Prometheus, an empty value means the label is absent.
    if (value !== '') labels[name] = value;
  }

  const metric = labels.__name__;
  if (metric === undefined) {
    throw new LlmwatchError(
      'remote_write_missing_metric_name',
      `${at} ${describe(labels)} has no __name__ label; every series needs a metric name`,
    );
  }
  if (!METRIC_NAME_RE.test(metric)) {
    throw new LlmwatchError(
      'remote_write_invalid_metric_name',
      `${at} has invalid metric name ${JSON.stringify(metric)}; use letters, digits, _ and :, not starting with a digit`,
    );
  }
  return labels;
}

function toSafeInteger(timestamp: PbSample['timestamp']): number | undefined {
  const n = typeof timestamp === 'number' ? timestamp : timestamp.toNumber();
  return Number.isSafeInteger(n) ? n : undefined;
}

type PbSample = PbTimeSeries['samples'][number];

function describe(labels: Labels): string {
  const text = JSON.stringify(labels);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function stripUndefined(limits: DecodeLimits): DecodeLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
