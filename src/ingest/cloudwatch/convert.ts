/**
 * Turns per-period CloudWatch values into canonical samples. Every value covering the period
 * [t, t + period) is stored at t + period, the moment it is complete, like a scraped sample.
 *
 * Counters: CloudWatch gives a Sum per period, Prometheus wants a running total. Per series the
 * converter keeps the per-period sums still inside the lookback window and a `committed` total
 * of the periods that have left it. Each poll overwrites the window's periods with what
 * CloudWatch now says and re-emits the running total after each of them, so overlapping polls
 * rewrite the same timestamps with the same (or corrected) totals and never add a period twice.
 * The first time a series is seen, a 0 is stored at the start of its first period, so
 * `increase()` over the series' whole life equals the CloudWatch sum.
 */
import type { Labels, Sample } from '../../store/types.js';
import { dimensionLabels, seriesLabels } from './mapping.js';
import type { QueryResult } from './query.js';

/** Running state of one counter series. */
interface CounterState {
  labels: Labels;
  /** Start of the first period ever imported (Unix ms); earlier periods are ignored. */
  originMs: number;
  /** Sum of the periods that have left the window. */
  committed: number;
  /** Per-period sums inside the window, by period start (Unix ms). */
  periods: Map<number, number>;
}

/** Converter with the counter state of every series it has seen. */
export interface SampleConverter {
  /**
   * Samples for one poll's results over the window starting at `windowStartMs`. Non-finite
   * values are skipped (absent, never 0); counter values below 0 are skipped too.
   */
  convert(
    results: readonly QueryResult[],
    windowStartMs: number,
    endpointOf: (component: string) => string | undefined,
  ): Sample[];
  /** Number of counter series held in memory. */
  counterSeries(): number;
}

function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Creates a converter; `periodSeconds` is the GetMetricData period. */
export function createSampleConverter(periodSeconds: number): SampleConverter {
  const periodMs = periodSeconds * 1000;
  const counters = new Map<string, CounterState>();

  function convertCounter(
    labels: Labels,
    key: string,
    result: QueryResult,
    windowStartMs: number,
    out: Sample[],
  ): void {
    const points = result.timestampsMs
      .map((t, k) => ({ t, v: result.values[k]! / result.query.mapping.divideBy }))
      .filter((p) => Number.isFinite(p.v) && p.v >= 0);
    let state = counters.get(key);
    if (!state) {
      if (points.length === 0) return;
      state = { labels, originMs: points[0]!.t, committed: 0, periods: new Map() };
      counters.set(key, state);
    }
    for (const p of points) {
      // Limitation: a period that first shows up before the series' first imported period is
      // dropped; inserting it would need rewriting the stored 0 that starts the series.
      if (p.t >= state.originMs) state.periods.set(p.t, p.v);
    }

    const starts = [...state.periods.keys()].sort((a, b) => a - b);
    for (const t of starts) {
      if (t >= windowStartMs) break;
      state.committed += state.periods.get(t)!;
      state.periods.delete(t);
    }
    if (state.originMs >= windowStartMs) {
      out.push({ labels, timestampMs: state.originMs, value: 0 });
    }
    let total = state.committed;
    for (const t of starts) {
      if (t < windowStartMs) continue;
      total += state.periods.get(t)!;
      out.push({ labels, timestampMs: t + periodMs, value: total });
    }
  }

  return {
    convert(results, windowStartMs, endpointOf) {
      const out: Sample[] = [];
      const seen = new Set<string>();
      for (const result of results) {
        const { mapping, metric } = result.query;
        const labels = seriesLabels(mapping, dimensionLabels(metric.dimensions, endpointOf));
        const key = labelsKey(labels);
        // Two CloudWatch series with the same labels (GpuId "gpu_0" and AcceleratorId "0"):
        // the first one wins.
        if (seen.has(key)) continue;
        seen.add(key);

        if (mapping.kind === 'counter') {
          convertCounter(labels, key, result, windowStartMs, out);
          continue;
        }
        result.timestampsMs.forEach((t, k) => {
          const value = result.values[k]! / mapping.divideBy;
          if (Number.isFinite(value)) out.push({ labels, timestampMs: t + periodMs, value });
        });
      }
      return out;
    },
    counterSeries: () => counters.size,
  };
}
