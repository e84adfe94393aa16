/** Importer failure paths against the local fake CloudWatch: throttling, access denied, timer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  END_MS,
  S,
  captureLogger,
  dim,
  getMetricData,
  listMetrics,
  withImporter,
} from './test-fixtures.js';
import { jsonError, startFakeCloudWatch } from './test-server.js';

for (const [label, reply] of [
  ['HTTP 400 Throttling', jsonError(400, 'Throttling', 'Rate exceeded')],
  ['HTTP 429', jsonError(429, 'TooManyRequestsException', 'Too many requests')],
] as const) {
  test(`throttling (${label}) is retried by the SDK, then the poll succeeds`, async () => {
    const fake = await startFakeCloudWatch({
      ListMetrics: listMetrics('GpuId'),
      GetMetricData: (body, index) =>
        index === 0
          ? reply
          : getMetricData((metric, _s, dims) =>
              metric === 'Invocations' && dim(dims, 'ContainerId') === 'c1' ? [[S, 7]] : [],
            )(body, index),
    });
    const clock = { now: END_MS };
    await withImporter(fake, {}, clock, async (importer, batches) => {
      const result = await importer.pollOnce();
      assert.equal(result.error, undefined);
      assert.equal(result.samples, 2);
      const attempts = fake.requests.filter((r) => r.operation === 'GetMetricData');
      assert.equal(attempts.length, 3); // throttled, retried page 1, page 2
      assert.deepEqual(
        batches[0]!.map((s) => s.value),
        [0, 7],
      );
    });
  });
}

test('throttling beyond maxAttempts fails the poll as "throttled" and logs a warning', async () => {
  const fake = await startFakeCloudWatch({
    ListMetrics: () => jsonError(400, 'Throttling', 'Rate exceeded'),
  });
  const { logger, lines } = captureLogger();
  const clock = { now: END_MS };
  await withImporter(
    fake,
    { maxAttempts: 2 },
    clock,
    async (importer, batches) => {
      const result = await importer.pollOnce();
      assert.deepEqual(result, { samples: 0, queries: 0, requests: 1, error: 'throttled' });
      assert.equal(fake.requests.length, 2);
      assert.deepEqual(batches, []);
      const warn = lines.find((l) => l.level === 40)!;
      assert.equal(
        warn.msg,
        'cloudwatch throttled after retries; the next poll re-reads the window',
      );
      assert.equal(warn.errorName, 'Throttling');
    },
    logger,
  );
});

test('access denied is not retried and is logged as an error with the fix', async () => {
  const fake = await startFakeCloudWatch({
    ListMetrics: () =>
      jsonError(400, 'AccessDenied', 'User: arn:aws:iam::123456789012:user/x is not authorized'),
  });
  const { logger, lines } = captureLogger();
  const clock = { now: END_MS };
  await withImporter(
    fake,
    {},
    clock,
    async (importer) => {
      const result = await importer.pollOnce();
      assert.deepEqual(result, { samples: 0, queries: 0, requests: 1, error: 'auth' });
      assert.equal(fake.requests.length, 1);
      const error = lines.find((l) => l.level === 50)!;
      assert.equal(error.msg, 'cloudwatch access denied');
      assert.equal(error.errorName, 'AccessDenied');
      assert.equal(error.httpStatus, 400);
      assert.match(String(error.fix), /cloudwatch:GetMetricData/);
    },
    logger,
  );
});

test('start() polls on a timer without overlap and stop() ends it', async () => {
  const fake = await startFakeCloudWatch({
    ListMetrics: listMetrics('GpuId'),
    GetMetricData: getMetricData((metric) => (metric === 'ModelLatency' ? [[S, 1000]] : [])),
  });
  const clock = { now: END_MS };
  await withImporter(fake, { pollIntervalSeconds: 0.05 }, clock, async (importer, batches) => {
    importer.start();
    const deadline = Date.now() + 5000;
    while (batches.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await importer.stop();
    const count = batches.length;
    assert.ok(count >= 3, `expected 3 polls within 5 s, got ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(batches.length, count);
    // Discovery ran once (12 ListMetrics calls), every poll read the window.
    assert.equal(fake.requests.filter((r) => r.operation === 'ListMetrics').length, 12);
  });
});
