/** Aggregation operators sum, avg, max, min and count with `by` / `without` grouping. */
import type { AggregateNode } from './ast.js';
import { labelsKey, onlyLabels, withoutLabels } from './labels.js';
import { averageOf, kahanAdd } from './range-functions.js';
import type { InstantSample } from './values.js';

/**
 * Aggregates `samples` into one sample per group. `by` keeps only the listed labels; `without`
 * drops the listed labels and the metric name. Groups come out in order of first appearance.
 */
export function aggregate(node: AggregateNode, samples: readonly InstantSample[]): InstantSample[] {
  const groups = new Map<string, { labels: InstantSample['labels']; values: number[] }>();
  for (const sample of samples) {
    const labels = node.without
      ? withoutLabels(sample.labels, ['__name__', ...node.grouping])
      : onlyLabels(sample.labels, node.grouping);
    const key = labelsKey(labels);
    let group = groups.get(key);
    if (!group) {
      group = { labels, values: [] };
      groups.set(key, group);
    }
    group.values.push(sample.value);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: reduce(node.op, g.values) }));
}

function reduce(op: AggregateNode['op'], values: number[]): number {
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
    case 'max':
      return values.reduce((max, v) => (v > max || Number.isNaN(max) ? v : max));
    case 'min':
      return values.reduce((min, v) => (v < min || Number.isNaN(min) ? v : min));
  }
}
