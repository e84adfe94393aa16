import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { isLlmwatchError } from '../../src/core/errors.js';
import { startPrometheus } from './prometheus.js';

test('a missing binary is a loud error naming the package to install', async () => {
  await assert.rejects(startPrometheus({ binaryPath: '/nonexistent/prometheus' }), (err) => {
    assert.ok(isLlmwatchError(err));
    assert.equal(err.code, 'prometheus_missing');
    assert.match(err.message, /install Debian's prometheus package/);
    return true;
  });
});

test('starts on loopback with no targets, and close() stops it', async () => {
  const server = await startPrometheus();
  let closed = false;
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/api/v1/targets`);
    const body = (await res.json()) as { data: { activeTargets: unknown[] } };
    assert.deepEqual(body.data.activeTargets, []);
    const flags = (await (await fetch(`${server.url}/api/v1/status/flags`)).json()) as {
      data: Record<string, string>;
    };
    assert.equal(flags.data['query.lookback-delta'], '5m');
    assert.equal(flags.data['web.enable-remote-write-receiver'], 'true');
    const dataDir = flags.data['storage.tsdb.path'] as string;
    assert.ok(existsSync(dataDir));

    await server.close();
    closed = true;
    assert.equal(existsSync(dataDir), false);
    await assert.rejects(fetch(`${server.url}/-/ready`));
  } finally {
    if (!closed) await server.close();
  }
});
