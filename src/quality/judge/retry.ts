/**
 * Bounded retries with exponential backoff and full jitter, honouring `retry-after`.
 */
import { JudgeCallError } from './types.js';

/**
 * Milliseconds to wait from a `retry-after` header value: delay seconds ("2", "1.5") or an HTTP
 * date (a date in the past gives 0). Also reads `retry-after-ms` when given. Returns undefined for
 * a missing or unreadable value.
 */
export function parseRetryAfterMs(
  retryAfter: string | null | undefined,
  nowMs: number,
  retryAfterMsHeader?: string | null,
): number | undefined {
  if (retryAfterMsHeader != null && /^\d+(\.\d+)?$/.test(retryAfterMsHeader.trim())) {
    return Math.round(Number(retryAfterMsHeader.trim()));
  }
  if (retryAfter == null) return undefined;
  const value = retryAfter.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}

/** Retry policy. */
export interface RetryPolicy {
  /** Attempts including the first, >= 1. */
  maxAttempts: number;
  /** Backoff ceiling of the first retry, milliseconds; doubles each retry. */
  baseMs: number;
  /** Largest wait, milliseconds; also caps retry-after. */
  maxMs: number;
  /** Random source in [0, 1); default Math.random. */
  random?: () => number;
  /** Called before each wait (for logging). */
  onRetry?: (err: JudgeCallError, attempt: number, waitMs: number) => void;
}

/** Wait before retry number `retry` (1-based): retry-after when given, else full jitter. */
export function backoffMs(err: JudgeCallError, retry: number, policy: RetryPolicy): number {
  if (err.retryAfterMs !== undefined) return Math.min(err.retryAfterMs, policy.maxMs);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, throws a non-retryable error, or `maxAttempts` is reached.
 * Errors other than JudgeCallError are not retried. The thrown JudgeCallError carries the
 * number of attempts made; the result says how many it took.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
): Promise<{ value: T; attempts: number }> {
  for (let n = 1; ; n += 1) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (err) {
      if (!(err instanceof JudgeCallError)) throw err;
      err.attempts = n;
      if (!err.retryable || n >= policy.maxAttempts) throw err;
      const waitMs = backoffMs(err, n, policy);
      policy.onRetry?.(err, n, waitMs);
      await sleep(waitMs);
    }
  }
}
