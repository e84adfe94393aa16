/**
 * Downsampled rollups: per series and fixed bucket (5 minutes in storage, and 1 hour once a
 * window is compacted, rollup-hourly.ts; coarser ones merged on read by coarsenRollups), the
 * aggregates PromQL range functions need. Buckets are left-open like PromQL's
 * range windows: bucket s covers (s, s + resolution], so a window (t - range, t] with t and
 * t - range on bucket boundaries is exactly the buckets starting in [t - range, t), whatever
 * the samples' timestamps (scrapes aligned to the clock included). What each answers exactly:
 * - count_over_time, sum_over_time, avg_over_time (sum / count), min_over_time, max_over_time:
 *   exact for windows made of whole buckets. Sums of non-integer values can differ from a
 *   sample-by-sample sum in the last bits (float addition order).
 * - increase, rate, delta: the bucket `increase` (last - first + the value before each counter
 *   reset, Prometheus's formula) merged with the first/last jumps between buckets gives the exact
 *   raw increase over whole buckets; with firstTimestampsMs/lastTimestampsMs and counts the
 *   extrapolation of rate/increase is exact too.
 * - instant vector selectors evaluated at a bucket end t with lookback L <= 5 minutes: `lasts`
 *   with lastTimestampsMs, unless lastPointTimestampsMs (the bucket's last point, staleness
 *   markers included) says a marker followed the last sample (then absent, like Prometheus).
 *   That holds for coarser buckets too: the window (t - L, t] lies in the last 5-minute bucket
 *   of the coarse one, whose last sample and last point the coarse bucket keeps.
 * - last_over_time: `lasts` with lastTimestampsMs (not used by the engine).
 * - quantile_over_time, stddev/stdvar_over_time, changes, resets: not answerable from rollups.
 * Limitation: staleness markers are left out of every aggregate (as PromQL range functions do),
 * so a bucket holding only markers is absent; a window ending within a bucket needs raw data.
 * For the same reason an instant selector with a lookback over 5 minutes is read raw: a coarse
 * bucket does not show a marker in a later 5-minute bucket that held nothing else.
 * Stores written before schema version 4 held [s, s + R) buckets; the migration rebuilds them.
 */
import type { RollupColumns } from './types.js';

/** Resolution of stored rollups, in milliseconds (5 minutes). */
export const ROLLUP_BASE_MS = 300_000;

/** Aggregates per bucket as parallel columns (defined with the store's types). */
export type { RollupColumns };

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
  'lastPointTimestampsMs',
  'increases',
] as const;

/** Columns of `n` buckets, zero-filled (views of one buffer: one allocation). */
export function allocColumns(n: number): RollupColumns {
  const buffer = new Float64Array(11 * n);
  const view = (k: number) => buffer.subarray(k * n, (k + 1) * n);
  return {
    startsMs: view(0),
    counts: view(1),
    sums: view(2),
    mins: view(3),
    maxs: view(4),
    firsts: view(5),
    firstTimestampsMs: view(6),
    lasts: view(7),
    lastTimestampsMs: view(8),
    lastPointTimestampsMs: view(9),
    increases: view(10),
  };
}

/** An empty set of columns. */
export function emptyColumns(): RollupColumns {
  return allocColumns(0);
}

/** Buckets [from, to) of `cols`, as views (no copy). */
export function sliceColumns(cols: RollupColumns, from: number, to: number): RollupColumns {
  if (from === 0 && to === cols.startsMs.length) return cols;
  return {
    startsMs: cols.startsMs.subarray(from, to),
    counts: cols.counts.subarray(from, to),
    sums: cols.sums.subarray(from, to),
    mins: cols.mins.subarray(from, to),
    maxs: cols.maxs.subarray(from, to),
    firsts: cols.firsts.subarray(from, to),
    firstTimestampsMs: cols.firstTimestampsMs.subarray(from, to),
    lasts: cols.lasts.subarray(from, to),
    lastTimestampsMs: cols.lastTimestampsMs.subarray(from, to),
    lastPointTimestampsMs: cols.lastPointTimestampsMs.subarray(from, to),
    increases: cols.increases.subarray(from, to),
  };
}

/** The buckets of `a` followed by those of `b` (a's all start before b's). */
export function concatColumns(a: RollupColumns, b: RollupColumns): RollupColumns {
  if (b.startsMs.length === 0) return a;
  if (a.startsMs.length === 0) return b;
  const n = a.startsMs.length;
  const out = allocColumns(n + b.startsMs.length);
  out.startsMs.set(a.startsMs);
  out.startsMs.set(b.startsMs, n);
  for (const key of COLUMN_KEYS) {
    out[key].set(a[key]);
    out[key].set(b[key], n);
  }
  return out;
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

/** Floor of `timestampMs` to a multiple of `resolutionMs` (aligns query ranges). */
export function bucketStart(timestampMs: number, resolutionMs: number): number {
  return Math.floor(timestampMs / resolutionMs) * resolutionMs;
}

/**
 * Start of the left-open bucket (s, s + resolutionMs] holding a sample at `timestampMs`: a
 * sample exactly on a boundary belongs to the bucket ending there.
 */
export function sampleBucket(timestampMs: number, resolutionMs: number): number {
  return Math.ceil(timestampMs / resolutionMs) * resolutionMs - resolutionMs;
}

/**
 * Aggregates sorted samples into left-open buckets of `resolutionMs`. Staleness markers are
 * skipped: those listed in `staleIndices` (ascending indices, as the decoders report them) and
 * any value whose bits still show the marker.
 */
export function computeRollups(
  timestampsMs: ArrayLike<number>,
  values: ArrayLike<number>,
  resolutionMs: number,
  staleIndices: readonly number[] = [],
): RollupColumns {
  // Sorted samples: the buckets are counted first, so the columns get their exact size (a
  // head of 120 samples touches about 7 buckets). Markers may leave some unfilled at the end.
  const out = allocColumns(countBuckets(timestampsMs, resolutionMs));
  const { startsMs, counts, sums, mins, maxs, firsts, firstTimestampsMs, lasts } = out;
  const { lastTimestampsMs, lastPointTimestampsMs, increases } = out;
  let current = Number.NaN;
  let prev = 0;
  let nextStale = 0;
  let b = -1;
  for (let i = 0; i < timestampsMs.length; i++) {
    const ts = timestampsMs[i] as number;
    let v = values[i] as number;
    let stale = false;
    if (staleIndices[nextStale] === i) {
      nextStale++;
      stale = true;
    } else if (v !== v && isStaleMarker(v)) stale = true;
    if (stale) {
      // A marker only moves the last point of a bucket that has samples (see the file comment).
      if (b >= 0 && sampleBucket(ts, resolutionMs) === current) lastPointTimestampsMs[b] = ts;
      continue;
    }
    // Other NaN payloads are not kept in rollups: from typed arrays too, they aggregate as the
    // one NaN a plain array holds.
    if (v !== v) v = Number.NaN;
    const start = sampleBucket(ts, resolutionMs);
    if (start !== current) {
      current = start;
      b++;
      startsMs[b] = start;
      counts[b] = 1;
      sums[b] = v;
      mins[b] = v;
      maxs[b] = v;
      firsts[b] = v;
      firstTimestampsMs[b] = ts;
      lasts[b] = v;
      lastTimestampsMs[b] = ts;
      lastPointTimestampsMs[b] = ts;
      increases[b] = 0;
    } else {
      counts[b] = (counts[b] as number) + 1;
      sums[b] = (sums[b] as number) + v;
      const min = mins[b] as number;
      if (v < min || Number.isNaN(min)) mins[b] = v;
      const max = maxs[b] as number;
      if (v > max || Number.isNaN(max)) maxs[b] = v;
      // Prometheus: last - first, plus the value before each reset; kept as a running total.
      increases[b] = (increases[b] as number) + (v < prev ? v : v - prev);
      lasts[b] = v;
      lastTimestampsMs[b] = ts;
      lastPointTimestampsMs[b] = ts;
    }
    prev = v;
  }
  return sliceColumns(out, 0, b + 1);
}

/** Distinct buckets of `resolutionMs` holding the sorted timestamps (markers included). */
function countBuckets(timestampsMs: ArrayLike<number>, resolutionMs: number): number {
  let buckets = 0;
  let current = Number.NaN;
  for (let i = 0; i < timestampsMs.length; i++) {
    // Samples before `current`'s end share its bucket: most need no division.
    const ts = timestampsMs[i] as number;
    if (!(ts > current && ts <= current + resolutionMs)) {
      current = sampleBucket(ts, resolutionMs);
      buckets++;
    }
  }
  return buckets;
}

/**
 * Merges consecutive buckets into coarser ones of `resolutionMs` (a multiple of the input's
 * resolution, so each input bucket lies in one output bucket), keeping those whose start is in
 * [fromMs, toMs]. Stored 1-hour buckets (rollup-hourly.ts, compaction.ts) are made by this very
 * function, so merging them further gives the bits merging their 5-minute buckets gives.
 * Returns `input` itself when each of its buckets would be one output bucket (as stored 1-hour
 * buckets read at 1 hour are): a merge of one bucket copies it unchanged.
 */
export function coarsenRollups(
  input: RollupColumns,
  resolutionMs: number,
  fromMs: number,
  toMs: number,
): RollupColumns {
  if (oneBucketEach(input.startsMs, resolutionMs, fromMs, toMs)) return input;
  const out = allocColumns(input.startsMs.length);
  const { startsMs, counts, sums, mins, maxs, firsts, firstTimestampsMs, lasts } = out;
  const { lastTimestampsMs, lastPointTimestampsMs, increases } = out;
  let current = Number.NaN;
  let b = -1;
  for (let i = 0; i < input.startsMs.length; i++) {
    const start = bucketStart(input.startsMs[i] as number, resolutionMs);
    if (start < fromMs || start > toMs) continue;
    if (start !== current) {
      current = start;
      b++;
      startsMs[b] = start;
      counts[b] = input.counts[i] as number;
      sums[b] = input.sums[i] as number;
      mins[b] = input.mins[i] as number;
      maxs[b] = input.maxs[i] as number;
      firsts[b] = input.firsts[i] as number;
      firstTimestampsMs[b] = input.firstTimestampsMs[i] as number;
      lasts[b] = input.lasts[i] as number;
      lastTimestampsMs[b] = input.lastTimestampsMs[i] as number;
      lastPointTimestampsMs[b] = input.lastPointTimestampsMs[i] as number;
      increases[b] = input.increases[i] as number;
      continue;
    }
    const first = input.firsts[i] as number;
    const prevLast = lasts[b] as number;
    const jump = first < prevLast ? first : first - prevLast;
    increases[b] = (increases[b] as number) + jump + (input.increases[i] as number);
    counts[b] = (counts[b] as number) + (input.counts[i] as number);
    sums[b] = (sums[b] as number) + (input.sums[i] as number);
    const min = input.mins[i] as number;
    if (min < (mins[b] as number) || Number.isNaN(mins[b])) mins[b] = min;
    const max = input.maxs[i] as number;
    if (max > (maxs[b] as number) || Number.isNaN(maxs[b])) maxs[b] = max;
    lasts[b] = input.lasts[i] as number;
    lastTimestampsMs[b] = input.lastTimestampsMs[i] as number;
    // The last input bucket's last point: unknown (NaN) stays unknown.
    lastPointTimestampsMs[b] = input.lastPointTimestampsMs[i] as number;
  }
  return sliceColumns(out, 0, b + 1);
}

/**
 * Whether every bucket start in `starts` is a multiple of `resolutionMs` within [fromMs, toMs],
 * after the one before: then each is alone in its output bucket.
 */
function oneBucketEach(
  starts: Float64Array,
  resolutionMs: number,
  fromMs: number,
  toMs: number,
): boolean {
  let previous = -Infinity;
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] as number;
    if (start % resolutionMs !== 0 || start <= previous || start < fromMs || start > toMs) {
      return false;
    }
    previous = start;
  }
  return true;
}
