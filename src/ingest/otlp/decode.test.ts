import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { LlmwatchError } from '../../core/errors.js';
import { decodeMetricsRequest, encodingOf, gunzipLimited } from './decode.js';
import { ExportMetricsServiceRequestType } from './proto.js';
import { TIME_MS, TIME_NS, chatCompletionRequest, singleMetricRequest } from './test-fixtures.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const protobuf = (value: Record<string, unknown>) =>
  Buffer.from(
    ExportMetricsServiceRequestType.encode(
      ExportMetricsServiceRequestType.fromObject(value),
    ).finish(),
  );

function assertInvalid(
  body: Buffer,
  encoding: 'json' | 'protobuf',
  message: string | RegExp,
  code = 'otlp_invalid',
) {
  assert.throws(
    () => decodeMetricsRequest(body, encoding, 1000),
    (err: unknown) => {
      assert.ok(err instanceof LlmwatchError);
      assert.equal(err.code, code);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

test('encodingOf reads the media type only', () => {
  assert.equal(encodingOf('application/x-protobuf'), 'protobuf');
  assert.equal(encodingOf('Application/JSON; charset=utf-8'), 'json');
  assert.equal(encodingOf('application/protobuf'), 'protobuf');
  assert.equal(encodingOf('text/plain'), undefined);
  assert.equal(encodingOf(undefined), undefined);
});

test('protobuf and JSON encodings of the same request decode identically', () => {
  const fromJson = decodeMetricsRequest(json(chatCompletionRequest()), 'json', 1000);
  const fromProtobuf = decodeMetricsRequest(protobuf(chatCompletionRequest()), 'protobuf', 1000);
  assert.deepEqual(fromProtobuf, fromJson);
  assert.equal(fromJson.pointCount, 4);
  const first = fromJson.resources[0]?.metrics[0];
  assert.equal(first?.kind, 'histogram');
  if (first?.kind !== 'histogram') return;
  assert.equal(first.temporality, 'cumulative');
  assert.equal(first.points[0]?.timeMs, TIME_MS);
  assert.equal(first.points[0]?.sum, 57);
  assert.equal(first.points[0]?.bucketCounts[3], 1);
});

test('protobuf zero values keep their presence (asDouble 0, sum 0)', () => {
  const request = singleMetricRequest({
    name: 'h',
    histogram: {
      aggregationTemporality: 2,
      dataPoints: [{ timeUnixNano: TIME_NS, sum: 0 }, { timeUnixNano: TIME_NS }],
    },
  });
  const decoded = decodeMetricsRequest(protobuf(request), 'protobuf', 1000);
  const metric = decoded.resources[0]?.metrics[0];
  assert.ok(metric?.kind === 'histogram');
  assert.deepEqual(
    metric.points.map((p) => p.sum),
    [0, undefined],
  );
  const gauge = singleMetricRequest({
    name: 'g',
    gauge: { dataPoints: [{ timeUnixNano: TIME_NS, asDouble: 0 }, { timeUnixNano: TIME_NS }] },
  });
  const g = decodeMetricsRequest(protobuf(gauge), 'protobuf', 1000).resources[0]?.metrics[0];
  assert.ok(g?.kind === 'gauge');
  assert.deepEqual(
    g.points.map((p) => p.value),
    [0, undefined],
  );
});

test('JSON accepts snake_case names, enum names, numeric int64 and special doubles', () => {
  const request = {
    resource_metrics: [
      {
        scope_metrics: [
          {
            metrics: [
              {
                name: 's',
                sum: {
                  aggregation_temporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE',
                  is_monotonic: true,
                  data_points: [
                    { time_unix_nano: 1_000_000, as_double: 'Infinity' },
                    { timeUnixNano: '2000000', asDouble: 'NaN' },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
  const metric = decodeMetricsRequest(json(request), 'json', 1000).resources[0]?.metrics[0];
  assert.ok(metric?.kind === 'sum');
  assert.equal(metric.temporality, 'cumulative');
  assert.equal(metric.monotonic, true);
  assert.deepEqual(
    metric.points.map((p) => [p.timeMs, p.value]),
    [
      [1, Infinity],
      [2, NaN],
    ],
  );
});

test('wrong JSON types are refused with the field path', () => {
  const point = (p: Record<string, unknown>) =>
    json(
      singleMetricRequest({ name: 'g', gauge: { dataPoints: [{ timeUnixNano: TIME_NS, ...p }] } }),
    );
  const base = 'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]';
  assertInvalid(
    point({ timeUnixNano: 'NaN' }),
    'json',
    `${base}.timeUnixNano must be a non-negative integer (a decimal string like "1700000000000000000"), got "NaN"`,
  );
  assertInvalid(
    point({ timeUnixNano: 1.5 }),
    'json',
    /timeUnixNano must be a non-negative integer/,
  );
  assertInvalid(
    point({ timeUnixNano: '-5' }),
    'json',
    /timeUnixNano must be a non-negative integer/,
  );
  assertInvalid(point({ timeUnixNano: '99999999999999999999' }), 'json', /that fits in 64 bits/);
  assertInvalid(
    point({ asDouble: 'fast' }),
    'json',
    `${base}.asDouble must be a number, got "fast"`,
  );
  assertInvalid(point({ asInt: true }), 'json', /asInt must be an integer/);
  assertInvalid(point({ attributes: {} }), 'json', `${base}.attributes must be an array, got {}`);
  assertInvalid(
    point({ attributes: [{ key: 7 }] }),
    'json',
    `${base}.attributes[0].key must be a string, got 7`,
  );
  assertInvalid(json({ resourceMetrics: {} }), 'json', 'resourceMetrics must be an array, got {}');
  assertInvalid(json([1]), 'json', 'request must be an object, got [1]');
  assertInvalid(
    json(singleMetricRequest({ name: 3 })),
    'json',
    'resourceMetrics[0].scopeMetrics[0].metrics[0].name must be a string, got 3',
  );
  assertInvalid(
    json(singleMetricRequest({ name: 's', sum: { aggregationTemporality: 7 } })),
    'json',
    'resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality must be 0, 1 (delta) or 2 (cumulative), got 7',
  );
  assertInvalid(
    json(singleMetricRequest({ name: 's', sum: { isMonotonic: 'yes' } })),
    'json',
    /isMonotonic must be true or false/,
  );
  assertInvalid(Buffer.from('{"resourceMetrics": ['), 'json', /^body is not valid JSON/);
});

test('deeply nested attribute values are refused', () => {
  let value: Record<string, unknown> = { stringValue: 'leaf' };
  for (let i = 0; i < 20; i++) value = { arrayValue: { values: [value] } };
  const body = json(
    singleMetricRequest({
      name: 'g',
      gauge: { dataPoints: [{ attributes: [{ key: 'deep', value }] }] },
    }),
  );
  assertInvalid(body, 'json', /nests arrays or kvlists deeper than 8 levels/);
});

test('bodies that are not protobuf are refused', () => {
  assertInvalid(
    Buffer.from('{"resourceMetrics":[]}'),
    'protobuf',
    /^body is not a protobuf ExportMetricsServiceRequest/,
  );
  assertInvalid(
    Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    'protobuf',
    /^body is not a protobuf/,
  );
});

test('too many data points are refused', () => {
  const dataPoints = Array.from({ length: 11 }, () => ({ timeUnixNano: TIME_NS, asInt: '1' }));
  const body = json(singleMetricRequest({ name: 'g', gauge: { dataPoints } }));
  assert.throws(() => decodeMetricsRequest(body, 'json', 10), {
    code: 'otlp_too_many_points',
    message: /more than 10 data points/,
  });
  assert.equal(decodeMetricsRequest(body, 'json', 11).pointCount, 11);
});

test('gunzipLimited stops a gzip bomb and refuses corrupt gzip', async () => {
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  assert.ok(bomb.length < 100_000);
  await assert.rejects(gunzipLimited(bomb, 1024 * 1024), {
    code: 'otlp_too_large',
    message: /more than 1048576 bytes/,
  });
  await assert.rejects(gunzipLimited(Buffer.from('not gzip'), 1024), {
    code: 'otlp_invalid',
    message: /not valid gzip/,
  });
  const ok = await gunzipLimited(gzipSync(Buffer.from('hello')), 1024);
  assert.equal(ok.toString(), 'hello');
});
