/**
 * A MetricStore that passes every call to another and counts the reads, so a test (or a
 * benchmark) can tell whether the PromQL engine read raw samples or rollups.
 */
import type { MetricStore } from '../../src/store/types.js';

/** Reads made through a counting store since the counts were last reset. */
export interface ReadCounts {
  /** select() and selectColumns() calls. */
  select: number;
  selectRollups: number;
}

/** `inner` with its reads counted in `calls` (set the fields to 0 to start again). */
export function countingStore(inner: MetricStore): { store: MetricStore; calls: ReadCounts } {
  const calls: ReadCounts = { select: 0, selectRollups: 0 };
  const store: MetricStore = {
    append: (batch) => inner.append(batch),
    select: (m, a, b) => (calls.select++, inner.select(m, a, b)),
    close: () => inner.close(),
  };
  const selectRollups = inner.selectRollups?.bind(inner);
  if (selectRollups !== undefined) {
    store.selectRollups = (m, a, b, r, c, o) => (
      calls.selectRollups++,
      selectRollups(m, a, b, r, c, o)
    );
  }
  const selectColumns = inner.selectColumns?.bind(inner);
  if (selectColumns !== undefined) {
    store.selectColumns = (m, a, b) => (calls.select++, selectColumns(m, a, b));
  }
  return { store, calls };
}
