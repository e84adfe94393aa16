/** histogram_quantile over classic (bucketed) histograms, following Prometheus 3. */
import type { Labels } from '../store/types.js';
import { labelsKey, memoizeLabels, withoutLabels } from './labels.js';

/** One bucket: cumulative `count` of observations at most `upperBound`. */
export interface Bucket {
  upperBound: number;
  count: number;
}

const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Go's strconv.ParseFloat for `le` values: decimals, exponents, "+Inf"/"Inf"/"NaN" any case. */
export function parseBucketBound(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  return undefined;
}

function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/**
 * Classic buckets ready for quantiles: sorted by bound, equal bounds merged, counts forced
 * monotonic; the first `length` entries of both columns are used.
 */
interface PreparedBuckets {
  bounds: number[];
  counts: number[];
  length: number;
}

/**
 * The q-quantile of classic buckets: -Inf for q < 0, +Inf for q > 1, NaN for q NaN, without a
 * +Inf bucket, with fewer than two buckets or zero observations. Buckets are sorted, equal
 * bounds merged and counts forced monotonic; the result is linearly interpolated inside the
 * bucket holding the rank (the lowest bucket starts at 0 unless its bound is ≤ 0), and the
 * highest finite bound when the rank falls in the +Inf bucket.
 */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (input.length === 0) return NaN;
  return preparedQuantile(q, prepareBuckets(input));
}

/** bucketQuantile of prepared buckets (undefined: no +Inf bucket); q in [0, 1]. */
function preparedQuantile(q: number, buckets: PreparedBuckets | undefined): number {
  if (!buckets) return NaN;
  const { bounds, counts, length } = buckets;
  if (length < 2) return NaN;
  const observations = counts[length - 1] as number;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // The first bucket (but the last) holding the rank; a NaN count or rank holds none.
  let b = 0;
  while (b < length - 1 && !((counts[b] as number) >= rank)) b++;

  if (b === length - 1) return bounds[length - 2] as number;
  const upperBound = bounds[b] as number;
  if (b === 0 && upperBound <= 0) return upperBound;

  let bucketStart = 0;
  let count = counts[b] as number;
  if (b > 0) {
    bucketStart = bounds[b - 1] as number;
    count -= counts[b - 1] as number;
    rank -= counts[b - 1] as number;
  }
  return bucketStart + (upperBound - bucketStart) * (rank / count);
}

/** Sorts, merges equal bounds and forces monotonic counts; undefined without a +Inf bucket. */
function prepareBuckets(input: Bucket[]): PreparedBuckets | undefined {
  if (input.length === 0) return undefined;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if ((sorted[sorted.length - 1] as Bucket).upperBound !== Infinity) return undefined;

  const bounds: number[] = [];
  const counts: number[] = [];
  for (const b of sorted) {
    const last = bounds.length - 1;
    if (last >= 0 && bounds[last] === b.upperBound)
      counts[last] = (counts[last] as number) + b.count;
    else {
      bounds.push(b.upperBound);
      counts.push(b.count);
    }
  }
  forceMonotonic(counts, counts.length);
  return { bounds, counts, length: counts.length };
}

/** Raises each count that falls below (or almost equals) the one before it to that count. */
function forceMonotonic(counts: number[], length: number): void {
  let prev = counts[0] as number;
  for (let i = 1; i < length; i++) {
    const count = counts[i] as number;
    if (count === prev) continue;
    if (almostEqual(prev, count, SMALL_DELTA_TOLERANCE) || count < prev) {
      counts[i] = prev;
      continue;
    }
    prev = count;
  }
}

/**
 * The fraction of observations between `lower` and `upper` in classic buckets, interpolating
 * linearly inside a bucket (the lowest bucket starts at 0 when its bound is positive). NaN
 * without a +Inf bucket, with no observations or a NaN bound; 0 when lower ≥ upper.
 */
export function bucketFraction(lower: number, upper: number, input: Bucket[]): number {
  return preparedFraction(lower, upper, prepareBuckets(input));
}

function preparedFraction(
  lower: number,
  upper: number,
  buckets: PreparedBuckets | undefined,
): number {
  if (!buckets) return NaN;
  const { bounds, counts, length } = buckets;
  const count = counts[length - 1] as number;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;

  let rank = 0;
  let lowerRank = count;
  let upperRank = count;
  let lowerSet = false;
  let upperSet = false;
  for (let i = 0; i < length; i++) {
    const upperBound = bounds[i] as number;
    const bucketCount = counts[i] as number;
    const lowerBound = i > 0 ? (bounds[i - 1] as number) : upperBound > 0 ? 0 : -Infinity;
    const interpolate = (v: number): number =>
      rank + ((bucketCount - rank) * (v - lowerBound)) / (upperBound - lowerBound);
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = bucketCount;
  }
  return (Math.min(upperRank, count) - Math.min(lowerRank, count)) / count;
}

/**
 * histogram_quantile over an instant vector of `_bucket` samples: groups by every label except
 * `le` and the metric name, and returns one sample per group. Samples whose `le` is missing or
 * not a number are ignored (Prometheus only warns about them).
 */
export function histogramQuantile(
  q: number,
  samples: ReadonlyArray<{ labels: Labels; value: number }>,
): Array<{ labels: Labels; value: number }> {
  const special = Number.isNaN(q) ? NaN : q < 0 ? -Infinity : q > 1 ? Infinity : undefined;
  return evaluateGroups(samples, (buckets) => special ?? preparedQuantile(q, buckets));
}

/** histogram_fraction(lower, upper, v) over classic `_bucket` samples, grouped as above. */
export function histogramFraction(
  lower: number,
  upper: number,
  samples: ReadonlyArray<{ labels: Labels; value: number }>,
): Array<{ labels: Labels; value: number }> {
  return evaluateGroups(samples, (buckets) => preparedFraction(lower, upper, buckets));
}

/** A bucket series' bound and group (its labels without `le` and the name), per label set. */
const bucketOf = memoizeLabels((labels) => {
  const group = withoutLabels(labels, ['le', '__name__']);
  return { upperBound: parseBucketBound(labels.le ?? ''), group, key: labelsKey(group) };
});

/**
 * How a vector's samples form histograms, worked out once for a sequence of label objects: a
 * range query's steps see the same label objects in the same order, so the grouping, the sort
 * by bound and the merging of equal bounds are not redone at every step.
 */
interface Layout {
  /** The label objects of the samples, in order (identity is what is checked). */
  inputs: readonly Labels[];
  groups: Array<{
    labels: Labels;
    /** Sample indices sorted by bound (stable), as prepareBuckets sorts its buckets. */
    members: Int32Array;
    /** Per member, the index of its merged bucket (members with equal bounds share one). */
    slots: Int32Array;
    /** Merged bounds; undefined when the highest bound is not +Inf. */
    bounds: number[] | undefined;
  }>;
}

/** The layout last used for a vector, by its first sample's label object. */
const layouts = new WeakMap<Labels, Layout>();

function layoutOf(samples: ReadonlyArray<{ labels: Labels }>): Layout {
  const first = (samples[0] as { labels: Labels }).labels;
  const known = layouts.get(first);
  if (known !== undefined && sameInputs(known.inputs, samples)) return known;

  const byKey = new Map<string, { labels: Labels; members: number[] }>();
  const bounds: number[] = [];
  samples.forEach((sample, i) => {
    const { upperBound, group, key } = bucketOf(sample.labels);
    bounds.push(upperBound ?? NaN);
    if (upperBound === undefined) return;
    let members = byKey.get(key);
    if (members === undefined) {
      members = { labels: group, members: [] };
      byKey.set(key, members);
    }
    members.members.push(i);
  });
  const groups = [...byKey.values()].map(({ labels, members }) => {
    // The same comparator on the same sequence as prepareBuckets: the same order.
    members.sort((a, b) => (bounds[a] as number) - (bounds[b] as number));
    const slots = new Int32Array(members.length);
    const merged: number[] = [];
    members.forEach((m, j) => {
      const bound = bounds[m] as number;
      if (j === 0 || merged[merged.length - 1] !== bound) merged.push(bound);
      slots[j] = merged.length - 1;
    });
    const complete = merged[merged.length - 1] === Infinity;
    return {
      labels,
      members: Int32Array.from(members),
      slots,
      bounds: complete ? merged : undefined,
    };
  });
  const layout: Layout = { inputs: samples.map((s) => s.labels), groups };
  layouts.set(first, layout);
  return layout;
}

function sameInputs(
  inputs: readonly Labels[],
  samples: ReadonlyArray<{ labels: Labels }>,
): boolean {
  if (inputs.length !== samples.length) return false;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i] !== (samples[i] as { labels: Labels }).labels) return false;
  }
  return true;
}

/** Groups the samples into histograms (see Layout) and evaluates each group's buckets. */
function evaluateGroups(
  samples: ReadonlyArray<{ labels: Labels; value: number }>,
  evaluate: (buckets: PreparedBuckets | undefined) => number,
): Array<{ labels: Labels; value: number }> {
  if (samples.length === 0) return [];
  const counts: number[] = [];
  const buckets: PreparedBuckets = { bounds: [], counts, length: 0 };
  return layoutOf(samples).groups.map(({ labels, members, slots, bounds }) => {
    if (bounds === undefined) return { labels, value: evaluate(undefined) };
    // Counts merged in sorted order: the first of equal bounds, then the others added to it.
    for (let j = 0; j < members.length; j++) {
      const value = (samples[members[j] as number] as { value: number }).value;
      const slot = slots[j] as number;
      if (j === 0 || slot !== slots[j - 1]) counts[slot] = value;
      else counts[slot] = (counts[slot] as number) + value;
    }
    forceMonotonic(counts, bounds.length);
    buckets.bounds = bounds;
    buckets.length = bounds.length;
    return { labels, value: evaluate(buckets) };
  });
}
