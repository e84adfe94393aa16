/**
 * Whole-range evaluation of a raw instant vector selector for range queries: the sample each
 * series gives at every step, found by one index moving forward through the series instead of
 * a binary search per step, into a value and a presence column per series (range-steps.ts
 * aggregates those without making a sample object per series and step). The same rule as
 * eval.ts's step-by-step selection: the latest sample at or before the step, not older than the
 * lookback delta (left-open), and none when that sample is a staleness marker.
 */
import type { SeriesColumns } from '../store/types.js';
import type { VectorSelectorNode } from './ast.js';
import { isStaleSample, type EvalContext } from './eval.js';
import type { RangeSteps } from './range-steps.js';
import type { StepColumns } from './rollup-steps.js';

/**
 * Most series × steps held as columns (9 bytes each); larger selections are evaluated step by
 * step, which holds one step's samples at a time.
 */
const MAX_CELLS = 1 << 23;

/**
 * The samples of `node` at every step of the range query, or undefined when it is not read raw
 * (answered from rollups) or is pinned with `@` (the same instant at every step).
 */
export function selectorColumns(
  node: VectorSelectorNode,
  ctx: EvalContext,
): StepColumns | undefined {
  if (node.at !== null || ctx.rollups?.has(node) === true) return undefined;
  const series = ctx.fetched.get(node);
  if (series === undefined) return undefined;
  const steps = ctx.steps as RangeSteps;
  const n = steps.timesMs.length;
  if (n * series.length > MAX_CELLS) return undefined;
  const lookbackMs = ctx.settings.lookbackDeltaMs;
  // One allocation for all series (a view each), not two per series.
  const allValues = new Float64Array(n * series.length);
  const allPresent = new Uint8Array(n * series.length);
  const columns: StepColumns = { labels: series.map((s) => s.labels), values: [], present: [] };
  for (let s = 0; s < series.length; s++) {
    ctx.checkDeadline?.();
    const one = series[s] as SeriesColumns;
    const values = allValues.subarray(s * n, (s + 1) * n);
    const present = allPresent.subarray(s * n, (s + 1) * n);
    fillSeries(one, steps.timesMs, node.offsetMs, lookbackMs, values, present);
    columns.values.push(values);
    columns.present.push(present);
  }
  return columns;
}

/** One series' sample at each step (see the file comment). */
function fillSeries(
  series: SeriesColumns,
  timesMs: readonly number[],
  offsetMs: number,
  lookbackMs: number,
  values: Float64Array,
  present: Uint8Array,
): void {
  const ts = series.timestampsMs;
  const length = ts.length;
  // `after`: index of the first sample after the step's reference time; it only moves forward.
  let after = 0;
  for (let k = 0; k < timesMs.length; k++) {
    const refMs = (timesMs[k] as number) - offsetMs;
    while (after < length && (ts[after] as number) <= refMs) after++;
    const index = after - 1;
    if (index < 0) continue;
    // The lookback window is left-open: a sample exactly lookbackMs old is not used.
    if ((ts[index] as number) <= refMs - lookbackMs) continue;
    const value = series.values[index] as number;
    if (isStaleSample(series, index, value)) continue;
    values[k] = value;
    present[k] = 1;
  }
}
