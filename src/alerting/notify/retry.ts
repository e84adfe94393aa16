/**
 * Delivery with retries: exponential backoff with jitter, honouring a server's Retry-After,
 * retrying only retryable failures, and never past the deadline (the group interval, so a
 * dead receiver is given up on before the group's next notification is due).
 */
import type { NotificationData } from './payload.js';
import { DeliveryError, type Integration } from './receivers/types.js';

/** Retry tuning. Defaults: first wait 1 s, longest wait 60 s, at most 10 attempts. */
export interface RetryOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxAttempts?: number;
}

/** The outcome of one delivery after its retries. */
export interface DeliveryOutcome {
  ok: boolean;
  attempts: number;
  /** The last error message when not ok. */
  error?: string;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Calls `integration.notify` until it succeeds, fails with a non-retryable error, runs out of
 * attempts, passes `deadlineMs` (wall-clock ms, Date.now based) or `stop` aborts.
 */
export async function deliverWithRetry(
  integration: Integration,
  data: NotificationData,
  opts: RetryOptions & { deadlineMs: number; stop: AbortSignal },
): Promise<DeliveryOutcome> {
  const initial = opts.initialBackoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 60_000;
  const maxAttempts = opts.maxAttempts ?? 10;
  let lastError = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const remainingMs = opts.deadlineMs - Date.now();
    if (remainingMs <= 0 || opts.stop.aborted)
      return {
        ok: false,
        attempts: attempt - 1,
        error: lastError || 'deadline passed before sending',
      };
    const signal = AbortSignal.any([
      opts.stop,
      AbortSignal.timeout(Math.min(integration.timeoutMs, remainingMs)),
    ]);
    let retryAfterMs: number | undefined;
    try {
      await integration.notify(data, signal);
      return { ok: true, attempts: attempt };
    } catch (err) {
      lastError = (err as Error).message;
      if (err instanceof DeliveryError) {
        if (!err.retryable) return { ok: false, attempts: attempt, error: lastError };
        retryAfterMs = err.retryAfterMs;
      }
    }
    const backoffMs = Math.min(max, initial * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
    const waitMs = Math.max(backoffMs, retryAfterMs ?? 0);
    if (attempt === maxAttempts || Date.now() + waitMs >= opts.deadlineMs) {
      return { ok: false, attempts: attempt, error: lastError };
    }
    await sleep(waitMs, opts.stop);
  }
  return { ok: false, attempts: maxAttempts, error: lastError };
}
