/**
 * The CloudWatch importer: on a timer, discovers SageMaker inference-component series with
 * ListMetrics (every `discoveryIntervalSeconds`), reads the lookback window with GetMetricData,
 * converts it to canonical samples (source="cloudwatch") and hands them to a sink (the sample
 * writer or the store's append).
 *
 * Limitation: periods that CloudWatch revises after they left the lookback window are not
 * re-read; a longer `lookbackSeconds` trades API calls for later corrections.
 * Limitation: counter totals live in memory. After a restart each counter starts again from 0 at
 * the window's first period, which PromQL sees as a counter reset (rate and increase stay right).
 * Limitation: counter state of series that disappear (a removed copy) is kept until restart.
 * Limitation: per-copy series are named by ContainerId, not by llmwatch copy names; components
 * are named by InferenceComponentName.
 */
import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import type { Logger } from '../../core/log.js';
import type { Sample } from '../../store/types.js';
import type { CloudWatchConfig } from './config.js';
import { createSampleConverter } from './convert.js';
import { discoverMetrics, type Discovery } from './discover.js';
import { classifyAwsError, type AwsErrorKind } from './errors.js';
import { fetchMetricData, planQueries, type PlannedQuery } from './query.js';

/** Options of createCloudWatchImporter. */
export interface CloudWatchImporterOptions {
  /** The parsed `cloudwatch:` section. `enabled` is the caller's business: this always runs. */
  config: CloudWatchConfig;
  /** Receives each poll's samples; a rejection is logged and the poll counted as failed. */
  sink: (samples: Sample[]) => Promise<void> | void;
  logger: Logger;
  /** Clock, Unix ms. Default Date.now. */
  nowMs?: () => number;
  /**
   * Credentials for tests. Default: the SDK's default chain (environment, profile, role); the
   * configuration file never holds credentials.
   */
  credentials?: CloudWatchClientConfig['credentials'];
}

/** Outcome of one poll. */
export interface CloudWatchPollResult {
  /** Samples handed to the sink. */
  samples: number;
  /** Metric queries planned (series × mapping rows). */
  queries: number;
  /** AWS API calls made (pages included, SDK retries not). */
  requests: number;
  /** Set when the poll failed: "auth" (not retried), "throttled" (retries ran out), "failed". */
  error?: AwsErrorKind;
}

/** A running importer. */
export interface CloudWatchImporter {
  /** Starts polling at once, then every pollIntervalSeconds. Polls never overlap. */
  start(): void;
  /** Stops the timer, waits for a poll in flight and releases the SDK client. */
  stop(): Promise<void>;
  /** One poll now (discovery when due, then the window); never throws. */
  pollOnce(): Promise<CloudWatchPollResult>;
}

/** Creates an importer; nothing is sent before start() or pollOnce(). */
export function createCloudWatchImporter(opts: CloudWatchImporterOptions): CloudWatchImporter {
  const { config, sink, logger } = opts;
  const log = logger.child({ part: 'cloudwatch' });
  const nowMs = opts.nowMs ?? Date.now;
  const periodMs = config.periodSeconds * 1000;
  const lookbackMs = Math.ceil(config.lookbackSeconds / config.periodSeconds) * periodMs;
  const client = new CloudWatchClient({
    region: config.region,
    endpoint: config.endpoint,
    maxAttempts: config.maxAttempts,
    retryMode: 'standard',
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
  const converter = createSampleConverter(config.periodSeconds);

  let discovery: Discovery | undefined;
  let plan: PlannedQuery[] = [];
  let discoveredAtMs = -Infinity;
  let inFlight: Promise<CloudWatchPollResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function poll(): Promise<CloudWatchPollResult> {
    const counter = { requests: 0 };
    const now = nowMs();
    try {
      if (!discovery || now - discoveredAtMs >= config.discoveryIntervalSeconds * 1000) {
        discovery = await discoverMetrics(client, config, config.mappings, counter);
        plan = planQueries(discovery.metrics, config.mappings);
        discoveredAtMs = now;
        log.info(
          { series: discovery.metrics.length, queries: plan.length },
          'cloudwatch discovery done',
        );
      }
      const endMs = Math.floor(now / periodMs) * periodMs;
      const startMs = endMs - lookbackMs;
      if (plan.length === 0) return { samples: 0, queries: 0, requests: counter.requests };

      const results = await fetchMetricData(
        client,
        plan,
        {
          startMs,
          endMs,
          periodSeconds: config.periodSeconds,
          maxQueriesPerRequest: config.maxQueriesPerRequest,
        },
        counter,
      );
      const endpoints = discovery.endpointByComponent;
      const samples = converter.convert(results, startMs, (c) => endpoints.get(c));
      if (samples.length > 0) await sink(samples);
      log.debug({ samples: samples.length, requests: counter.requests }, 'cloudwatch poll done');
      return { samples: samples.length, queries: plan.length, requests: counter.requests };
    } catch (err) {
      return { samples: 0, queries: plan.length, requests: counter.requests, error: report(err) };
    }
  }

  function report(err: unknown): AwsErrorKind {
    const { kind, name, httpStatus, message } = classifyAwsError(err);
    const fields = { errorName: name, httpStatus, error: message };
    if (kind === 'auth') {
      log.error(
        {
          ...fields,
          fix: 'check the AWS credentials (env or profile) and allow cloudwatch:ListMetrics and cloudwatch:GetMetricData',
        },
        'cloudwatch access denied',
      );
    } else if (kind === 'throttled') {
      log.warn(fields, 'cloudwatch throttled after retries; the next poll re-reads the window');
    } else {
      log.warn(fields, 'cloudwatch poll failed');
    }
    return kind;
  }

  function pollOnce(): Promise<CloudWatchPollResult> {
    if (inFlight) return inFlight;
    inFlight = poll().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void pollOnce().finally(() => schedule(config.pollIntervalSeconds * 1000));
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (timer || stopped) return;
      log.info(
        { periodSeconds: config.periodSeconds, region: config.region },
        'cloudwatch importer started',
      );
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (inFlight) await inFlight;
      client.destroy();
    },
    pollOnce,
  };
}
