/**
 * Whole-range evaluation of the dashboards' common shape, `sum by (...) (rate(sel[r]))` (and
 * increase/delta, with or without the sum), for range queries. A range query evaluates its
 * expression step by step; for these nodes the first step computes every step at once and the
 * others read the result:
 * - rate/increase/delta of a raw selector: one window per series sliding across all steps (two
 *   indices moving forward instead of two binary searches per step), into a value column and a
 *   presence column per series;
 * - any call answered from rollups (rollup-steps.ts: the same columns, from buckets);
 * - sum of either: per step, the groups' Kahan sums over the present series in input order,
 *   exactly as aggregate.ts adds them, so results are identical to step-by-step evaluation.
 * A time that is not one of the query's steps (a subquery's inner step) takes the step-by-step
 * path, as does an instant query.
 */
import type { Labels, SeriesColumns } from '../store/types.js';
import type { AggregateNode, CallNode, ExprNode, MatrixSelectorNode } from './ast.js';
import { groupOf } from './aggregate.js';
import { rangeWindow, type EvalContext } from './eval.js';
import { EXTRAPOLATED, extrapolatedAt, unusualBefore } from './range-call.js';
import { extrapolateIncrease, type Window } from './range-functions.js';
import { rollupStepColumns, type StepColumns } from './rollup-steps.js';
import { selectorColumns } from './selector-steps.js';
import type { InstantSample } from './values.js';

/** The steps of a range query: evaluation times in order, and each time's index. */
export interface RangeSteps {
  timesMs: number[];
  indexOf: Map<number, number>;
  /** Results computed for the whole range, per node (see rateColumns and sumAtStep). */
  cache: Map<ExprNode, unknown>;
}

/** The steps of a range query from startMs to endMs (inclusive) every stepMs, as it runs them. */
export function rangeSteps(startMs: number, endMs: number, stepMs: number): RangeSteps {
  const timesMs: number[] = [];
  const indexOf = new Map<number, number>();
  for (let t = startMs; t <= endMs; t += stepMs) {
    indexOf.set(t, timesMs.length);
    timesMs.push(t);
  }
  return { timesMs, indexOf, cache: new Map() };
}

/** The rate/increase/delta call over a raw selector, or undefined for any other node. */
function rawRateCall(node: ExprNode, ctx: EvalContext): MatrixSelectorNode | undefined {
  if (node.kind !== 'call' || EXTRAPOLATED[node.func] === undefined) return undefined;
  const arg = node.args[0];
  if (arg?.kind !== 'matrixSelector') return undefined;
  if (ctx.rollups?.has(arg.selector) === true) return undefined;
  return arg;
}

/**
 * The whole-range columns of `node` when it is a call the range can compute at once (raw
 * rate/increase/delta, or any call answered from rollups), else undefined. Computed at the
 * first step and cached for the others.
 */
function stepColumnsOf(node: ExprNode, ctx: EvalContext): StepColumns | undefined {
  // The cache also holds aggregates' results (aggregateAtStep): look up only these kinds.
  if (node.kind !== 'vectorSelector' && node.kind !== 'call') return undefined;
  const steps = ctx.steps as RangeSteps;
  const cached = steps.cache.get(node) as StepColumns | undefined;
  if (cached !== undefined) return cached;
  if (node.kind === 'vectorSelector') {
    const selected = selectorColumns(node, ctx);
    if (selected !== undefined) steps.cache.set(node, selected);
    return selected;
  }
  const arg = node.args[0];
  if (arg?.kind !== 'matrixSelector') return undefined;
  const rollups = ctx.rollups?.get(arg.selector);
  let columns: StepColumns;
  if (rollups !== undefined) {
    const windows = steps.timesMs.map((t) => rangeWindow(arg, t, ctx));
    columns = rollupStepColumns(node.func, rollups, windows, ctx.checkDeadline);
  } else if (rawRateCall(node, ctx) !== undefined) {
    columns = rateColumns(node, arg, ctx);
  } else {
    return undefined;
  }
  steps.cache.set(node, columns);
  return columns;
}

/** rate/increase/delta of a raw selector at every step (see the file comment). */
function rateColumns(node: CallNode, arg: MatrixSelectorNode, ctx: EvalContext): StepColumns {
  const steps = ctx.steps as RangeSteps;
  const [isCounter, isRate] = EXTRAPOLATED[node.func] as [boolean, boolean];
  const series = ctx.fetched.get(arg.selector) ?? [];
  const unusualOf = unusualBefore(series);
  const n = steps.timesMs.length;
  const windows = steps.timesMs.map((t) => rangeWindow(arg, t, ctx));
  const starts = Float64Array.from(windows, (w) => w.startMs);
  const ends = Float64Array.from(windows, (w) => w.endMs);
  // One allocation for all series (a view each), not two per series.
  const allValues = new Float64Array(n * series.length);
  const allPresent = new Uint8Array(n * series.length);
  const columns: StepColumns = { labels: series.map((s) => s.labels), values: [], present: [] };
  for (let s = 0; s < series.length; s++) {
    ctx.checkDeadline?.();
    const one = series[s] as SeriesColumns;
    const ts = one.timestampsMs;
    const vs = one.values;
    const unusual = unusualOf[s] as Int32Array;
    const length = ts.length;
    const values = allValues.subarray(s * n, (s + 1) * n);
    const present = allPresent.subarray(s * n, (s + 1) * n);
    // Windows (startMs, endMs] only move forward with the step: so do their first and end index.
    let from = 0;
    let to = 0;
    for (let k = 0; k < n; k++) {
      const startMs = starts[k] as number;
      const endMs = ends[k] as number;
      while (from < length && (ts[from] as number) <= startMs) from++;
      if (to < from) to = from;
      while (to < length && (ts[to] as number) <= endMs) to++;
      if (to - from < 2) continue;
      const window = windows[k] as Window;
      let value: number | undefined;
      if (unusual[to] === unusual[from]) {
        // No NaN and no drop inside: extrapolatedRateOf without its reset loop, inlined.
        const first = vs[from] as number;
        const last = vs[to - 1] as number;
        const firstMs = ts[from] as number;
        const lastMs = ts[to - 1] as number;
        const count = to - from;
        value = extrapolateIncrease(
          last - first,
          count,
          first,
          firstMs,
          lastMs,
          window,
          isCounter,
          isRate,
        );
      } else {
        value = extrapolatedAt(one, unusual, from, to, window, isCounter, isRate);
        if (value === undefined) continue;
      }
      values[k] = value;
      present[k] = 1;
    }
    columns.values.push(values);
    columns.present.push(present);
  }
  return columns;
}

/**
 * A call at `timeMs` from the whole-range columns (raw rate/increase/delta, or any call answered
 * from rollups), or undefined when it is not such a call or `timeMs` is not a step of the range
 * query (or there is none).
 */
export function callAtStep(
  node: CallNode,
  timeMs: number,
  ctx: EvalContext,
): InstantSample[] | undefined {
  const k = ctx.steps?.indexOf.get(timeMs);
  if (k === undefined) return undefined;
  const columns = stepColumnsOf(node, ctx);
  if (columns === undefined) return undefined;
  const { labels, values, present } = columns;
  const out: InstantSample[] = [];
  for (let s = 0; s < labels.length; s++) {
    if ((present[s] as Uint8Array)[k] !== 1) continue;
    const value = (values[s] as Float64Array)[k] as number;
    out.push({ labels: labels[s] as Labels, value, dropName: true });
  }
  return out;
}

/**
 * `sum|max|min [by|without (...)] (x)` at `timeMs` from whole-range results, `x` a call of
 * callAtStep's kinds or a raw instant selector (selector-steps.ts), or undefined when the node
 * is not of that shape or `timeMs` is not a step of the range query.
 */
export function aggregateAtStep(
  node: AggregateNode,
  timeMs: number,
  ctx: EvalContext,
): InstantSample[] | undefined {
  if (node.param !== null || !(node.op === 'sum' || node.op === 'max' || node.op === 'min')) {
    return undefined;
  }
  const k = ctx.steps?.indexOf.get(timeMs);
  if (k === undefined) return undefined;
  const steps = ctx.steps as RangeSteps;
  let sums = steps.cache.get(node) as StepSums | undefined;
  if (sums === undefined) {
    const columns = stepColumnsOf(node.expr, ctx);
    if (columns === undefined) return undefined;
    const n = steps.timesMs.length;
    sums = node.op === 'sum' ? sumColumns(node, columns, n) : extremeColumns(node, columns, n);
    steps.cache.set(node, sums);
  }
  // A call's samples drop their name: a by(__name__) group keeps it, still to drop. A
  // selector's samples keep theirs.
  const dropsName = node.expr.kind === 'call';
  // The step's samples are built when asked: short-lived objects instead of every step's held
  // for the whole query.
  const groupIds = sums.groupIds[k] as Int32Array;
  const values = sums.values[k] as Float64Array;
  const out: InstantSample[] = [];
  for (let i = 0; i < groupIds.length; i++) {
    const labels = sums.groups[groupIds[i] as number] as Labels;
    const sample: InstantSample = { labels, value: values[i] as number };
    if (dropsName && '__name__' in labels) sample.dropName = true;
    out.push(sample);
  }
  return out;
}

/** Per step, the groups present (in order of first appearance) and their aggregates. */
interface StepSums {
  groups: Labels[];
  groupIds: Int32Array[];
  values: Float64Array[];
}

/** Sums held at once by sumColumns (groups × steps of a tile). */
const TILE_SUMS = 1 << 16;

/** Every step's groups and sums, groups in order of first appearance (as aggregate.ts). */
function sumColumns(node: AggregateNode, columns: StepColumns, n: number): StepSums {
  const { groups, groupOfSeries } = groupsOf(node, columns);
  // Per group and step, a Kahan-Neumaier sum and its compensation, added exactly as kahanAdd
  // does. Series are walked in input order and, inside each, the steps of a tile of steps: every
  // (group, step) sum still gets its terms in input order, and each series' columns are read
  // in sequence rather than one value per series and step. Tiles bound the sums held at once.
  const groupCount = groups.length;
  const tile = Math.max(1, Math.min(n, Math.floor(TILE_SUMS / Math.max(1, groupCount))));
  const sums = new Float64Array(groupCount * tile);
  const cs = new Float64Array(groupCount * tile);
  const touched = new Uint8Array(groupCount * tile);
  const result: StepSums = { groups, groupIds: [], values: [] };
  for (let k0 = 0; k0 < n; k0 += tile) {
    const width = Math.min(tile, n - k0);
    // Groups of each step of the tile, in order of their first present series.
    const orders: number[][] = Array.from({ length: width }, () => []);
    touched.fill(0);
    for (let s = 0; s < columns.labels.length; s++) {
      const present = columns.present[s] as Uint8Array;
      const values = columns.values[s] as Float64Array;
      const g = groupOfSeries[s] as number;
      const base = g * tile - k0;
      for (let k = k0; k < k0 + width; k++) {
        if (present[k] !== 1) continue;
        const at = base + k;
        const inc = values[k] as number;
        if (touched[at] === 0) {
          touched[at] = 1;
          sums[at] = 0;
          cs[at] = 0;
          (orders[k - k0] as number[]).push(g);
        }
        const sum = sums[at] as number;
        const t = sum + inc;
        if (!Number.isFinite(t)) cs[at] = 0;
        else if (Math.abs(sum) >= Math.abs(inc)) cs[at] = (cs[at] as number) + (sum - t + inc);
        else cs[at] = (cs[at] as number) + (inc - t + sum);
        sums[at] = t;
      }
    }
    for (let k = k0; k < k0 + width; k++) {
      const order = orders[k - k0] as number[];
      const values = new Float64Array(order.length);
      order.forEach((g, i) => {
        const at = g * tile + k - k0;
        const sum = sums[at] as number;
        values[i] = Number.isFinite(sum) ? sum + (cs[at] as number) : sum;
      });
      result.groupIds.push(Int32Array.from(order));
      result.values.push(values);
    }
  }
  return result;
}

/** The groups of `node` (in order of first appearance) and the group of each series. */
function groupsOf(
  node: AggregateNode,
  columns: StepColumns,
): { groups: Labels[]; groupOfSeries: number[] } {
  const labelsOf = groupOf(node);
  const groups: Labels[] = [];
  const groupIndex = new Map<Labels, number>();
  const groupOfSeries = columns.labels.map((seriesLabels) => {
    const labels = labelsOf(seriesLabels);
    let g = groupIndex.get(labels);
    if (g === undefined) {
      g = groups.length;
      groups.push(labels);
      groupIndex.set(labels, g);
    }
    return g;
  });
  return { groups, groupOfSeries };
}

/**
 * Every step's groups and maxima (or minima), groups in order of first appearance: per group
 * and step, the present series' values folded in input order exactly as aggregate.ts reduces
 * them (a NaN is replaced by any later value; a later NaN never replaces a number).
 */
function extremeColumns(node: AggregateNode, columns: StepColumns, n: number): StepSums {
  const { groups, groupOfSeries } = groupsOf(node, columns);
  const isMax = node.op === 'max';
  const groupCount = groups.length;
  // Tiles of steps bound what is held at once, as in sumColumns.
  const tile = Math.max(1, Math.min(n, Math.floor(TILE_SUMS / Math.max(1, groupCount))));
  const best = new Float64Array(groupCount * tile);
  const touched = new Uint8Array(groupCount * tile);
  const result: StepSums = { groups, groupIds: [], values: [] };
  for (let k0 = 0; k0 < n; k0 += tile) {
    const width = Math.min(tile, n - k0);
    const orders: number[][] = Array.from({ length: width }, () => []);
    touched.fill(0);
    for (let s = 0; s < columns.labels.length; s++) {
      const present = columns.present[s] as Uint8Array;
      const values = columns.values[s] as Float64Array;
      const g = groupOfSeries[s] as number;
      const base = g * tile - k0;
      for (let k = k0; k < k0 + width; k++) {
        if (present[k] !== 1) continue;
        const at = base + k;
        const v = values[k] as number;
        if (touched[at] === 0) {
          touched[at] = 1;
          best[at] = v;
          (orders[k - k0] as number[]).push(g);
          continue;
        }
        const current = best[at] as number;
        if ((isMax ? v > current : v < current) || current !== current) best[at] = v;
      }
    }
    for (let k = k0; k < k0 + width; k++) {
      // Plain loops: TypedArray.from with a mapping function is several times slower.
      const order = orders[k - k0] as number[];
      const groupIds = new Int32Array(order.length);
      const values = new Float64Array(order.length);
      for (let i = 0; i < order.length; i++) {
        const g = order[i] as number;
        groupIds[i] = g;
        values[i] = best[g * tile + k - k0] as number;
      }
      result.groupIds.push(groupIds);
      result.values.push(values);
    }
  }
  return result;
}
