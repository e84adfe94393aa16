/**
 * Sends buffered remote-write batches to the llmwatch server, oldest first, one at a time.
 * 2xx: the batch is deleted. 429, 5xx, timeouts and connection errors: the batch stays and the
 * next attempt waits an exponential backoff with jitter (delay = min(max, base * 2^failures),
 * then a random 50-100 % of it). Other 4xx: the server will never take this batch, so it is
 * deleted and counted as rejected (logged as an error: those samples are lost).
 */
import type { Logger } from '../core/log.js';
import type { BatchBuffer } from './buffer.js';

/** Sender settings. */
export interface PusherOptions {
  /** Full URL of the receiver, e.g. "http://127.0.0.1:9400/api/v1/write". */
  url: string;
  buffer: BatchBuffer;
  logger: Logger;
  /** Per-request limit in ms. Default 10000. */
  requestTimeoutMs?: number;
  /** First retry delay in ms. Default 500. */
  backoffBaseMs?: number;
  /** Longest retry delay in ms. Default 30000. */
  backoffMaxMs?: number;
  /** Random source in [0, 1), for tests. Default Math.random. */
  random?: () => number;
}

/** The sender. `drain` never throws and never runs twice at once. */
export interface Pusher {
  /** Sends until the buffer is empty or a send fails (then a retry is scheduled). */
  drain(): Promise<void>;
  /** Cancels any scheduled retry and waits for a drain in progress. */
  stop(): Promise<void>;
  /** Batches the server refused with a permanent 4xx (since start). */
  readonly rejectedBatches: number;
  /** Consecutive failed sends; 0 after a success. */
  readonly consecutiveFailures: number;
}

/** Creates a sender over `options.buffer`. */
export function createPusher(options: PusherOptions): Pusher {
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const baseMs = options.backoffBaseMs ?? 500;
  const maxMs = options.backoffMaxMs ?? 30_000;
  const random = options.random ?? Math.random;
  let failures = 0;
  let rejected = 0;
  let running: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const sendOne = async (batch: Buffer): Promise<'sent' | 'rejected' | 'retry'> => {
    try {
      const res = await fetch(options.url, {
        method: 'POST',
        body: new Uint8Array(batch),
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = res.ok ? '' : (await res.text()).slice(0, 300);
      if (res.ok) return 'sent';
      if (res.status === 429 || res.status >= 500) {
        options.logger.warn(
          { url: options.url, status: res.status, body: text },
          'agent push failed',
        );
        return 'retry';
      }
      options.logger.error(
        { url: options.url, status: res.status, body: text, sizeBytes: batch.length },
        'agent batch rejected by server',
      );
      return 'rejected';
    } catch (err) {
      options.logger.warn({ url: options.url, err: (err as Error).message }, 'agent push failed');
      return 'retry';
    }
  };

  const loop = async () => {
    for (;;) {
      if (stopped) return;
      let next: { id: string; batch: Buffer } | undefined;
      try {
        next = options.buffer.peek();
      } catch (err) {
        options.logger.error({ err: (err as Error).message }, 'agent buffered batch unreadable');
        return;
      }
      if (!next) return;
      const outcome = await sendOne(next.batch);
      if (outcome === 'retry') {
        failures++;
        const delayMs = Math.min(maxMs, baseMs * 2 ** (failures - 1)) * (0.5 + random() * 0.5);
        if (!stopped) {
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            void drain();
          }, Math.round(delayMs));
          retryTimer.unref();
        }
        return;
      }
      if (outcome === 'rejected') rejected++;
      failures = 0;
      options.buffer.remove(next.id);
    }
  };

  const drain = (): Promise<void> => {
    if (running) return running;
    // While a backoff is running, new batches wait for it instead of hammering a dead server.
    if (retryTimer !== undefined || stopped) return Promise.resolve();
    running = loop().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    drain,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await running;
    },
    get rejectedBatches() {
      return rejected;
    },
    get consecutiveFailures() {
      return failures;
    },
  };
}
