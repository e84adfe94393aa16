/**
 * What every receiver integration implements, and the error type that decides retries.
 */
import { LlmwatchError } from '../../../core/errors.js';
import type { NotificationData } from '../payload.js';

/** One configured integration of a receiver (one webhook URL, one Slack hook, ...). */
export interface Integration {
  /** Stable id within its receiver, e.g. "webhook/0"; part of the notification log key. */
  id: string;
  /** Whether resolved alerts are sent (and an all-resolved group notified). */
  sendResolved: boolean;
  /** Timeout of one attempt, ms. */
  timeoutMs: number;
  /**
   * Delivers one notification. Resolves on success; throws DeliveryError otherwise (any other
   * error is treated as retryable). Must stop when `signal` aborts.
   */
  notify(data: NotificationData, signal: AbortSignal): Promise<void>;
}

/** A failed delivery; `retryable` decides whether the pipeline tries again. */
export class DeliveryError extends LlmwatchError {
  /** True for network errors, timeouts, 429 and 5xx; false for other 4xx and bad config. */
  readonly retryable: boolean;
  /** Server-requested wait (Retry-After), ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    opts: { retryable: boolean; retryAfterMs?: number | undefined; cause?: unknown },
  ) {
    super('notify_delivery_failed', message, { cause: opts.cause });
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs;
  }
}
