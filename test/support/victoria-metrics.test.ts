import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { isLlmwatchError } from '../../src/core/errors.js';
import { encodeWriteRequest } from '../../src/ingest/remote-write/codec.js';
import { postRemoteWrite, queryRange } from './prometheus-api.js';
import { startVictoriaMetrics } from './victoria-metrics.js';

test('a missing binary is a loud error naming the package to install', async () => {
  await assert.rejects(
    startVictoriaMetrics({ binaryPath: '/nonexistent/victoria-metrics' }),
    (err) => {
      assert.ok(isLlmwatchError(err));
      assert.equal(err.code, 'victoria_metrics_missing');
      assert.match(err.message, /install Debian's victoria-metrics/);
      return true;
    },
  );
});

test('accepts old samples by remote write, answers query_range, close() removes its data', async () => {
  const server = await startVictoriaMetrics();
  let closed = false;
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const t0 = Date.UTC(2020, 8, 13, 12);
    const samples = [0, 1, 2].map((k) => ({ timestampMs: t0 + k * 15_000, value: k * 10 }));
    await postRemoteWrite(server.url, encodeWriteRequest([{ labels: { __name__: 'x' }, samples }]));
    await server.forceFlush();
    const data = await queryRange(server.url, 'x', t0, t0 + 30_000, 15_000);
    assert.deepEqual(data, {
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'x' },
          values: [
            [t0 / 1000, '0'],
            [t0 / 1000 + 15, '10'],
            [t0 / 1000 + 30, '20'],
          ],
        },
      ],
    });
    assert.ok(existsSync(server.dataDir));

    await server.close();
    closed = true;
    assert.equal(existsSync(server.dataDir), false);
    await assert.rejects(fetch(`${server.url}/health`));
  } finally {
    if (!closed) await server.close();
  }
});
