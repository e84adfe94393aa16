/**
 * The bounded sample writer: producers (gateway, scraper, agent pushes) hand it samples without
 * waiting, and one background loop writes them to the metric store in batches. A slow, hung or
 * failing store costs dropped samples (counted and logged), never a blocked or failed caller.
 */
import type { Logger } from '../core/log.js';
import type { MetricStore, Sample } from '../store/types.js';
import { describeInvalidSample } from '../store/validate.js';

/** Options of createSampleWriter. */
export interface SampleWriterOptions {
  /** Where batches go. */
  store: MetricStore;
  /** Most samples held in memory; a write() that would exceed it is dropped whole. */
  maxBufferedSamples: number;
  /** How often the loop writes what is buffered, in milliseconds. Default 200. */
  flushIntervalMs?: number;
  /** Most samples per store.append() call (one transaction). Default 50_000. */
  maxBatchSamples?: number;
  /** Warnings for drops and invalid samples, errors for failed batches (lost samples). */
  logger: Logger;
  /**
   * Called with the number of samples dropped by write() (buffer full, invalid, or closed), e.g.
   * to count them in a metric; its errors are ignored.
   */
  onDropped?: (count: number) => void;
  /** How long close() waits for buffered samples to be written, in milliseconds. Default 5000. */
  closeTimeoutMs?: number;
}

/** Counters since the writer was created. */
export interface SampleWriterStats {
  /** Samples waiting to be written. */
  bufferedSamples: number;
  /** Samples refused by write(): buffer full, invalid, or writer closed. */
  droppedSamples: number;
  /** Samples the store acknowledged. */
  writtenSamples: number;
  /** store.append() calls that failed. */
  failedBatches: number;
  /** Samples lost in failed batches. */
  failedSamples: number;
}

/** A non-blocking, bounded queue in front of a MetricStore. */
export interface SampleWriter {
  /**
   * Enqueues samples and returns at once; never throws. Returns false when some or all were
   * dropped: all of them when the buffer would exceed maxBufferedSamples or the writer is closed,
   * only the invalid ones (see store/validate.ts) otherwise. The caller must not change the
   * samples afterwards.
   */
  write(samples: readonly Sample[]): boolean;
  /** Resolves once everything buffered at the call has been written or has failed. */
  flush(): Promise<void>;
  /**
   * Stops the timer, refuses further writes and flushes, waiting at most closeTimeoutMs (then
   * logs the samples left unwritten). Does not close the store.
   */
  close(): Promise<void>;
  /** Current counters. */
  stats(): SampleWriterStats;
}

const LOG_EVERY_MS = 10_000;

/** Creates a writer and starts its background loop (an unref'd timer). */
export function createSampleWriter(opts: SampleWriterOptions): SampleWriter {
  const { store, maxBufferedSamples, logger, onDropped } = opts;
  const flushIntervalMs = opts.flushIntervalMs ?? 200;
  const maxBatchSamples = Math.max(1, opts.maxBatchSamples ?? 50_000);
  const closeTimeoutMs = opts.closeTimeoutMs ?? 5000;

  const queue: Sample[][] = [];
  let queueHead = 0;
  let bufferedSamples = 0;
  let enqueuedTotal = 0;
  let processedTotal = 0;
  const counts = { droppedSamples: 0, writtenSamples: 0, failedBatches: 0, failedSamples: 0 };
  let draining: Promise<void> | null = null;
  let closed = false;

  const dropWarning = createThrottle(LOG_EVERY_MS);
  const invalidWarning = createThrottle(LOG_EVERY_MS);
  const failureError = createThrottle(LOG_EVERY_MS);

  const notifyDropped = (count: number): void => {
    try {
      onDropped?.(count);
    } catch {
      // A faulty callback must not turn a drop into a thrown error.
    }
  };

  const drop = (count: number, reason: string): void => {
    counts.droppedSamples += count;
    notifyDropped(count);
    dropWarning.add(count, (pending) =>
      logger.warn({ droppedSamples: pending, reason, maxBufferedSamples }, 'samples dropped'),
    );
  };

  /** Removes up to maxBatchSamples samples from the front of the queue. */
  const takeBatch = (): Sample[] => {
    const batch: Sample[] = [];
    while (queueHead < queue.length && batch.length < maxBatchSamples) {
      const chunk = queue[queueHead] as Sample[];
      const room = maxBatchSamples - batch.length;
      if (chunk.length <= room) {
        for (const s of chunk) batch.push(s);
        queue[queueHead++] = [];
      } else {
        for (const s of chunk.splice(0, room)) batch.push(s);
      }
    }
    if (queueHead === queue.length) {
      queue.length = queueHead = 0;
    } else if (queueHead > 1024 && queueHead * 2 > queue.length) {
      // Under sustained load the queue never empties: drop the consumed prefix now and then.
      queue.splice(0, queueHead);
      queueHead = 0;
    }
    bufferedSamples -= batch.length;
    return batch;
  };

  /** Writes batches until the queue is empty. Only one drain runs at a time. */
  const drain = async (): Promise<void> => {
    while (bufferedSamples > 0) {
      const batch = takeBatch();
      try {
        await store.append(batch);
        counts.writtenSamples += batch.length;
      } catch (err) {
        counts.failedBatches += 1;
        counts.failedSamples += batch.length;
        failureError.add(batch.length, (lostSamples) =>
          logger.error(
            { err, lostSamples, failedBatches: counts.failedBatches },
            'sample batch write failed',
          ),
        );
      }
      processedTotal += batch.length;
      // Let I/O run between batches: a synchronous store would otherwise hold the loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  const kick = (): Promise<void> => {
    if (draining === null) {
      draining = drain().finally(() => {
        draining = null;
      });
    }
    return draining;
  };

  const flush = async (): Promise<void> => {
    const target = enqueuedTotal;
    while (processedTotal < target) await kick();
  };

  const timer = setInterval(() => void kick(), flushIntervalMs);
  timer.unref();

  return {
    write(samples) {
      try {
        if (samples.length === 0) return true;
        if (closed) {
          drop(samples.length, 'closed');
          return false;
        }
        if (bufferedSamples + samples.length > maxBufferedSamples) {
          drop(samples.length, 'buffer_full');
          return false;
        }
        const valid = keepValid(samples, (count, problem) => {
          counts.droppedSamples += count;
          notifyDropped(count);
          invalidWarning.add(count, (pending) =>
            logger.warn({ droppedSamples: pending, problem }, 'invalid samples dropped'),
          );
        });
        queue.push(valid);
        bufferedSamples += valid.length;
        enqueuedTotal += valid.length;
        return valid.length === samples.length;
      } catch (err) {
        logger.error({ err }, 'sample write failed');
        return false;
      }
    },

    flush,

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      let timeout: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timeout = setTimeout(() => resolve(true), closeTimeoutMs);
      });
      const done = await Promise.race([flush().then(() => false), timedOut]);
      clearTimeout(timeout);
      dropWarning.flush();
      invalidWarning.flush();
      failureError.flush();
      if (done)
        logger.error(
          { unwrittenSamples: enqueuedTotal - processedTotal, closeTimeoutMs },
          'sample writer closed with samples unwritten',
        );
    },

    stats() {
      return { bufferedSamples, ...counts };
    },
  };
}

/** Returns the valid samples (a copy), reporting the invalid ones with the first problem. */
function keepValid(
  samples: readonly Sample[],
  onInvalid: (count: number, problem: string) => void,
): Sample[] {
  const valid: Sample[] = [];
  let invalid = 0;
  let firstProblem = '';
  for (let i = 0; i < samples.length; i++) {
    const problem = describeInvalidSample(samples[i], i);
    if (problem === null) valid.push(samples[i] as Sample);
    else if (invalid++ === 0) firstProblem = problem;
  }
  if (invalid > 0) onInvalid(invalid, firstProblem);
  return valid;
}

/**
 * Accumulates counts and reports them at most once per `intervalMs`: the first event reports at
 * once, later ones are summed into the next report.
 */
function createThrottle(intervalMs: number) {
  let pending = 0;
  let lastReportMs = -Infinity;
  let report: ((count: number) => void) | undefined;
  return {
    add(count: number, reporter: (count: number) => void): void {
      pending += count;
      report = reporter;
      const nowMs = Date.now();
      if (nowMs - lastReportMs < intervalMs) return;
      lastReportMs = nowMs;
      reporter(pending);
      pending = 0;
    },
    /** Reports what is pending now (on close). */
    flush(): void {
      if (pending > 0 && report !== undefined) report(pending);
      pending = 0;
    },
  };
}
