/**
 * A small in-memory MetricStore for tests of code that queries metrics (the PromQL engine,
 * query handlers, alert rules). Not for production use: nothing is persisted or bounded.
 */
import { LlmwatchError } from '../core/errors.js';
import type { LabelMatcher, MetricStore, Sample, SeriesData } from '../store/types.js';
import { labelsKey, sortLabels } from './labels.js';
import { matchesLabels } from './matchers.js';
import { isStaleMarker } from './staleness.js';

/** Creates an empty in-memory store; `append` validates like the real store's contract. */
export function createMemoryStore(): MetricStore {
  // Staleness markers are flagged on append, while the caller's value still has its bits.
  const series = new Map<
    string,
    { labels: Sample['labels']; points: Map<number, number>; stale: Set<number> }
  >();
  let closed = false;

  const store: MetricStore = {
    async append(samples) {
      for (const sample of samples) {
        if (!Number.isInteger(sample.timestampMs)) {
          throw new LlmwatchError(
            'store_invalid',
            `sample timestampMs must be an integer, got ${sample.timestampMs}`,
          );
        }
        if (!sample.labels.__name__) {
          throw new LlmwatchError('store_invalid', 'sample labels must include __name__');
        }
      }
      for (const sample of samples) {
        const key = labelsKey(sample.labels);
        let entry = series.get(key);
        if (!entry) {
          entry = { labels: sortLabels(sample.labels), points: new Map(), stale: new Set() };
          series.set(key, entry);
        }
        entry.points.set(sample.timestampMs, sample.value);
        if (isStaleMarker(sample.value)) entry.stale.add(sample.timestampMs);
        else entry.stale.delete(sample.timestampMs);
      }
    },

    async select(matchers: readonly LabelMatcher[], startMs: number, endMs: number) {
      if (closed) throw new LlmwatchError('store_closed', 'memory store is closed');
      const out: SeriesData[] = [];
      for (const entry of series.values()) {
        if (!matchesLabels(entry.labels, matchers)) continue;
        const times = [...entry.points.keys()]
          .filter((t) => t >= startMs && t <= endMs)
          .sort((a, b) => a - b);
        if (times.length === 0) continue;
        const data: SeriesData = {
          labels: { ...entry.labels },
          timestampsMs: times,
          values: times.map((t) => entry.points.get(t) as number),
        };
        if (times.some((t) => entry.stale.has(t))) {
          data.staleMask = Uint8Array.from(times, (t) => (entry.stale.has(t) ? 1 : 0));
        }
        out.push(data);
      }
      return out;
    },

    async close() {
      closed = true;
    },
  };
  return store;
}
