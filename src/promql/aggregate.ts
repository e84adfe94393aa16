/**
 * Aggregation operators with `by` / `without` grouping: sum, avg, min, max, count, group,
 * stddev, stdvar, quantile, count_values (one sample per group) and topk, bottomk, limitk
 * (which keep the selected input samples).
 */
import type { Labels } from '../store/types.js';
import type { AggregateNode } from './ast.js';
import { formatSampleValue } from './format.js';
import { labelsKey, memoizeLabels, onlyLabels, withoutLabels } from './labels.js';
import { averageOf, kahanAdd, quantileOf, varianceOf } from './range-functions.js';
import { evalError, type EvalValue, type InstantSample } from './values.js';

interface Group {
  labels: Labels;
  samples: InstantSample[];
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function groupLabels(without: boolean, grouping: readonly string[], labels: Labels): Labels {
  return without ? withoutLabels(labels, ['__name__', ...grouping]) : onlyLabels(labels, grouping);
}

/**
 * Per grouping (`by`/`without` and its labels), the group of each input label set: one shared
 * labels object per distinct group, so a range query finds a sample's group with one lookup per
 * step and the groups' labels stay the same objects from step to step. Keyed by the grouping
 * rather than the query's node, so the next query over the same series (whose label objects
 * the store keeps) finds its groups too. Bounded: a grouping past MAX_GROUPS distinct groups
 * starts over (callers take the function once per step, so a step never mixes two), and past
 * MAX_GROUPINGS groupings all start over.
 */
const groupOfCache = new Map<string, { derive: (labels: Labels) => Labels; groups: number }>();
const MAX_GROUPS = 100_000;
const MAX_GROUPINGS = 1_000;

/** The group labels of each input label set for `node` (shared objects; see groupOfCache). */
export function groupOf(node: AggregateNode): (labels: Labels) => Labels {
  const grouping = `${node.without ? 'without' : 'by'}${JSON.stringify(node.grouping)}`;
  const cached = groupOfCache.get(grouping);
  if (cached !== undefined && cached.groups < MAX_GROUPS) return cached.derive;
  if (groupOfCache.size >= MAX_GROUPINGS) groupOfCache.clear();
  const byKey = new Map<string, Labels>();
  // The cache outlives the query: it keeps the grouping, not the node.
  const { without } = node;
  const names = [...node.grouping];
  // With `by`, the grouping labels' values identify the group (an empty value counts as absent,
  // as in Prometheus): cheaper than building a group object and its key for every label set.
  const sortedNames = without ? null : [...names].sort();
  const entry = {
    groups: 0,
    derive: memoizeLabels((labels) => {
      const key =
        sortedNames === null
          ? labelsKey(groupLabels(without, names, labels))
          : JSON.stringify(sortedNames.map((name) => labels[name] || null));
      const shared = byKey.get(key);
      if (shared !== undefined) return shared;
      const group = groupLabels(without, names, labels);
      byKey.set(key, group);
      entry.groups = byKey.size;
      return group;
    }),
  };
  groupOfCache.set(grouping, entry);
  return entry.derive;
}

function groupSamples(node: AggregateNode, samples: readonly InstantSample[]): Map<Labels, Group> {
  const groups = new Map<Labels, Group>();
  const labelsOf = groupOf(node);
  for (const sample of samples) {
    const labels = labelsOf(sample.labels);
    let group = groups.get(labels);
    if (!group) {
      group = { labels, samples: [] };
      groups.set(labels, group);
    }
    group.samples.push(sample);
  }
  return groups;
}

function paramNumber(param: EvalValue | undefined, what: string): number {
  if (param?.type !== 'scalar') throw evalError(`${what} needs a scalar parameter`);
  return param.value;
}

/**
 * Aggregates `samples`; `param` is the evaluated first argument of the parametric operators.
 * Groups come out in order of first appearance; topk/bottomk results are sorted by value.
 * Throws LlmwatchError "promql_eval" for a NaN k or an invalid count_values label name.
 */
export function aggregate(
  node: AggregateNode,
  samples: readonly InstantSample[],
  param: EvalValue | undefined,
): InstantSample[] {
  switch (node.op) {
    case 'topk':
    case 'bottomk':
    case 'limitk':
      return selectK(node, samples, paramNumber(param, node.op));
    case 'count_values':
      return countValues(node, samples, param?.type === 'string' ? param.value : '');
    default:
      break;
  }
  const phi = node.op === 'quantile' ? paramNumber(param, 'quantile') : 0;
  const out: InstantSample[] = [];
  for (const group of groupSamples(node, samples).values()) {
    const values = group.samples.map((s) => s.value);
    const first = group.samples[0] as InstantSample;
    const sample: InstantSample = { labels: group.labels, value: reduce(node.op, values, phi) };
    // A by(__name__) group keeps a name that is still due to be dropped (as Prometheus 3 does).
    if (first.dropName && '__name__' in group.labels) sample.dropName = true;
    out.push(sample);
  }
  return out;
}

function reduce(op: AggregateNode['op'], values: number[], phi: number): number {
  switch (op) {
    case 'sum': {
      const state = { sum: 0, c: 0 };
      for (const v of values) kahanAdd(state, v);
      return Number.isFinite(state.sum) ? state.sum + state.c : state.sum;
    }
    case 'avg':
      return averageOf(values);
    case 'count':
      return values.length;
    case 'group':
      return 1;
    case 'max':
      return values.reduce((max, v) => (v > max || Number.isNaN(max) ? v : max));
    case 'min':
      return values.reduce((min, v) => (v < min || Number.isNaN(min) ? v : min));
    case 'stdvar':
      return varianceOf(values);
    case 'stddev':
      return Math.sqrt(varianceOf(values));
    case 'quantile':
      return quantileOf(phi, values) as number;
    default:
      throw evalError(`aggregation ${op} has no reducer`);
  }
}

/** topk / bottomk (NaN ranks last) and limitk (first k in input order) per group. */
function selectK(
  node: AggregateNode,
  samples: readonly InstantSample[],
  k: number,
): InstantSample[] {
  if (Number.isNaN(k)) throw evalError('Parameter value is NaN');
  const limit = k >= Number.MAX_SAFE_INTEGER ? Infinity : Math.trunc(k);
  if (limit < 1) return [];
  const out: InstantSample[] = [];
  const descending = node.op === 'topk';
  for (const group of groupSamples(node, samples).values()) {
    if (node.op === 'limitk') {
      out.push(...group.samples.slice(0, limit));
      continue;
    }
    const ranked = [...group.samples].sort((a, b) => {
      if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
      if (Number.isNaN(b.value)) return -1;
      return descending ? b.value - a.value : a.value - b.value;
    });
    out.push(...ranked.slice(0, limit));
  }
  return out;
}

/** count_values("label", v): per group, how many samples have each value. */
function countValues(
  node: AggregateNode,
  samples: readonly InstantSample[],
  label: string,
): InstantSample[] {
  if (!LABEL_NAME_RE.test(label)) throw evalError(`invalid label name ${JSON.stringify(label)}`);
  const counts = new Map<string, InstantSample>();
  for (const sample of samples) {
    const labels = {
      ...groupLabels(node.without, node.grouping, sample.labels),
      [label]: formatSampleValue(sample.value),
    };
    const key = labelsKey(labels);
    const entry = counts.get(key);
    if (entry) entry.value++;
    else counts.set(key, { labels, value: 1 });
  }
  return [...counts.values()];
}
