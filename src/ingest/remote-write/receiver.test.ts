import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappy';
import { LlmwatchError } from '../../core/errors.js';
import { createSilentLogger } from '../../core/log.js';
import { createSqliteStore } from '../../store/sqlite-store.js';
import type { MetricStore, Sample } from '../../store/types.js';
import { encodeWriteRequest, type RemoteWriteMetadata } from './codec.js';
import { handleRemoteWrite, type RemoteWriteDeps } from './receiver.js';
import { WriteRequestType } from './schema.js';

const RW1_HEADERS = {
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf',
  'x-prometheus-remote-write-version': '0.1.0',
};

async function startReceiver(deps: RemoteWriteDeps): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => void handleRemoteWrite(deps, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/api/v1/write` };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

interface Reply {
  status: number;
  text: string;
  contentType: string | undefined;
}

/**
 * Sends one request with node:http; `body` may be a Buffer or a list of chunks (sent chunked).
 * Write errors after the server has answered (it closes early on oversized bodies) are ignored.
 */
function send(
  url: string,
  headers: Record<string, string>,
  body: Buffer | Buffer[],
  method = 'POST',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString(),
          contentType: res.headers['content-type'],
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else req.end(body);
  });
}

function withTempStore() {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-rw-'));
  const store = createSqliteStore({ path: join(dir, 'metrics.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('204 after the samples are in the store; metadata handed on', async () => {
  const { store, cleanup } = withTempStore();
  const metadata: RemoteWriteMetadata[][] = [];
  const { server, url } = await startReceiver({
    store,
    logger: createSilentLogger(),
    onMetadata: (m) => metadata.push(m),
  });
  try {
    const body = encodeWriteRequest([
      {
        labels: { __name__: 'llm_requests_running', component: 'chat', copy: '0' },
        samples: [
          { timestampMs: 1000, value: 3 },
          { timestampMs: 2000, value: 4 },
        ],
      },
    ]);
    assert.deepEqual(await send(url, RW1_HEADERS, body), {
      status: 204,
      text: '',
      contentType: undefined,
    });
    assert.deepEqual(await store.select([], 0, 10_000), [
      {
        labels: { __name__: 'llm_requests_running', component: 'chat', copy: '0' },
        timestampsMs: [1000, 2000],
        values: [3, 4],
      },
    ]);

    const withMeta = snappy.compressSync(
      WriteRequestType.encode(
        WriteRequestType.create({
          metadata: [{ type: 2, metricFamilyName: 'llm_requests_running', help: 'Running.' }],
        }),
      ).finish(),
    );
    // Missing content-type and content-encoding mean remote write 1.0, as in Prometheus.
    assert.equal((await send(url, {}, withMeta)).status, 204);
    assert.deepEqual(metadata, [
      [{ metricFamilyName: 'llm_requests_running', type: 'gauge', help: 'Running.', unit: '' }],
    ]);
  } finally {
    await stop(server);
    await cleanup();
  }
});

test('refusals: method, encoding, remote write 2.0, sizes, bad payloads', async () => {
  const appended: Sample[][] = [];
  const store = { append: async (s: readonly Sample[]) => void appended.push([...s]) };
  const { server, url } = await startReceiver({
    store,
    logger: createSilentLogger(),
    limits: { maxBodyBytes: 1000 },
  });
  const hint =
    "llmwatch accepts remote write 1.0 only (content-type application/x-protobuf, proto=prometheus.WriteRequest); set protobuf_message: prometheus.WriteRequest in the sender's remote_write config";
  const good = encodeWriteRequest([{ labels: { __name__: 'up' }, samples: [] }]);
  const cases: Array<[string, Record<string, string>, Buffer | Buffer[], number, string, string?]> =
    [
      ['GET', {}, Buffer.alloc(0), 405, 'remote write needs POST, got GET'],
      [
        'POST',
        { ...RW1_HEADERS, 'content-encoding': 'gzip' },
        good,
        415,
        'unsupported content-encoding "gzip"; remote write bodies must be snappy-compressed (content-encoding: snappy)',
      ],
      [
        'POST',
        {
          ...RW1_HEADERS,
          'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
          'x-prometheus-remote-write-version': '2.0.0',
        },
        good,
        415,
        `unsupported remote write message "io.prometheus.write.v2.Request"; ${hint}`,
      ],
      [
        'POST',
        { ...RW1_HEADERS, 'content-type': 'application/json' },
        good,
        415,
        `unsupported content-type "application/json"; ${hint}`,
      ],
      [
        'POST',
        { ...RW1_HEADERS, 'content-length': '5000' },
        [],
        413,
        'remote write body of 5000 bytes is larger than 1000 bytes; send smaller batches (queue_config.max_samples_per_send)',
      ],
      [
        'POST',
        { ...RW1_HEADERS, 'transfer-encoding': 'chunked' },
        [Buffer.alloc(600), Buffer.alloc(600)],
        413,
        'remote write body is larger than 1000 bytes; send smaller batches (queue_config.max_samples_per_send)',
      ],
      [
        'POST',
        RW1_HEADERS,
        Buffer.from('not snappy at all'),
        400,
        'remote write: body is not valid snappy (snappy: corrupt input (expected valid offset but got offset 1853038708; dst position: 0)); compress the protobuf with snappy block format (not framed)',
      ],
      [
        'POST',
        RW1_HEADERS,
        encodeWriteRequest([{ labels: { job: 'x' }, samples: [{ timestampMs: 1, value: 1 }] }]),
        400,
        'remote write: timeseries[0] {"job":"x"} has no __name__ label; every series needs a metric name',
      ],
      [
        'POST',
        RW1_HEADERS,
        Buffer.from([0x80, 0x80, 0x80, 0x11, 0x00]),
        413,
        'remote write: body decompresses to 35651584 bytes, more than the limit of 33554432; send smaller batches (queue_config.max_samples_per_send)',
      ],
    ];
  try {
    for (const [method, headers, body, status, text] of cases) {
      const reply = await send(url, headers, body, method);
      assert.deepEqual(
        reply,
        { status, text: `${text}\n`, contentType: 'text/plain; charset=utf-8' },
        `${method} ${JSON.stringify(headers)}`,
      );
    }
    assert.deepEqual(appended, []);
  } finally {
    await stop(server);
  }
});

test('store failure gives 500 (retried by senders); large requests go in batches', async () => {
  const batches: number[] = [];
  let fail = true;
  const store: Pick<MetricStore, 'append'> = {
    append: async (samples) => {
      if (fail) throw new LlmwatchError('store_write_failed', 'disk full');
      batches.push(samples.length);
    },
  };
  const { server, url } = await startReceiver({
    store,
    logger: createSilentLogger(),
    limits: { maxBatchSamples: 2 },
  });
  try {
    const samples = [1, 2, 3, 4, 5].map((t) => ({ timestampMs: t, value: t }));
    const body = encodeWriteRequest([{ labels: { __name__: 'up' }, samples }]);
    assert.deepEqual(await send(url, RW1_HEADERS, body), {
      status: 500,
      text: 'storing 5 samples failed; retry later\n',
      contentType: 'text/plain; charset=utf-8',
    });
    fail = false;
    assert.equal((await send(url, RW1_HEADERS, body)).status, 204);
    assert.deepEqual(batches, [2, 2, 1]);
  } finally {
    await stop(server);
  }
});
