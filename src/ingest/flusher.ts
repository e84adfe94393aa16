/**
 * Periodically snapshots the in-process metric registry (what the gateway records) into the
 * bounded sample writer. Each snapshot is one scrape of llmwatch's own registry, so every series
 * gets a sample at each flush, as Prometheus would see it.
 */
import type { Logger } from '../core/log.js';
import type { MetricRegistry } from './registry.js';
import type { SampleWriter } from './writer.js';

/** A running flusher. */
export interface RegistryFlusher {
  /** Snapshots the registry now and hands the samples to the writer. Returns the timestamp used. */
  flushNow(): number;
  /** Stops the timer after one last snapshot. */
  stop(): void;
}

/**
 * Starts flushing `registry` into `writer` every `intervalMs` (default 1000). The timestamp of
 * each snapshot is `nowMs()` rounded down to the millisecond; two snapshots never share one.
 */
export function startRegistryFlusher(opts: {
  registry: MetricRegistry;
  writer: SampleWriter;
  logger: Logger;
  intervalMs?: number;
  nowMs?: () => number;
  /** Called before each snapshot, to copy figures kept elsewhere into the registry. */
  beforeCollect?: () => void;
}): RegistryFlusher {
  const nowMs = opts.nowMs ?? Date.now;
  let lastTimestampMs = 0;

  const flushNow = (): number => {
    const timestampMs = Math.max(Math.floor(nowMs()), lastTimestampMs + 1);
    lastTimestampMs = timestampMs;
    try {
      opts.beforeCollect?.();
      opts.writer.write(opts.registry.collect(timestampMs));
    } catch (err) {
      opts.logger.error({ err }, 'registry flush failed');
    }
    return timestampMs;
  };

  const timer = setInterval(flushNow, opts.intervalMs ?? 1000);
  timer.unref();
  return {
    flushNow,
    stop: () => {
      clearInterval(timer);
      flushNow();
    },
  };
}
