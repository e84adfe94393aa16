/**
 * Downsampled rollups: per series and fixed bucket (5 minutes in storage, coarser ones merged
 * on read), the aggregates PromQL range functions need. What each answers exactly:
 * - count_over_time, sum_over_time, avg_over_time (sum / count), min_over_time, max_over_time:
 *   exact for windows made of whole buckets. Sums of non-integer values can differ from a
 *   sample-by-sample sum in the last bits (float addition order).
 * - increase, rate, delta: the bucket `increase` (last - first + the value before each counter
 *   reset, Prometheus's formula) merged with the first/last jumps between buckets gives the exact
 *   raw increase over whole buckets; with firstTimestampsMs/lastTimestampsMs and counts the
 *   extrapolation of rate/increase is exact too, when the window starts and ends on bucket
 *   boundaries (buckets are [start, start + resolution), Prometheus windows (t - range, t]:
 *   a sample exactly on a boundary falls in the other window).
 * - last_over_time and instant lookback: `lasts` with lastTimestampsMs.
 * - quantile_over_time, stddev/stdvar_over_time, changes, resets: not answerable from rollups.
 * Limitation: staleness markers are left out of every aggregate (as PromQL range functions do),
 * so a bucket holding only markers is absent; a window ending within a bucket needs raw data.
 */

/** Resolution of stored rollups, in milliseconds (5 minutes). */
export const ROLLUP_BASE_MS = 300_000;

/** Aggregates per bucket as parallel arrays; bucket i covers [startsMs[i], +resolution). */
export interface RollupColumns {
  startsMs: number[];
  /** Samples in the bucket (staleness markers excluded). */
  counts: number[];
  sums: number[];
  /** Prometheus min/max_over_time semantics: NaN only when every value is NaN. */
  mins: number[];
  maxs: number[];
  firsts: number[];
  firstTimestampsMs: number[];
  lasts: number[];
  lastTimestampsMs: number[];
  /** Counter increase from the first to the last sample in the bucket, resets handled. */
  increases: number[];
}

/** An empty set of columns. */
export function emptyColumns(): RollupColumns {
  return {
    startsMs: [],
    counts: [],
    sums: [],
    mins: [],
    maxs: [],
    firsts: [],
    firstTimestampsMs: [],
    lasts: [],
    lastTimestampsMs: [],
    increases: [],
  };
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Prometheus's staleness marker, 0x7ff0000000000002. Safe to pass as an argument or keep in a
 * typed array; a plain JS array may rewrite its payload, so decoded markers travel as flags.
 */
export const STALE_MARKER: number = (() => {
  u32[LITTLE ? 1 : 0] = 0x7ff00000;
  u32[LITTLE ? 0 : 1] = 2;
  return f64[0] as number;
})();

/** True for Prometheus's staleness marker, with or without the quiet bit set. */
export function isStaleMarker(value: number): boolean {
  if (!Number.isNaN(value)) return false;
  f64[0] = value;
  const hi = u32[LITTLE ? 1 : 0] as number;
  const lo = u32[LITTLE ? 0 : 1] as number;
  return lo === 2 && (hi & ~0x00080000) === 0x7ff00000;
}

/** Floor of `timestampMs` to a multiple of `resolutionMs`. */
export function bucketStart(timestampMs: number, resolutionMs: number): number {
  return Math.floor(timestampMs / resolutionMs) * resolutionMs;
}

/**
 * Aggregates sorted samples into buckets of `resolutionMs`, appending to `out`. Staleness
 * markers are skipped: those listed in `staleIndices` (ascending indices, as the decoders
 * report them) and any value whose bits still show the marker.
 */
export function computeRollups(
  timestampsMs: readonly number[],
  values: readonly number[],
  resolutionMs: number,
  out: RollupColumns = emptyColumns(),
  staleIndices: readonly number[] = [],
): RollupColumns {
  let current = Number.NaN;
  let prev = 0;
  let nextStale = 0;
  for (let i = 0; i < timestampsMs.length; i++) {
    const ts = timestampsMs[i] as number;
    const v = values[i] as number;
    if (staleIndices[nextStale] === i) {
      nextStale++;
      continue;
    }
    if (v !== v && isStaleMarker(v)) continue;
    const start = bucketStart(ts, resolutionMs);
    const b = out.startsMs.length - 1;
    if (start !== current) {
      current = start;
      out.startsMs.push(start);
      out.counts.push(1);
      out.sums.push(v);
      out.mins.push(v);
      out.maxs.push(v);
      out.firsts.push(v);
      out.firstTimestampsMs.push(ts);
      out.lasts.push(v);
      out.lastTimestampsMs.push(ts);
      out.increases.push(0);
    } else {
      out.counts[b] = (out.counts[b] as number) + 1;
      out.sums[b] = (out.sums[b] as number) + v;
      const min = out.mins[b] as number;
      if (v < min || Number.isNaN(min)) out.mins[b] = v;
      const max = out.maxs[b] as number;
      if (v > max || Number.isNaN(max)) out.maxs[b] = v;
      // Prometheus: last - first, plus the value before each reset; kept as a running total.
      out.increases[b] = (out.increases[b] as number) + (v < prev ? v : v - prev);
      out.lasts[b] = v;
      out.lastTimestampsMs[b] = ts;
    }
    prev = v;
  }
  return out;
}

/**
 * Merges consecutive buckets into coarser ones of `resolutionMs` (a multiple of the input's
 * resolution), keeping those whose start is in [fromMs, toMs].
 */
export function coarsenRollups(
  input: RollupColumns,
  resolutionMs: number,
  fromMs: number,
  toMs: number,
): RollupColumns {
  const out = emptyColumns();
  let current = Number.NaN;
  for (let i = 0; i < input.startsMs.length; i++) {
    const start = bucketStart(input.startsMs[i] as number, resolutionMs);
    if (start < fromMs || start > toMs) continue;
    const b = out.startsMs.length - 1;
    if (start !== current) {
      current = start;
      out.startsMs.push(start);
      for (const key of COLUMN_KEYS) out[key].push(input[key][i] as number);
      continue;
    }
    const first = input.firsts[i] as number;
    const prevLast = out.lasts[b] as number;
    const jump = first < prevLast ? first : first - prevLast;
    out.increases[b] = (out.increases[b] as number) + jump + (input.increases[i] as number);
    out.counts[b] = (out.counts[b] as number) + (input.counts[i] as number);
    out.sums[b] = (out.sums[b] as number) + (input.sums[i] as number);
    const min = input.mins[i] as number;
    if (min < (out.mins[b] as number) || Number.isNaN(out.mins[b])) out.mins[b] = min;
    const max = input.maxs[i] as number;
    if (max > (out.maxs[b] as number) || Number.isNaN(out.maxs[b])) out.maxs[b] = max;
    out.lasts[b] = input.lasts[i] as number;
    out.lastTimestampsMs[b] = input.lastTimestampsMs[i] as number;
  }
  return out;
}

/** Every column but startsMs, in block order. */
export const COLUMN_KEYS = [
  'counts',
  'sums',
  'mins',
  'maxs',
  'firsts',
  'firstTimestampsMs',
  'lasts',
  'lastTimestampsMs',
  'increases',
] as const;
