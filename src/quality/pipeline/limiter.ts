/**
 * Per-judge admission: a token bucket for the start rate and a cap on evaluations in flight.
 */
import type { JudgeLimits } from './config.js';

/** Concurrency and rate limiter of one judge. */
export interface JudgeLimiter {
  /** How many evaluations may start now (free slots and whole tokens, the smaller). */
  available(): number;
  /** Takes one slot and one token; call only when available() > 0. */
  acquire(): void;
  /** Frees a slot when an evaluation ends. */
  release(): void;
  /** Ms until the next token arrives; 0 when one is available now. */
  msUntilToken(): number;
  inFlight(): number;
}

/**
 * A limiter with `limits` (bucket starts full). `nowMs` is a monotonic clock in ms.
 */
export function createJudgeLimiter(limits: JudgeLimits, nowMs: () => number): JudgeLimiter {
  let tokens = limits.burst;
  let lastMs = nowMs();
  let inFlight = 0;

  const refill = (): void => {
    const now = nowMs();
    tokens = Math.min(limits.burst, tokens + ((now - lastMs) / 1000) * limits.ratePerSecond);
    lastMs = now;
  };

  return {
    available() {
      refill();
      return Math.max(0, Math.min(limits.concurrency - inFlight, Math.floor(tokens)));
    },
    acquire() {
      refill();
      tokens -= 1;
      inFlight += 1;
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
    },
    msUntilToken() {
      refill();
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / limits.ratePerSecond) * 1000);
    },
    inFlight: () => inFlight,
  };
}
