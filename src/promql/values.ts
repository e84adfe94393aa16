/** Values produced while evaluating an expression at one instant. */
import { LlmwatchError } from '../core/errors.js';
import type { Labels } from '../store/types.js';
import { labelsKey, withoutName } from './labels.js';

/**
 * One sample of an instant vector. `dropName` marks a metric name that Prometheus 3 drops only
 * at the end of evaluation (so label_replace can still read it); `timestampMs` is the sample's
 * own time when it came straight from a selector (for timestamp()).
 */
export interface InstantSample {
  labels: Labels;
  value: number;
  dropName?: boolean;
  timestampMs?: number;
}

/** One series of a range vector: its samples inside the selector's window. */
export interface RangeSeries {
  labels: Labels;
  timestampsMs: number[];
  values: number[];
  dropName?: boolean;
}

/** The result of evaluating an expression at one instant. */
export type EvalValue =
  | { type: 'scalar'; value: number }
  | { type: 'string'; value: string }
  | { type: 'vector'; samples: InstantSample[] }
  | { type: 'matrix'; series: RangeSeries[] };

/** Builds an evaluation error (code "promql_eval"). */
export function evalError(message: string): LlmwatchError {
  return new LlmwatchError('promql_eval', message);
}

/**
 * Rejects a vector holding two samples with the same labels, which happens when functions or
 * operators drop the metric name of series that differ only by name.
 */
export function assertUniqueLabels(samples: readonly { labels: Labels }[]): void {
  const seen = new Set<string>();
  for (const sample of samples) {
    const key = labelsKey(sample.labels);
    if (seen.has(key)) {
      throw evalError('vector cannot contain metrics with the same labelset');
    }
    seen.add(key);
  }
}

/** Removes the metric name of samples marked `dropName`, then rejects duplicate label sets. */
export function finishNameDrop(samples: InstantSample[]): InstantSample[] {
  let changed = false;
  const out = samples.map((s) => {
    if (!s.dropName) return s;
    changed = true;
    return { labels: withoutName(s.labels), value: s.value };
  });
  if (changed) assertUniqueLabels(out);
  return out;
}
