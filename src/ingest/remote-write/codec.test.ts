import { test } from 'node:test';
import assert from 'node:assert/strict';
import snappy from 'snappy';
import { isLlmwatchError } from '../../core/errors.js';
import {
  decodeWriteRequest,
  encodeWriteRequest,
  snappyDecodedLength,
  type DecodeLimits,
} from './codec.js';
import { WriteRequestType } from './schema.js';

/** Prometheus's staleness marker: a NaN with a specific bit pattern. */
const STALE_NAN = Buffer.from('020000000000f07f', 'hex').readDoubleLE(0);

function nanBits(value: number): string {
  const bits = Buffer.alloc(8);
  bits.writeDoubleLE(value, 0);
  return bits.toString('hex');
}

/** Encodes an arbitrary (possibly invalid) WriteRequest object, snappy-compressed. */
function encodeRaw(message: Record<string, unknown>): Buffer {
  return snappy.compressSync(WriteRequestType.encode(WriteRequestType.create(message)).finish());
}

function expectError(body: Uint8Array, code: string, message: string, limits?: DecodeLimits) {
  assert.throws(
    () => decodeWriteRequest(body, limits),
    (err: unknown) => {
      assert.ok(isLlmwatchError(err));
      assert.equal(err.code, code);
      assert.equal(err.message, message);
      return true;
    },
  );
}

test('encode produces the documented prompb wire bytes', () => {
  const body = encodeWriteRequest([
    { labels: { job: 'a', __name__: 'up' }, samples: [{ timestampMs: 1000, value: 1 }] },
  ]);
  // Hand-assembled from the schema: labels sorted by name, Sample{double value=1; int64 ts=2}.
  const expected = Buffer.concat([
    Buffer.from([0x0a, 0x28]), // WriteRequest.timeseries (field 1), 40 bytes
    Buffer.from([0x0a, 0x0e, 0x0a, 0x08]), // TimeSeries.labels, Label.name (8 bytes)
    Buffer.from('__name__'),
    Buffer.from([0x12, 0x02]),
    Buffer.from('up'),
    Buffer.from([0x0a, 0x08, 0x0a, 0x03]),
    Buffer.from('job'),
    Buffer.from([0x12, 0x01]),
    Buffer.from('a'),
    Buffer.from([0x12, 0x0c, 0x09]), // TimeSeries.samples, Sample.value (fixed64)
    Buffer.from('000000000000f03f', 'hex'), // 1.0 little-endian
    Buffer.from([0x10, 0xe8, 0x07]), // Sample.timestamp = 1000 (varint)
  ]);
  assert.equal(snappyDecodedLength(body), expected.length);
  assert.deepEqual(snappy.uncompressSync(body, { asBuffer: true }), expected);
});

test('round trip keeps labels, timestamps and exact values incl. NaN bits', () => {
  const body = encodeWriteRequest([
    {
      labels: { __name__: 'llm_requests_total', component: 'chat', status_class: '2xx' },
      samples: [
        { timestampMs: 1_714_564_800_000, value: 0 },
        { timestampMs: 1_714_564_815_000, value: 42.5 },
        { timestampMs: 1_714_564_830_000, value: STALE_NAN },
      ],
    },
    {
      labels: { __name__: 'temp', empty: '' },
      samples: [
        { timestampMs: -5, value: Number.POSITIVE_INFINITY },
        { timestampMs: 0, value: -0.1 },
      ],
    },
    { labels: { __name__: 'no_samples' }, samples: [] },
  ]);
  const decoded = decodeWriteRequest(body);
  const chat = { __name__: 'llm_requests_total', component: 'chat', status_class: '2xx' };
  assert.deepEqual(decoded.samples.slice(0, 2), [
    { labels: chat, timestampMs: 1_714_564_800_000, value: 0 },
    { labels: chat, timestampMs: 1_714_564_815_000, value: 42.5 },
  ]);
  assert.equal(nanBits(decoded.samples[2]?.value as number), '020000000000f07f');
  // The empty-valued label is absent, as in Prometheus.
  assert.deepEqual(decoded.samples.slice(3), [
    { labels: { __name__: 'temp' }, timestampMs: -5, value: Number.POSITIVE_INFINITY },
    { labels: { __name__: 'temp' }, timestampMs: 0, value: -0.1 },
  ]);
  assert.equal(decoded.samples.length, 5);
  assert.equal(decoded.seriesCount, 3);
  assert.deepEqual(decoded.metadata, []);
  assert.equal(decoded.droppedHistograms, 0);
  assert.equal(decoded.droppedExemplars, 0);
});

test('metadata, native histograms and exemplars', () => {
  const body = encodeRaw({
    timeseries: [
      {
        labels: [{ name: '__name__', value: 'h' }],
        samples: [],
        histograms: [Buffer.from([0x08, 0x01]), Buffer.from([0x08, 0x02])],
        exemplars: [Buffer.from([0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f])],
      },
    ],
    metadata: [
      { type: 1, metricFamilyName: 'llm_requests_total', help: 'Requests.', unit: '' },
      { type: 3, metricFamilyName: 'llm_request_duration_seconds', help: 'E2E.', unit: 'seconds' },
      { metricFamilyName: 'mystery' },
    ],
  });
  const decoded = decodeWriteRequest(body);
  assert.deepEqual(decoded.samples, []);
  assert.equal(decoded.droppedHistograms, 2);
  assert.equal(decoded.droppedExemplars, 1);
  assert.deepEqual(decoded.metadata, [
    { metricFamilyName: 'llm_requests_total', type: 'counter', help: 'Requests.', unit: '' },
    {
      metricFamilyName: 'llm_request_duration_seconds',
      type: 'histogram',
      help: 'E2E.',
      unit: 'seconds',
    },
    { metricFamilyName: 'mystery', type: 'unknown', help: '', unit: '' },
  ]);
});

test('snappy header: declared length is read without decompressing', () => {
  assert.equal(snappyDecodedLength(Buffer.from([0x00])), 0);
  assert.equal(snappyDecodedLength(Buffer.from([0xe8, 0x07])), 1000);
  assert.equal(snappyDecodedLength(Buffer.from([0x80, 0x80, 0x80, 0x11])), 34 * 1024 * 1024);
  assert.equal(snappyDecodedLength(Buffer.from([])), undefined);
  assert.equal(snappyDecodedLength(Buffer.from([0x80])), undefined);
  assert.equal(snappyDecodedLength(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])), undefined);
});

test('not snappy', () => {
  const fix = 'compress the protobuf with snappy block format (not framed)';
  expectError(
    Buffer.alloc(0),
    'remote_write_not_snappy',
    `remote write: body of 0 bytes has no valid snappy block header; ${fix}`,
  );
  expectError(
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    'remote_write_not_snappy',
    `remote write: body of 6 bytes has no valid snappy block header; ${fix}`,
  );
  // Uncompressed protobuf sent by mistake: header says 10 bytes, the rest is not snappy.
  assert.throws(
    () => decodeWriteRequest(Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0x78])),
    (err: unknown) => isLlmwatchError(err) && err.code === 'remote_write_not_snappy',
  );
});

test('too large: rejected from the header before decompressing', () => {
  // Declares 34 MiB; the junk after the header is never decompressed.
  const bomb = Buffer.from([0x80, 0x80, 0x80, 0x11, 0x00, 0x01, 0x02]);
  expectError(
    bomb,
    'remote_write_too_large',
    'remote write: body decompresses to 35651584 bytes, more than the limit of 33554432; send smaller batches (queue_config.max_samples_per_send)',
  );
  const body = encodeWriteRequest([{ labels: { __name__: 'up' }, samples: [] }]);
  expectError(
    body,
    'remote_write_too_large',
    'remote write: body decompresses to 18 bytes, more than the limit of 17; send smaller batches (queue_config.max_samples_per_send)',
    { maxDecompressedBytes: 17 },
  );
  assert.equal(decodeWriteRequest(body, { maxDecompressedBytes: 18 }).seriesCount, 1);
});

test('not protobuf', () => {
  expectError(
    snappy.compressSync(Buffer.from([0x0a, 0xff])),
    'remote_write_not_protobuf',
    'remote write: body is not a protobuf WriteRequest (index out of range: 2 + 1 > 2); send Prometheus remote-write 1.0 (prompb.WriteRequest)',
  );
  expectError(
    snappy.compressSync(Buffer.from([0x0f])),
    'remote_write_not_protobuf',
    'remote write: body is not a protobuf WriteRequest (invalid wire type 7 at offset 1); send Prometheus remote-write 1.0 (prompb.WriteRequest)',
  );
});

test('label limits and validity', () => {
  const series = (labels: { name: string; value: string }[]) =>
    encodeRaw({ timeseries: [{ labels, samples: [{ value: 1, timestamp: 1 }] }] });
  const name = { name: '__name__', value: 'up' };
  const many = Array.from({ length: 64 }, (_, i) => ({ name: `l${i}`, value: 'v' }));
  assert.equal(decodeWriteRequest(series([name, ...many.slice(1)])).samples.length, 1);

  const at = 'remote write: timeseries[0]';
  expectError(
    series([name, ...many]),
    'remote_write_too_many_labels',
    `${at} has 65 labels, more than the limit of 64; drop labels with relabeling`,
  );
  expectError(
    series([name, { name: 'x'.repeat(1025), value: 'v' }]),
    'remote_write_label_too_long',
    `${at} has a label name of 1025 bytes starting "${'x'.repeat(40)}", more than the limit of 1024; shorten it`,
  );
  expectError(
    series([name, { name: 'path', value: 'é'.repeat(2049) }]),
    'remote_write_label_too_long',
    `${at} label "path" has a value of 4098 bytes, more than the limit of 4096; shorten it`,
  );
  expectError(
    series([
      { name: '__name__', value: 'u' },
      { name: 'a', value: 'vv' },
    ]),
    'remote_write_label_too_long',
    `${at} label "a" has a value of 2 bytes, more than the limit of 1; shorten it`,
    { maxLabelValueBytes: 1 },
  );
  for (const bad of ['0abc', 'a-b', 'é', '']) {
    expectError(
      series([name, { name: bad, value: 'v' }]),
      'remote_write_invalid_label_name',
      `${at} has invalid label name ${JSON.stringify(bad)}; use letters, digits and _, not starting with a digit`,
    );
  }
  expectError(
    series([{ name: 'job', value: 'a' }]),
    'remote_write_missing_metric_name',
    `${at} {"job":"a"} has no __name__ label; every series needs a metric name`,
  );
  expectError(
    series([{ name: '__name__', value: '' }]),
    'remote_write_missing_metric_name',
    `${at} {} has no __name__ label; every series needs a metric name`,
  );
  expectError(
    series([{ name: '__name__', value: 'http-requests' }]),
    'remote_write_invalid_metric_name',
    `${at} has invalid metric name "http-requests"; use letters, digits, _ and :, not starting with a digit`,
  );
  expectError(
    series([name, { name: 'job', value: 'a' }, { name: 'job', value: 'b' }]),
    'remote_write_duplicate_label',
    `${at} has label "job" more than once; each label name may appear once per series`,
  );
});

test('timestamps: outside safe integers rejected on decode, NaN rejected on encode', () => {
  const body = encodeRaw({
    timeseries: [
      { labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 2 ** 60 }] },
    ],
  });
  expectError(
    body,
    'remote_write_invalid_timestamp',
    'remote write: timeseries[0].samples[0] of {"__name__":"up"} has timestamp 1152921504606846976 outside the safe integer range of Unix ms; send millisecond timestamps',
  );
  for (const timestampMs of [Number.NaN, 1.5, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () =>
        encodeWriteRequest([{ labels: { __name__: 'up' }, samples: [{ timestampMs, value: 1 }] }]),
      {
        code: 'remote_write_invalid_timestamp',
        message: `remote write: series[0].samples[0].timestampMs must be an integer number of Unix ms, got ${String(timestampMs)}`,
      },
    );
  }
});
