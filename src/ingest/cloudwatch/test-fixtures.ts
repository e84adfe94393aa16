/**
 * Shared fixtures of the importer tests: a SageMaker-like ListMetrics catalogue (one component,
 * two copies, one GPU each), a paging GetMetricData answerer, a log capture and a runner that
 * always stops the importer and closes the fake server.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Sample } from '../../store/types.js';
import { cloudwatchConfigSchema } from './config.js';
import { createCloudWatchImporter } from './importer.js';
import type { FakeCloudWatch, FakeHandler } from './test-server.js';

export const CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' };
/** Period end aligned to 60 s (Unix ms); polls run 30 s after it. */
export const END_MS = 1_700_000_040_000;
export const S = END_MS - 180_000;
export const IC = 'IC-ep-1-Qwen';

export type Dims = { Name: string; Value: string }[];

/** ListMetrics answers for the SageMaker layout of one component with two copies. */
export function listMetrics(gpuDimension: 'GpuId' | 'AcceleratorId'): FakeHandler {
  const copy = (c: string) => [
    { Name: 'InferenceComponentName', Value: IC },
    { Name: 'InstanceId', Value: 'i-0abc' },
    { Name: 'ContainerId', Value: c },
  ];
  const gpu = (c: string, index: number) => [
    { Name: 'EndpointName', Value: 'ep-1' },
    { Name: 'VariantName', Value: 'AllTraffic' },
    ...copy(c),
    { Name: gpuDimension, Value: gpuDimension === 'GpuId' ? `gpu_${index}` : String(index) },
  ];
  const catalogue: Record<string, Dims[]> = {
    'AWS/SageMaker/Invocations': [
      [
        { Name: 'EndpointName', Value: 'ep-1' },
        { Name: 'VariantName', Value: 'AllTraffic' },
      ],
      [{ Name: 'InferenceComponentName', Value: IC }],
      copy('c1'),
      copy('c2'),
    ],
    'AWS/SageMaker/ModelLatency': [copy('c1')],
    '/aws/sagemaker/InferenceComponents/GPUUtilizationNormalized': [
      [{ Name: 'InferenceComponentName', Value: IC }],
      gpu('c1', 0),
      gpu('c2', 1),
    ],
  };
  return (body) => {
    const all = catalogue[`${String(body.Namespace)}/${String(body.MetricName)}`] ?? [];
    const metrics = all.map((Dimensions) => ({
      Namespace: body.Namespace,
      MetricName: body.MetricName,
      Dimensions,
    }));
    // Page Invocations in two to exercise ListMetrics paging.
    if (body.MetricName === 'Invocations' && body.NextToken === undefined) {
      return { body: { Metrics: metrics.slice(0, 2), NextToken: 'list-2' } };
    }
    return { body: { Metrics: body.NextToken ? metrics.slice(2) : metrics } };
  };
}

export interface Query {
  Id: string;
  MetricStat: { Metric: { MetricName: string; Dimensions: Dims }; Stat: string; Period: number };
}

/** Data points (period start in ms, value) of one query. */
export type DataFn = (metric: string, stat: string, dims: Dims) => [number, number][];

/** GetMetricData answering from `data`, the first point of each query on page 1, the rest on page 2. */
export function getMetricData(data: DataFn): FakeHandler {
  return (body) => {
    const page = body.NextToken === undefined ? 0 : 1;
    const results = (body.MetricDataQueries as Query[]).map((q) => {
      const points = data(
        q.MetricStat.Metric.MetricName,
        q.MetricStat.Stat,
        q.MetricStat.Metric.Dimensions,
      );
      const mine = page === 0 ? points.slice(0, 1) : points.slice(1);
      return {
        Id: q.Id,
        Label: q.MetricStat.Metric.MetricName,
        Timestamps: mine.map(([t]) => t / 1000),
        Values: mine.map(([, v]) => v),
        StatusCode: page === 0 ? 'PartialData' : 'Complete',
      };
    });
    return {
      body: {
        MetricDataResults: results,
        Messages: [],
        ...(page === 0 ? { NextToken: 'data-2' } : {}),
      },
    };
  };
}

export function dim(dims: Dims, name: string): string | undefined {
  return dims.find((d) => d.Name === name)?.Value;
}

export function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export async function withImporter(
  fake: FakeCloudWatch,
  overrides: Record<string, unknown>,
  clock: { now: number },
  run: (i: ReturnType<typeof createCloudWatchImporter>, batches: Sample[][]) => Promise<void>,
  logger = captureLogger().logger,
): Promise<void> {
  const config = cloudwatchConfigSchema.parse({
    enabled: true,
    region: 'us-east-1',
    endpoint: fake.url,
    lookbackSeconds: 180,
    ...overrides,
  });
  const batches: Sample[][] = [];
  const importer = createCloudWatchImporter({
    config,
    sink: (samples) => {
      batches.push(samples);
    },
    logger,
    nowMs: () => clock.now,
    credentials: CREDENTIALS,
  });
  try {
    await run(importer, batches);
  } finally {
    await importer.stop();
    await fake.close();
  }
}

export function labels(extra: Record<string, string>) {
  return { component: IC, endpoint: 'ep-1', instance: 'i-0abc', source: 'cloudwatch', ...extra };
}
