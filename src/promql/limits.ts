/**
 * Limits that protect the process from one heavy query, as Prometheus's engine has them: a
 * timeout (`query.timeout`), a cap on samples loaded (`query.max-samples`), and periodic yields
 * to the event loop so a long range query does not freeze the gateway and the ingest paths.
 */
import { performance } from 'node:perf_hooks';
import { LlmwatchError } from '../core/errors.js';

/** Default query timeout, ms (Prometheus's `--query.timeout` default, 2m). */
export const DEFAULT_QUERY_TIMEOUT_MS = 120_000;

/** Default most samples one query may load (Prometheus's `--query.max-samples`). */
export const DEFAULT_MAX_SAMPLES = 50_000_000;

/** Default longest stretch of evaluation between two yields to the event loop, ms. */
export const DEFAULT_YIELD_INTERVAL_MS = 10;

/** Per-request options of `instantQuery` and `rangeQuery`. */
export interface QueryOptions {
  /**
   * Timeout of this query in ms (the API's `timeout` parameter); the engine's own timeout still
   * applies when it is shorter. Must be positive; bad values are ignored in favour of the default.
   */
  timeoutMs?: number;
}

/** Prometheus's message for ErrTooManySamples; clients match on it. */
export const TOO_MANY_SAMPLES_MESSAGE =
  'query processing would load too many samples into memory in query execution';

/** Prometheus's message for a timeout during evaluation. */
export const TIMEOUT_MESSAGE = 'query timed out in expression evaluation';

/**
 * Tracks one query's deadline and sample count. Throws LlmwatchError "promql_timeout" once the
 * deadline passed and "promql_too_many_samples" once more than `maxSamples` were loaded.
 */
export class QueryBudget {
  private readonly deadline: number;
  private samples = 0;
  private lastYield = performance.now();

  constructor(
    private readonly timeoutMs: number,
    private readonly maxSamples: number,
    private readonly yieldIntervalMs: number,
  ) {
    this.deadline = performance.now() + timeoutMs;
  }

  /** Throws "promql_timeout" when the query ran past its timeout. */
  checkDeadline(): void {
    if (performance.now() > this.deadline) {
      throw new LlmwatchError(
        'promql_timeout',
        `${TIMEOUT_MESSAGE} (timeout ${this.timeoutMs} ms); narrow the selectors or the time range, use a larger step, or raise the timeout`,
      );
    }
  }

  /** Counts `count` more samples held by the query; throws past the limit. */
  addSamples(count: number): void {
    this.samples += count;
    if (this.samples > this.maxSamples) {
      throw new LlmwatchError(
        'promql_too_many_samples',
        `${TOO_MANY_SAMPLES_MESSAGE} (limit maxSamples=${this.maxSamples}); narrow the selectors or the time range, or use a larger step`,
      );
    }
  }

  /** Samples counted so far. */
  get loadedSamples(): number {
    return this.samples;
  }

  /**
   * Yields to the event loop (one setImmediate turn) when evaluation has run for more than the
   * yield interval since the last yield, then checks the deadline.
   */
  async maybeYield(): Promise<void> {
    if (performance.now() - this.lastYield >= this.yieldIntervalMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
    }
    this.checkDeadline();
  }
}

/** Effective timeout: the shorter of the engine's and the request's (when valid). */
export function effectiveTimeoutMs(engineTimeoutMs: number, opts?: QueryOptions): number {
  const requested = opts?.timeoutMs;
  if (requested === undefined || !Number.isFinite(requested) || requested <= 0) {
    return engineTimeoutMs;
  }
  return Math.min(engineTimeoutMs, requested);
}
