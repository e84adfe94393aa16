/**
 * The importer against a local fake CloudWatch (test-server.ts). The installed SDK speaks the
 * AWS JSON 1.0 protocol (X-Amz-Target GraniteServiceVersion20100801.*, epoch-second timestamps);
 * the first test asserts that wire format, so an SDK upgrade that changes it fails here first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  END_MS,
  IC,
  S,
  dim,
  getMetricData,
  labels,
  listMetrics,
  withImporter,
  type DataFn,
  type Query,
} from './test-fixtures.js';
import { startFakeCloudWatch } from './test-server.js';

test('imports invocations, latency and per-GPU utilization with paging; re-polls overwrite', async () => {
  let revised = false;
  const data: DataFn = (metric, stat, dims) => {
    const copy = dim(dims, 'ContainerId');
    if (metric === 'Invocations' && copy === 'c1') {
      return revised
        ? [
            [S + 60_000, 5],
            [S + 120_000, 6],
            [END_MS, 1],
          ]
        : [
            [S, 3],
            [S + 60_000, 5],
            [S + 120_000, 2],
          ];
    }
    if (metric === 'Invocations' && copy === 'c2') return [[S + 60_000, 4]];
    if (metric === 'ModelLatency' && !revised) {
      const us: Record<string, number> = {
        Average: 250_000,
        p50: 200_000,
        p90: 400_000,
        p99: 900_000,
      };
      return [[S + 120_000, us[stat]!]];
    }
    if (metric === 'GPUUtilizationNormalized' && !revised) {
      return [[S + 120_000, dim(dims, 'GpuId') === 'gpu_0' ? 45.5 : 80]];
    }
    return [];
  };
  const fake = await startFakeCloudWatch({
    ListMetrics: listMetrics('GpuId'),
    GetMetricData: getMetricData(data),
  });
  const clock = { now: END_MS + 30_000 };
  await withImporter(fake, {}, clock, async (importer, batches) => {
    const first = await importer.pollOnce();
    // 14 mapping rows → 11 distinct metrics listed, Invocations on two pages, then two
    // GetMetricData pages; queries: 2 Invocations + 4 ModelLatency stats + 2 GPU series.
    assert.deepEqual(first, { samples: 12, queries: 8, requests: 12 + 2 });

    const list = fake.requests.filter((r) => r.operation === 'ListMetrics');
    assert.equal(list.length, 12);
    assert.equal(list[0]!.contentType, 'application/x-amz-json-1.0');
    assert.match(list[0]!.authorization!, /^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\//);
    assert.deepEqual(list[0]!.body, {
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocations',
      RecentlyActive: 'PT3H',
    });

    const data1 = fake.requests.filter((r) => r.operation === 'GetMetricData');
    assert.equal(data1.length, 2);
    assert.equal(data1[0]!.body.StartTime, S / 1000);
    assert.equal(data1[0]!.body.EndTime, END_MS / 1000);
    assert.equal(data1[0]!.body.ScanBy, 'TimestampAscending');
    assert.equal(data1[1]!.body.NextToken, 'data-2');
    const queries = data1[0]!.body.MetricDataQueries as Query[];
    assert.deepEqual(
      queries.map((q) => [
        q.Id,
        q.MetricStat.Metric.MetricName,
        q.MetricStat.Stat,
        q.MetricStat.Period,
      ]),
      [
        ['q0', 'Invocations', 'Sum', 60],
        ['q1', 'Invocations', 'Sum', 60],
        ['q2', 'ModelLatency', 'Average', 60],
        ['q3', 'ModelLatency', 'p50', 60],
        ['q4', 'ModelLatency', 'p90', 60],
        ['q5', 'ModelLatency', 'p99', 60],
        ['q6', 'GPUUtilizationNormalized', 'Average', 60],
        ['q7', 'GPUUtilizationNormalized', 'Average', 60],
      ],
    );

    const requests1 = labels({ __name__: 'llm_requests_total', copy: 'c1' });
    const requests2 = labels({ __name__: 'llm_requests_total', copy: 'c2' });
    const latency = (name: string, extra: Record<string, string> = {}) =>
      labels({ __name__: name, copy: 'c1', ...extra });
    const gpu = (copy: string, index: string) =>
      labels({ __name__: 'gpu_utilization_ratio', copy, gpu: index });
    assert.deepEqual(batches, [
      [
        { labels: requests1, timestampMs: S, value: 0 },
        { labels: requests1, timestampMs: S + 60_000, value: 3 },
        { labels: requests1, timestampMs: S + 120_000, value: 8 },
        { labels: requests1, timestampMs: END_MS, value: 10 },
        { labels: requests2, timestampMs: S + 60_000, value: 0 },
        { labels: requests2, timestampMs: S + 120_000, value: 4 },
        { labels: latency('llm_request_duration_seconds_avg'), timestampMs: END_MS, value: 0.25 },
        {
          labels: latency('llm_request_duration_seconds_quantile', { quantile: '0.5' }),
          timestampMs: END_MS,
          value: 0.2,
        },
        {
          labels: latency('llm_request_duration_seconds_quantile', { quantile: '0.9' }),
          timestampMs: END_MS,
          value: 0.4,
        },
        {
          labels: latency('llm_request_duration_seconds_quantile', { quantile: '0.99' }),
          timestampMs: END_MS,
          value: 0.9,
        },
        { labels: gpu('c1', '0'), timestampMs: END_MS, value: 0.455 },
        { labels: gpu('c2', '1'), timestampMs: END_MS, value: 0.8 },
      ],
    ]);

    // Second poll one period later: S has left the window, S+120 was revised from 2 to 6.
    revised = true;
    clock.now += 60_000;
    const second = await importer.pollOnce();
    // c2's first period is still in the window, so its starting 0 is written again (same value).
    assert.deepEqual(second, { samples: 5, queries: 8, requests: 2 });
    assert.deepEqual(batches[1], [
      { labels: requests1, timestampMs: S + 120_000, value: 8 },
      { labels: requests1, timestampMs: END_MS, value: 14 },
      { labels: requests1, timestampMs: END_MS + 60_000, value: 15 },
      { labels: requests2, timestampMs: S + 60_000, value: 0 },
      { labels: requests2, timestampMs: S + 120_000, value: 4 },
    ]);
  });
});

test('AcceleratorId works like GpuId; batches respect maxQueriesPerRequest', async () => {
  const fake = await startFakeCloudWatch({
    ListMetrics: listMetrics('AcceleratorId'),
    GetMetricData: getMetricData((metric, _stat, dims) =>
      metric === 'GPUUtilizationNormalized'
        ? [[S, dim(dims, 'AcceleratorId') === '0' ? 10 : 99.5]]
        : [],
    ),
  });
  const clock = { now: END_MS + 30_000 };
  await withImporter(fake, { maxQueriesPerRequest: 3 }, clock, async (importer, batches) => {
    const result = await importer.pollOnce();
    // 8 queries in batches of 3, 3 and 2, each read on two pages.
    assert.deepEqual(result, { samples: 2, queries: 8, requests: 12 + 6 });
    const sizes = fake.requests
      .filter((r) => r.operation === 'GetMetricData' && r.body.NextToken === undefined)
      .map((r) => (r.body.MetricDataQueries as Query[]).length);
    assert.deepEqual(sizes, [3, 3, 2]);
    assert.deepEqual(batches, [
      [
        {
          labels: labels({ __name__: 'gpu_utilization_ratio', copy: 'c1', gpu: '0' }),
          timestampMs: S + 60_000,
          value: 0.1,
        },
        {
          labels: labels({ __name__: 'gpu_utilization_ratio', copy: 'c2', gpu: '1' }),
          timestampMs: S + 60_000,
          value: 0.995,
        },
      ],
    ]);
  });
});

test('no metrics listed: one discovery, no GetMetricData, nothing sunk', async () => {
  const fake = await startFakeCloudWatch({
    ListMetrics: () => ({ body: { Metrics: [] } }),
    GetMetricData: getMetricData(() => []),
  });
  const clock = { now: END_MS };
  await withImporter(
    fake,
    { inferenceComponents: [{ name: IC }] },
    clock,
    async (importer, batches) => {
      assert.deepEqual(await importer.pollOnce(), { samples: 0, queries: 0, requests: 11 });
      const filters = fake.requests.map((r) => r.body.Dimensions);
      assert.deepEqual(filters[0], [{ Name: 'InferenceComponentName', Value: IC }]);
      // The endpoint-level row has no endpoint to filter on: listed unfiltered, then dropped.
      assert.equal(filters[10], undefined);
      assert.deepEqual(batches, []);
    },
  );
});

test('listed series with no data points in the window: nothing sunk', async () => {
  const fake = await startFakeCloudWatch({
    ListMetrics: listMetrics('GpuId'),
    GetMetricData: getMetricData(() => []),
  });
  const clock = { now: END_MS };
  await withImporter(fake, {}, clock, async (importer, batches) => {
    assert.deepEqual(await importer.pollOnce(), { samples: 0, queries: 8, requests: 14 });
    assert.deepEqual(batches, []);
  });
});
