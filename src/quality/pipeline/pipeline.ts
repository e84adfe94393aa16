/**
 * The quality pipeline: takes sampled pairs from the gateway (capture) and from the ingest API,
 * queues them durably, runs every evaluator on each with per-judge limits, and records scores
 * as metrics and evaluation records.
 */
import { setMaxListeners } from 'node:events';
import type Database from 'better-sqlite3';
import type { CaptureOptions, CapturedPair } from '../../gateway/capture.js';
import type { Logger } from '../../core/log.js';
import type { MetricRegistry } from '../../ingest/registry.js';
import type { QualityConfig } from '../config.js';
import { createSampler, type SamplingPolicy } from '../sampling.js';
import { createEvaluationRecords, type EvaluationRecords } from '../records/store.js';
import { qualityPipelineConfigSchema, type QualityPipelineConfigInput } from './config.js';
import type { Evaluator } from './evaluator.js';
import { createJudgeLimiter, type JudgeLimiter } from './limiter.js';
import { createQualityMetrics } from './metrics.js';
import {
  createEvaluationQueue,
  type EvaluationQueue,
  type PairInput,
  type QueueCounts,
} from './queue.js';
import { openQualityDb } from './schema.js';
import { runJob, type WorkerDeps } from './worker.js';

/** Options of createQualityPipeline. */
export interface QualityPipelineOptions {
  /** The `quality` configuration, with the pipeline fragment under `pipeline` (default {}). */
  config: Omit<QualityConfig, 'pipeline'> & { pipeline?: QualityPipelineConfigInput };
  /** Evaluators to run on every pair (deterministic ones and LLM judges). */
  evaluators: readonly Evaluator[];
  registry: MetricRegistry;
  logger: Logger;
  /** SQLite file; default `config.pipeline.dbPath`. */
  dbPath?: string;
  /** Wall clock, Unix ms. Default Date.now. */
  nowMs?: () => number;
}

/** A running quality pipeline. */
export interface QualityPipeline {
  /** The gateway's capture hook: samples by policy, buffers pairs, never blocks or throws. */
  capture: CaptureOptions;
  /**
   * Redacts and durably enqueues `pairs` (one transaction) and returns how many were new.
   * Throws LlmwatchError `quality_queue_full` when the queue is full.
   */
  ingest(pairs: readonly PairInput[]): number;
  /** Starts the workers (idempotent); leases left by a dead process are released first. */
  start(): void;
  /** Stops the workers, aborting evaluations in flight (they re-run on next start), closes the db. */
  stop(): Promise<void>;
  /** Flushes captured pairs and waits until no job is pending or running, or `timeoutMs` passes. */
  drain(timeoutMs?: number): Promise<QueueCounts>;
  /** The evaluation records (for the API). */
  records: EvaluationRecords;
  /** Job counts by state. */
  counts(): QueueCounts;
  /** The open database (tests). */
  db: Database.Database;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function policyLookup(config: QualityConfig): (component: string) => SamplingPolicy {
  return (component) => {
    const merged = { ...config.sampling, ...config.components[component]?.sampling };
    return {
      rate: merged.rate,
      minSamplesPerWindow: merged.minSamplesPerWindow,
      windowMs: merged.windowSeconds * 1000,
      maxJudgeSpendDollarsPerHour: merged.maxJudgeSpendDollarsPerHour,
      estimatedCostDollarsPerSample: merged.estimatedCostDollarsPerSample,
    };
  };
}

/** Converts a captured gateway pair to a queue input. */
function fromCapture(pair: CapturedPair): PairInput {
  return {
    requestId: pair.requestId,
    component: pair.component,
    model: pair.model,
    source: 'gateway',
    request: pair.request,
    responseText: pair.responseText,
    finishReason: pair.finishReason,
    createdAtMs: pair.startedAtMs,
  };
}

/**
 * Creates the pipeline: opens the database (throws `quality_db_open`), registers the quality
 * metrics. Workers run after start().
 * Limitation: one pipeline process per database file; start() takes over every lease.
 */
export function createQualityPipeline(opts: QualityPipelineOptions): QualityPipeline {
  const { config, logger } = opts;
  const settings = qualityPipelineConfigSchema.parse(config.pipeline ?? {});
  const wallMs = opts.nowMs ?? Date.now;
  const monotonicMs = performance.now.bind(performance);
  const db = openQualityDb(opts.dbPath ?? settings.dbPath);
  const queue: EvaluationQueue = createEvaluationQueue(db, {
    leaseMs: settings.leaseMs,
    maxPendingJobs: settings.maxPendingJobs,
    redactionTypesFor: (c) => config.components[c]?.redactionTypes ?? config.redactionTypes,
    nowMs: wallMs,
  });
  const records = createEvaluationRecords(db);
  const recordMetrics = createQualityMetrics(opts.registry);
  const dropped = opts.registry.counter(
    'llm_quality_capture_dropped_total',
    'Captured pairs dropped because the capture buffer was full or the queue refused them.',
  );
  const sampler = createSampler(policyLookup(config), wallMs);

  // Jobs are keyed by each evaluator's label at start. An LLM judge's label can change later
  // (it includes the model the API reports), so the key is a snapshot, never re-read.
  const keyed = opts.evaluators.map((e) => ({ key: e.judge, evaluator: e }));
  const jobKeys = keyed.map((k) => ({ criterion: k.evaluator.criterion, judge: k.key }));
  const evaluators = new Map(
    keyed.map((k) => [`${k.evaluator.criterion}\u0000${k.key}`, k.evaluator]),
  );
  const judgeNames = [...new Set(keyed.map((k) => k.key))];
  const limiters = new Map<string, JudgeLimiter>(
    judgeNames.map((judge) => {
      const limits = judge.startsWith('det:')
        ? settings.deterministicJudge
        : (settings.judges[judge] ?? settings.defaultJudge);
      return [judge, createJudgeLimiter(limits, monotonicMs)];
    }),
  );

  const buffer: CapturedPair[] = [];
  const inFlight = new Set<Promise<void>>();
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  const stopping = new AbortController();
  // Every in-flight evaluation listens for stop; more than 10 at once is normal, not a leak.
  setMaxListeners(0, stopping.signal);

  const deps: WorkerDeps = {
    queue,
    logger,
    maxAttempts: settings.maxAttempts,
    retryBaseMs: settings.retryBaseMs,
    retryMaxMs: settings.retryMaxMs,
    timeoutMs: Math.floor(settings.leaseMs * 0.9),
    monotonicMs,
    wallMs,
    stopSignal: stopping.signal,
    onEvaluated(facts, requestId) {
      recordMetrics(facts);
      if (facts.costDollars !== null)
        sampler.recordSpend(requestId, facts.component, facts.costDollars);
    },
  };

  function ingest(pairs: readonly PairInput[]): number {
    return queue.enqueue(pairs, jobKeys);
  }

  function flushCaptured(): void {
    if (buffer.length === 0) return;
    const batch = buffer.splice(0);
    try {
      ingest(batch.map(fromCapture));
    } catch (err) {
      dropped.series({ source: 'quality' }).inc(batch.length);
      logger.error({ err, pairs: batch.length }, 'captured pairs lost: enqueue failed');
    }
  }

  /** Leases what each judge may start now and starts it; never overlaps (all synchronous). */
  function tick(): void {
    timer = null;
    if (!running) return;
    try {
      flushCaptured();
      for (const [judge, limiter] of limiters) {
        const jobs = queue.lease(judge, limiter.available());
        for (const job of jobs) {
          limiter.acquire();
          const evaluator = evaluators.get(`${job.criterion}\u0000${job.judge}`);
          const run = runJob(job, evaluator, deps)
            .catch((err: unknown) => logger.error({ err, jobId: job.id }, 'evaluation job crashed'))
            .finally(() => {
              limiter.release();
              inFlight.delete(run);
              schedule(0);
            });
          inFlight.add(run);
        }
      }
    } catch (err) {
      logger.error({ err }, 'quality pipeline tick failed');
    }
    schedule(settings.pollMs);
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    if (timer !== null) {
      if (delayMs > 0) return;
      clearTimeout(timer);
    }
    timer = setTimeout(tick, delayMs);
  }

  const capture: CaptureOptions = {
    shouldCapture: (component, requestId) => sampler.shouldSample(requestId, component),
    onCapture(pair) {
      if (buffer.length >= settings.captureBufferMax) {
        dropped.series({ source: 'quality' }).inc();
        return;
      }
      buffer.push(pair);
    },
  };

  return {
    capture,
    ingest,
    records,
    db,
    counts: () => queue.counts(),
    start() {
      if (running) return;
      const released = queue.releaseAll();
      if (released > 0) logger.info({ jobs: released }, 'quality leases released for re-run');
      running = true;
      logger.info({ judges: judgeNames }, 'quality pipeline started');
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      flushCaptured();
      stopping.abort();
      await Promise.all([...inFlight]);
      db.close();
      logger.info({}, 'quality pipeline stopped');
    },
    async drain(timeoutMs = 10_000) {
      const deadline = monotonicMs() + timeoutMs;
      flushCaptured();
      for (;;) {
        const counts = queue.counts();
        if ((counts.pending === 0 && counts.leased === 0) || monotonicMs() > deadline)
          return counts;
        schedule(0);
        await sleep(Math.min(20, settings.pollMs));
      }
    },
  };
}
