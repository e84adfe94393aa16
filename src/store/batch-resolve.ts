/**
 * The first step of append(): checking every sample of a batch and turning its label sets into
 * series ids, before anything is written. Label sets seen since opening come from the series
 * cache (series-cache.ts), others from the label index in SQLite; label sets the store has never
 * seen get negative ids (-1 for the first new series, -2 for the next), which the batch writer
 * (batch-writer.ts) replaces once it has inserted them.
 */
import { LlmwatchError } from '../core/errors.js';
import type { NewSeries } from './batch-writer.js';
import { canonicalLabelsKey } from './labels.js';
import type { SeriesCache } from './series-cache.js';
import type { Statements } from './statements.js';
import type { Labels, Sample } from './types.js';
import { describeInvalidSample } from './validate.js';

/** A new series of a batch, with every label object of the batch that named it. */
export interface NewBatchSeries extends NewSeries {
  seen: Labels[];
}

/** A checked batch as columns: series ids (negative for new series), timestamps, values. */
export interface ResolvedBatch {
  ids: Float64Array;
  ts: Float64Array;
  values: Float64Array;
  newSeries: NewBatchSeries[];
}

/**
 * Checks `samples` and resolves their series; throws LlmwatchError `store_invalid_sample`,
 * naming the first bad sample and what is wrong with it, when any is invalid (then nothing of
 * the batch may be written). Known label objects are added to `seriesCache` on the way.
 */
export function resolveBatch(
  samples: readonly Sample[],
  seriesCache: SeriesCache,
  stmts: Statements,
): ResolvedBatch {
  const n = samples.length;
  const ids = new Float64Array(n);
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  const newSeries: NewBatchSeries[] = [];
  const newByKey = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const sample = samples[i] as Sample;
    const labels = typeof sample === 'object' && sample !== null ? sample.labels : undefined;
    const known = typeof labels === 'object' && labels !== null;
    let id = known ? seriesCache.get(labels) : undefined;
    if (
      id === undefined ||
      !Number.isSafeInteger(sample.timestampMs) ||
      typeof sample.value !== 'number'
    ) {
      const problem = describeInvalidSample(sample, i);
      if (problem !== null) {
        throw new LlmwatchError(
          'store_invalid_sample',
          `store: ${problem}; the whole batch of ${n} samples was rejected`,
        );
      }
    }
    if (id === undefined) {
      const key = canonicalLabelsKey(sample.labels);
      let ref = newByKey.get(key) ?? stmts.seriesIdByLabels.get(key);
      if (ref === undefined) {
        newSeries.push({ key, labels: sample.labels, seen: [] });
        ref = -newSeries.length;
        newByKey.set(key, ref);
      }
      if (ref < 0) newSeries[-ref - 1]?.seen.push(sample.labels);
      else seriesCache.set(sample.labels, ref);
      id = ref;
    }
    ids[i] = id;
    ts[i] = sample.timestampMs;
    values[i] = sample.value;
  }
  return { ids, ts, values, newSeries };
}
