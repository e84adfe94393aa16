/**
 * Bounds judge calls: at most `concurrency` in flight, and starts spaced at least
 * 60000 / ratePerMinute milliseconds apart (no bursts).
 */

/** A limiter; `run` waits for a slot and a start time, then runs `task`. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks waiting for a slot. */
  waiting(): number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates a limiter. `concurrency` >= 1 and `ratePerMinute` > 0 (the configuration schema
 * checks both). Limitation: the waiting queue is unbounded in memory; the sampler upstream is
 * what bounds how much work arrives.
 */
export function createLimiter(opts: { concurrency: number; ratePerMinute: number }): Limiter {
  const intervalMs = 60_000 / opts.ratePerMinute;
  const queue: (() => void)[] = [];
  let active = 0;
  let nextStartMs = 0;

  const acquire = async () => {
    if (active < opts.concurrency) active += 1;
    else await new Promise<void>((resolve) => queue.push(resolve));
    const nowMs = Date.now();
    const waitMs = Math.max(0, nextStartMs - nowMs);
    nextStartMs = Math.max(nowMs, nextStartMs) + intervalMs;
    if (waitMs > 0) await sleep(waitMs);
  };
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active -= 1;
  };

  return {
    async run(task) {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    waiting: () => queue.length,
  };
}
