/** Values produced while evaluating an expression at one instant. */
import { LlmwatchError } from '../core/errors.js';
import type { Labels } from '../store/types.js';
import { labelsKey } from './labels.js';

/** One sample of an instant vector. */
export interface InstantSample {
  labels: Labels;
  value: number;
}

/** One series of a range vector: its samples inside the selector's window. */
export interface RangeSeries {
  labels: Labels;
  timestampsMs: number[];
  values: number[];
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
export function assertUniqueLabels(samples: readonly InstantSample[]): void {
  const seen = new Set<string>();
  for (const sample of samples) {
    const key = labelsKey(sample.labels);
    if (seen.has(key)) {
      throw evalError(
        `vector cannot contain metrics with the same labelset ${key}; ` +
          'aggregate or filter the input so that series stay distinct once the metric name is dropped',
      );
    }
    seen.add(key);
  }
}
