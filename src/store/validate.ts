/**
 * Validation of samples against the store's data model. Shared by the store (which rejects a
 * whole batch) and the sample writer (which drops only the bad samples before batching).
 */
import { LlmwatchError } from '../core/errors.js';
import type { Sample } from './types.js';

/** Prometheus label name syntax. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Describes what is wrong with `sample` (found at `samples[index]`), or returns null when it is
 * valid: an object with a string-valued labels record, a non-empty `__name__`, label names
 * matching [a-zA-Z_][a-zA-Z0-9_]*, a safe-integer `timestampMs` and a number `value` (NaN and
 * ±Infinity allowed).
 */
export function describeInvalidSample(sample: unknown, index: number): string | null {
  const at = `samples[${index}]`;
  if (typeof sample !== 'object' || sample === null) return `${at} must be an object`;
  const { labels, timestampMs, value } = sample as Partial<Sample>;

  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    return `${at}.labels must be an object of label name to string value`;
  }
  const name = labels.__name__;
  if (typeof name !== 'string' || name === '') {
    return `${at}.labels.__name__ must be a non-empty metric name, got ${JSON.stringify(name)}`;
  }
  for (const [labelName, labelValue] of Object.entries(labels)) {
    if (!LABEL_NAME.test(labelName)) {
      return `${at}.labels has invalid label name ${JSON.stringify(labelName)}; use letters, digits and _ , not starting with a digit`;
    }
    if (typeof labelValue !== 'string') {
      return `${at}.labels.${labelName} must be a string, got ${typeof labelValue}`;
    }
  }

  if (typeof timestampMs !== 'number' || !Number.isSafeInteger(timestampMs)) {
    return `${at}.timestampMs must be an integer number of Unix milliseconds, got ${String(timestampMs)}`;
  }
  if (typeof value !== 'number') {
    return `${at}.value must be a number, got ${typeof value}`;
  }
  return null;
}

/**
 * Throws LlmwatchError `store_invalid_sample` naming the first invalid sample's index and field;
 * returns normally when every sample is valid.
 */
export function assertValidSamples(samples: readonly unknown[]): void {
  for (let i = 0; i < samples.length; i++) {
    const problem = describeInvalidSample(samples[i], i);
    if (problem !== null) {
      throw new LlmwatchError(
        'store_invalid_sample',
        `store: ${problem}; the whole batch of ${samples.length} samples was rejected`,
      );
    }
  }
}
