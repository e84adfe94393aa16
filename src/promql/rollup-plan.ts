/**
 * When a selector is answered from the store's rollups instead of raw samples.
 *
 * The rule. A matrix selector `f(sel[range])` is read from rollups of resolution R (1h, else 5m)
 * when ALL of these hold:
 * 1. `f` is max/min/sum/count/avg_over_time, increase, rate or delta, the selector is not inside
 *    a subquery, and the store offers selectRollups (and rollups are not turned off);
 * 2. every window `(t - offset - range, t - offset]` the query evaluates starts and ends on an R
 *    boundary: `range` is a multiple of R, and `t - offset` is (for every step: the first step is
 *    aligned and the step is a multiple of R; with `@` the pinned time is aligned);
 * 3. the span read, from the first window's start to the last window's end, is at least
 *    `minSpanMs` (default 2 h: at a 15 s scrape interval, 480 raw samples per series or more);
 * 4. after reading (checked by `rollupsExact`): the columns the function reads are finite (NaN
 *    or ±Inf inside a counter, or an overflowing sum, is handled differently sample by sample).
 *    Otherwise the selector is read raw.
 * Buckets are left-open, `(s, s + R]`, like the windows, so under rules 2 and 4 a window is
 * exactly a union of whole buckets whatever the sample timestamps (clock-aligned scrapes put a
 * sample on every boundary; it belongs to the bucket, and the window, ending there).
 * Under this rule the rollup path gives exactly the raw answer for count, min, max and delta, and
 * for sum, avg, increase and rate exactly for integer-valued samples (below 2^53); for other
 * values it differs only by float rounding, relative error at most (samples per bucket) × 2^-52
 * of the sum of |values| (the store adds a bucket's samples one by one; the engine compensates).
 *
 * A plain instant vector selector `sel` (not under a matrix selector or a subquery) is read
 * from rollups of resolution R (1h, else 5m) when ALL of these hold:
 * 1. the query is a range query (step > 0) and the store offers selectRollups (rollups on);
 * 2. every evaluation time `t - offset` is on an R boundary (the first step aligned and the
 *    step a multiple of R; with `@` the pinned time aligned);
 * 3. the lookback delta is at most 5 minutes (the stored bucket width), so the lookback window
 *    `(t - offset - lookback, t - offset]` lies within the last 5-minute bucket of the bucket
 *    ending at `t - offset` (store/rollup.ts explains why that bucket's last sample and last
 *    point, staleness markers included, then answer exactly);
 * 4. the span from the first lookback window's start to the last one's end is at least
 *    `minSpanMs`;
 * 5. when reading: every matched series keeps stored rollups of R for the range (the store is
 *    asked with `storedOnly`: series that keep 1-hour rollups only, full-precision floats and
 *    series with plain NaN, have no stored 5-minute buckets, and computing them from raw
 *    samples costs more than evaluating those samples), and (checked by `lookbackColumns` in
 *    rollup-lookback.ts) every bucket that would give a sample knows its last point (blocks
 *    written before schema version 8 do not). Otherwise the selector is read raw.
 * The buckets become sparse raw columns, one sample per evaluation time at most (the bucket's
 * last sample, left out when a staleness marker followed it or it is lookback-old), so the
 * evaluator and timestamp() see exactly what raw samples give: the same points, bit for bit.
 */
import type { RollupColumnName, RollupSeriesData } from '../store/types.js';
import type { AtModifier, ExprNode, VectorSelectorNode } from './ast.js';

/** Functions the rollup path answers. */
export const ROLLUP_FUNCTIONS: ReadonlySet<string> = new Set([
  'max_over_time',
  'min_over_time',
  'sum_over_time',
  'count_over_time',
  'avg_over_time',
  'increase',
  'rate',
  'delta',
]);

const CHANGE_COLUMNS: readonly RollupColumnName[] = [
  'counts',
  'firsts',
  'lasts',
  'firstTimestampsMs',
  'lastTimestampsMs',
  'increases',
];

/** The bucket columns each rollup function reads (the store may skip decoding the others). */
export const ROLLUP_COLUMNS: Readonly<Record<string, readonly RollupColumnName[]>> = {
  max_over_time: ['maxs'],
  min_over_time: ['mins'],
  sum_over_time: ['sums'],
  count_over_time: ['counts'],
  avg_over_time: ['sums', 'counts'],
  increase: CHANGE_COLUMNS,
  rate: CHANGE_COLUMNS,
  delta: CHANGE_COLUMNS,
};

/** The `func` of a RollupRead for a plain instant vector selector (lookback reads). */
export const LOOKBACK_READ = 'lookback';

/** The bucket columns a lookback read uses (see rollup-lookback.ts). */
export const LOOKBACK_COLUMNS: readonly RollupColumnName[] = [
  'lastTimestampsMs',
  'lastPointTimestampsMs',
  'lasts',
];

/** Longest lookback delta answered from rollups, ms (the stored bucket width, 5 minutes). */
export const MAX_ROLLUP_LOOKBACK_MS = 300_000;

/** Rollup resolutions tried, coarsest first, ms (1 hour, 5 minutes). */
export const ROLLUP_RESOLUTIONS_MS: readonly number[] = [3_600_000, 300_000];

/** Default shortest span (first window start to last window end) read from rollups, ms (2 h). */
export const DEFAULT_ROLLUP_MIN_SPAN_MS = 7_200_000;

/** Engine settings of the rollup path. */
export interface RollupSettings {
  /** False turns the rollup path off (every selector is read raw). */
  enabled: boolean;
  /** Shortest span read from rollups, ms (rule 3). */
  minSpanMs: number;
}

/** The evaluation times of a query: start, end and step in ms (step 0 for an instant query). */
export interface QueryTimes {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/** A selector to read from rollups: the function and the bucket range to read. */
export interface RollupRead {
  /** The range function, or LOOKBACK_READ for a plain instant vector selector. */
  func: string;
  resolutionMs: number;
  /** First bucket start to read (the first window's start), ms. */
  fromMs: number;
  /** Last bucket start to read (one resolution before the last window's end). */
  toMs: number;
  /** The selector's range, ms (a multiple of resolutionMs; resolutionMs for lookback reads). */
  rangeMs: number;
  /**
   * Lookback reads: the time between evaluation times, ms (0 for one time): the buckets ending
   * at fromMs + resolutionMs + k * stepMs up to toMs + resolutionMs are the ones used.
   */
  stepMs?: number;
}

function mod(value: number, by: number): number {
  return ((value % by) + by) % by;
}

function pinnedMs(at: AtModifier, times: QueryTimes): number | null {
  if (at === null) return null;
  if (at.kind === 'time') return at.ms;
  return at.kind === 'start' ? times.startMs : times.endMs;
}

/** The first and last evaluation time of `sel`, offset applied, ms. */
function referenceTimes(sel: VectorSelectorNode, times: QueryTimes): [number, number] {
  const pinned = pinnedMs(sel.at, times);
  const lastStepMs =
    times.stepMs > 0
      ? times.startMs + Math.floor((times.endMs - times.startMs) / times.stepMs) * times.stepMs
      : times.startMs;
  return [(pinned ?? times.startMs) - sel.offsetMs, (pinned ?? lastStepMs) - sel.offsetMs];
}

/** The read for one candidate selector, or null when rules 2-3 fail. */
function planSelector(
  func: string,
  sel: VectorSelectorNode,
  rangeMs: number,
  times: QueryTimes,
  settings: RollupSettings,
): RollupRead | null {
  const [firstRef, lastRef] = referenceTimes(sel, times);
  if (lastRef - firstRef + rangeMs < settings.minSpanMs) return null;
  for (const resolutionMs of ROLLUP_RESOLUTIONS_MS) {
    if (rangeMs % resolutionMs !== 0 || mod(firstRef, resolutionMs) !== 0) continue;
    if (lastRef !== firstRef && times.stepMs % resolutionMs !== 0) continue;
    const toMs = lastRef - resolutionMs;
    return { func, resolutionMs, fromMs: firstRef - rangeMs, toMs, rangeMs };
  }
  return null;
}

/**
 * The lookback read of a plain instant vector selector, or null when rules 1-4 of the instant
 * selector rule fail.
 */
function planLookback(
  sel: VectorSelectorNode,
  times: QueryTimes,
  settings: RollupSettings,
  lookbackDeltaMs: number,
): RollupRead | null {
  if (times.stepMs <= 0 || lookbackDeltaMs > MAX_ROLLUP_LOOKBACK_MS) return null;
  const [firstRef, lastRef] = referenceTimes(sel, times);
  if (lastRef - firstRef + lookbackDeltaMs < settings.minSpanMs) return null;
  for (const resolutionMs of ROLLUP_RESOLUTIONS_MS) {
    if (mod(firstRef, resolutionMs) !== 0) continue;
    if (lastRef !== firstRef && times.stepMs % resolutionMs !== 0) continue;
    const fromMs = firstRef - resolutionMs;
    const toMs = lastRef - resolutionMs;
    const stepMs = lastRef === firstRef ? 0 : times.stepMs;
    return { func: LOOKBACK_READ, resolutionMs, fromMs, toMs, rangeMs: resolutionMs, stepMs };
  }
  return null;
}

/**
 * Finds the selectors that the rules above (before reading) allow to read from rollups.
 * `lookbackDeltaMs`: the engine's lookback delta (instant selectors are planned only when it is
 * at most 5 minutes; default 5 minutes).
 */
export function planRollups(
  expr: ExprNode,
  times: QueryTimes,
  settings: RollupSettings,
  lookbackDeltaMs: number = MAX_ROLLUP_LOOKBACK_MS,
): Map<VectorSelectorNode, RollupRead> {
  const out = new Map<VectorSelectorNode, RollupRead>();
  if (!settings.enabled) return out;
  const walk = (node: ExprNode): void => {
    switch (node.kind) {
      case 'vectorSelector': {
        const read = planLookback(node, times, settings, lookbackDeltaMs);
        if (read !== null) out.set(node, read);
        return;
      }
      case 'call': {
        const arg = node.args[0];
        if (ROLLUP_FUNCTIONS.has(node.func) && arg?.kind === 'matrixSelector') {
          const read = planSelector(node.func, arg.selector, arg.rangeMs, times, settings);
          if (read !== null) out.set(arg.selector, read);
          return;
        }
        node.args.forEach(walk);
        return;
      }
      case 'negate':
        walk(node.expr);
        return;
      case 'aggregate':
        if (node.param) walk(node.param);
        walk(node.expr);
        return;
      case 'binary':
        walk(node.lhs);
        walk(node.rhs);
        return;
      default:
        // Subqueries evaluate at their own steps: never planned (rule 1). Matrix selectors
        // outside the functions above are read raw.
        return;
    }
  };
  walk(expr);
  return out;
}

/** True when every value of every column is finite (indexed loops: no iterator per column). */
function allFinite(...columns: Float64Array[]): boolean {
  for (const column of columns) {
    for (let i = 0; i < column.length; i++) {
      // x - x is 0 for a finite x, NaN for NaN and ±Inf.
      const v = column[i] as number;
      if (v - v !== 0) return false;
    }
  }
  return true;
}

/** Rule 4: true when the rollups read for `func` answer it like raw samples would. */
export function rollupsExact(func: string, series: readonly RollupSeriesData[]): boolean {
  for (const s of series) {
    if (func === 'increase' || func === 'rate') {
      if (!allFinite(s.firsts, s.lasts, s.increases)) return false;
    } else if (func === 'sum_over_time' || func === 'avg_over_time') {
      if (!allFinite(s.sums)) return false;
    }
  }
  return true;
}
