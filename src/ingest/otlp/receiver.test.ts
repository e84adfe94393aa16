import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createSilentLogger } from '../../core/log.js';
import type { Sample } from '../../store/types.js';
import { DEFAULT_OTLP_CONFIG, type OtlpConfig } from './config.js';
import {
  ExportMetricsServiceRequestType,
  ExportMetricsServiceResponseType,
  StatusType,
} from './proto.js';
import { createOtlpMetricsHandler } from './receiver.js';
import { pick } from './test-helpers.js';
import { TIME_MS, TIME_NS, chatCompletionRequest, singleMetricRequest } from './test-fixtures.js';

interface Harness {
  stored: Sample[];
  failNextAppends: number;
  url: string;
}

const harness: Harness = { stored: [], failNextAppends: 0, url: '' };
const config: OtlpConfig = {
  ...DEFAULT_OTLP_CONFIG,
  maxBodyBytes: 256 * 1024,
  maxDecompressedBytes: 1024 * 1024,
  maxDataPointsPerRequest: 50,
};
let server: Server;

before(async () => {
  const store = {
    async append(samples: readonly Sample[]) {
      if (harness.failNextAppends > 0) {
        harness.failNextAppends--;
        throw new Error('disk full');
      }
      harness.stored.push(...samples);
    },
  };
  const handler = createOtlpMetricsHandler({ store, logger: createSilentLogger(), config });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function post(body: Uint8Array | string, headers: Record<string, string>, method = 'POST') {
  return fetch(harness.url, {
    method,
    headers,
    body: method === 'GET' ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
    signal: AbortSignal.timeout(10_000),
  });
}

const pb = (value: Record<string, unknown>) =>
  Buffer.from(
    ExportMetricsServiceRequestType.encode(
      ExportMetricsServiceRequestType.fromObject(value),
    ).finish(),
  );
const JSON_TYPE = { 'content-type': 'application/json' };
const PB_TYPE = { 'content-type': 'application/x-protobuf' };

test('JSON export of a chat completion is stored before the 200 answer', async () => {
  harness.stored.length = 0;
  const res = await post(JSON.stringify(chatCompletionRequest()), JSON_TYPE);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(await res.text(), '{}');
  // 4 histogram points of 17 samples (15 buckets, sum, count) plus 4 derived counters, each
  // with its 0 start sample.
  assert.equal(harness.stored.length, 144);
  assert.deepEqual(
    pick(harness.stored, 'llm_output_tokens_total', {
      component: 'chat-api',
      copy: 'chat-api-7f9c',
    }),
    [
      [1_700_000_000_000, 0],
      [TIME_MS, 120],
    ],
  );
});

test('protobuf export gives the same samples and a protobuf answer', async () => {
  harness.stored.length = 0;
  const res = await post(pb(chatCompletionRequest()), PB_TYPE);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
  const answer = ExportMetricsServiceResponseType.toObject(
    ExportMetricsServiceResponseType.decode(new Uint8Array(await res.arrayBuffer())),
  );
  assert.deepEqual(answer, {});
  // Start-zero samples were already written by the JSON test (same state): only the 72 point samples.
  assert.equal(harness.stored.length, 72);
  assert.deepEqual(pick(harness.stored, 'llm_requests_total', { status_class: 'error' }), [
    [TIME_MS, 1],
  ]);
});

test('gzip-compressed JSON is accepted', async () => {
  harness.stored.length = 0;
  const body = gzipSync(
    JSON.stringify(
      singleMetricRequest({
        name: 'g',
        gauge: { dataPoints: [{ timeUnixNano: TIME_NS, asDouble: 3 }] },
      }),
    ),
  );
  const res = await post(body, { ...JSON_TYPE, 'content-encoding': 'gzip' });
  assert.equal(res.status, 200);
  assert.deepEqual(pick(harness.stored, 'g'), [[TIME_MS, 3]]);
});

/** Two exponential histogram points (raw protobuf: count 0) and one gauge point. */
const mixed = (exponentialPoint: unknown = {}) => ({
  resourceMetrics: [
    {
      scopeMetrics: [
        {
          metrics: [
            {
              name: 'e',
              exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: [exponentialPoint, exponentialPoint],
              },
            },
            { name: 'ok', gauge: { dataPoints: [{ timeUnixNano: TIME_NS, asDouble: 1 }] } },
          ],
        },
      ],
    },
  ],
});

test('partial success reports rejected points in JSON and protobuf', async () => {
  harness.stored.length = 0;
  const res = await post(JSON.stringify(mixed()), JSON_TYPE);
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    partialSuccess: { rejectedDataPoints: string; errorMessage: string };
  };
  assert.equal(body.partialSuccess.rejectedDataPoints, '2');
  assert.match(
    body.partialSuccess.errorMessage,
    /^2 of 3 data points rejected: "e": exponential histograms are not supported/,
  );
  assert.deepEqual(pick(harness.stored, 'ok'), [[TIME_MS, 1]]);

  const rawPoint = Buffer.from([0x21, 0, 0, 0, 0, 0, 0, 0, 0]).toString('base64');
  const pbRes = await post(pb(mixed(rawPoint)), PB_TYPE);
  assert.equal(pbRes.status, 200);
  const answer = ExportMetricsServiceResponseType.toObject(
    ExportMetricsServiceResponseType.decode(new Uint8Array(await pbRes.arrayBuffer())),
    { longs: String },
  ) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } };
  assert.equal(answer.partialSuccess.rejectedDataPoints, '2');
  assert.match(answer.partialSuccess.errorMessage, /^2 of 3 data points rejected/);
});

test('undecodable bodies get 400 with a Status in the request encoding', async () => {
  const res = await post('this is not protobuf at all', PB_TYPE);
  assert.equal(res.status, 400);
  const status = StatusType.toObject(
    StatusType.decode(new Uint8Array(await res.arrayBuffer())),
  ) as { code: number; message: string };
  assert.equal(status.code, 3);
  assert.match(status.message, /^body is not a protobuf ExportMetricsServiceRequest/);

  const bad = singleMetricRequest({ name: 'g', gauge: { dataPoints: [{ timeUnixNano: 'NaN' }] } });
  const jsonRes = await post(JSON.stringify(bad), JSON_TYPE);
  assert.equal(jsonRes.status, 400);
  assert.deepEqual(await jsonRes.json(), {
    code: 3,
    message:
      'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].timeUnixNano must be a non-negative integer (a decimal string like "1700000000000000000"), got "NaN"',
  });
});

test('unsupported content types, encodings and methods are refused', async () => {
  const text = await post('x', { 'content-type': 'text/plain' });
  assert.equal(text.status, 415);
  assert.deepEqual(await text.json(), {
    code: 3,
    message:
      'unsupported content-type "text/plain"; send application/x-protobuf or application/json',
  });
  const br = await post('x', { ...JSON_TYPE, 'content-encoding': 'br' });
  assert.equal(br.status, 415);
  assert.match(
    ((await br.json()) as { message: string }).message,
    /unsupported content-encoding "br"/,
  );
  const get = await post('', JSON_TYPE, 'GET');
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
});

test('huge bodies, gzip bombs and too many points get 413', async () => {
  const huge = await post(Buffer.alloc(300 * 1024, 0x20), JSON_TYPE);
  assert.equal(huge.status, 413);
  assert.match(((await huge.json()) as { message: string }).message, /larger than 262144 bytes/);

  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
  const bombRes = await post(bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });
  assert.equal(bombRes.status, 413);
  assert.match(
    ((await bombRes.json()) as { message: string }).message,
    /inflates to more than 1048576 bytes/,
  );

  const dataPoints = Array.from({ length: 51 }, () => ({ timeUnixNano: TIME_NS, asInt: '1' }));
  const many = await post(
    JSON.stringify(singleMetricRequest({ name: 'g', gauge: { dataPoints } })),
    JSON_TYPE,
  );
  assert.equal(many.status, 413);
  assert.match(((await many.json()) as { message: string }).message, /more than 50 data points/);
});

test('a store failure answers 503 and the retried delta export counts once', async () => {
  harness.stored.length = 0;
  const delta = (timeNs: string, value: string) =>
    JSON.stringify(
      singleMetricRequest({
        name: 'd',
        sum: {
          aggregationTemporality: 1,
          isMonotonic: true,
          dataPoints: [{ timeUnixNano: timeNs, asInt: value }],
        },
      }),
    );
  assert.equal((await post(delta('1000000000', '2'), JSON_TYPE)).status, 200);
  harness.failNextAppends = 1;
  const failed = await post(delta('2000000000', '5'), JSON_TYPE);
  assert.equal(failed.status, 503);
  assert.deepEqual(await failed.json(), {
    code: 14,
    message: 'storing 1 samples failed; retry later',
  });
  assert.equal((await post(delta('2000000000', '5'), JSON_TYPE)).status, 200);
  assert.deepEqual(pick(harness.stored, 'd_total'), [
    [1000, 2],
    [2000, 7],
  ]);
});
