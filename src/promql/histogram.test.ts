import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '../store/types.js';
import {
  bucketFraction,
  bucketQuantile,
  histogramFraction,
  histogramQuantile,
  type Bucket,
} from './histogram.js';

/** Bucket series of two histograms, interleaved, with awkward bounds. */
const LABELS: Labels[] = [
  { __name__: 'h_bucket', job: 'a', le: '0.5' },
  { __name__: 'h_bucket', job: 'b', le: '+Inf' },
  { __name__: 'h_bucket', job: 'a', le: '+Inf' },
  { __name__: 'h_bucket', job: 'a', le: '0.1' },
  { __name__: 'h_bucket', job: 'b', le: '1e0' },
  { __name__: 'h_bucket', job: 'a', le: '5e-1' }, // the same bound as 0.5: merged
  { __name__: 'h_bucket', job: 'b', le: 'NaN' },
  { __name__: 'h_bucket', job: 'c', le: '1' }, // no +Inf bucket
  { __name__: 'h_bucket', job: 'c', le: 'x' }, // not a number: ignored
  { __name__: 'h_bucket', job: 'd', le: '-Inf' },
  { __name__: 'h_bucket', job: 'd', le: '+Inf' },
];

/** Each step's values, in LABELS order: monotonic, not, NaN counts, zeros, -0. */
const STEPS: number[][] = [
  [3, 10, 10, 1, 4, 2, 1, 5, 6, 2, 7],
  [2, 4, 9, 4, 5, 1, NaN, 1, 1, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, -0, 0],
  [1e308, Infinity, 1e308, 1, 2, 1e308, 3, 1, 1, 5, 5],
  [0.1, 0.3, 0.3, 0.1, 0.2, 0.1 + 0.2, 0.1, 1, 1, 1, 1],
];

/** The groups computed one bucket list at a time (bucketQuantile's own path). */
function reference(values: number[], f: (buckets: Bucket[]) => number): Array<[string, number]> {
  const groups = new Map<string, Bucket[]>();
  LABELS.forEach((labels, i) => {
    const bound = labels.le === 'x' ? undefined : Number(labels.le?.replace('Inf', 'Infinity'));
    if (bound === undefined) return;
    const job = labels.job as string;
    groups.set(job, [
      ...(groups.get(job) ?? []),
      { upperBound: bound, count: values[i] as number },
    ]);
  });
  return [...groups].map(([job, buckets]) => [job, f(buckets)]);
}

function samplesAt(k: number, labels: Labels[] = LABELS): Array<{ labels: Labels; value: number }> {
  return labels.map((l, i) => ({ labels: l, value: (STEPS[k] as number[])[i] as number }));
}

describe('histogram_quantile and histogram_fraction over the same label objects', () => {
  for (const q of [0, 0.25, 0.5, 0.95, 1, -1, 2, NaN]) {
    it(`q=${q}: every step as computed bucket list by bucket list`, () => {
      for (let k = 0; k < STEPS.length; k++) {
        const got = histogramQuantile(q, samplesAt(k));
        const want = reference(STEPS[k] as number[], (b) => bucketQuantile(q, b));
        assert.deepEqual(
          got.map((g) => [g.labels.job, g.value]),
          want,
        );
        assert.deepEqual(got[0]?.labels, { job: 'a' });
      }
    });
  }

  it('fractions, every step, as bucket list by bucket list', () => {
    for (const [lower, upper] of [
      [0, 0.5],
      [-Infinity, 0.3],
      [0.2, Infinity],
      [1, 0],
      [NaN, 1],
    ] as const) {
      for (let k = 0; k < STEPS.length; k++) {
        const got = histogramFraction(lower, upper, samplesAt(k));
        const want = reference(STEPS[k] as number[], (b) => bucketFraction(lower, upper, b));
        assert.deepEqual(
          got.map((g) => [g.labels.job, g.value]),
          want,
        );
      }
    }
  });

  it('exact values, and a changed set of series is regrouped', () => {
    const first = histogramQuantile(0.5, samplesAt(0));
    // a: bounds 0.1 (1), 0.5 (3 + 2 merged), +Inf (10): rank 5 falls in 0.5's bucket.
    assert.deepEqual(
      first.map((g) => [g.labels.job, g.value]),
      [
        ['a', 0.1 + (0.5 - 0.1) * (4 / 4)],
        ['b', NaN],
        ['c', NaN],
        ['d', -Infinity],
      ],
    );
    // Fewer series, same first label object: the grouping must not be reused.
    const fewer = LABELS.slice(0, 6);
    const got = histogramQuantile(0.5, samplesAt(0, fewer));
    assert.deepEqual(
      got.map((g) => [g.labels.job, g.value]),
      [
        ['a', 0.1 + (0.5 - 0.1) * (4 / 4)],
        ['b', 1], // rank 5 > 4: in the +Inf bucket, so the highest finite bound
      ],
    );
    assert.deepEqual(histogramQuantile(0.5, []), []);
  });
});
