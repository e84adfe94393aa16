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

  const buckets = prepareBuckets(input);
  if (!buckets) return NaN;
  if (buckets.length < 2) return NaN;
  const observations = (buckets[buckets.length - 1] as Bucket).count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = buckets.findIndex((bucket, i) => i < buckets.length - 1 && bucket.count >= rank);
  if (b === -1) b = buckets.length - 1;

  if (b === buckets.length - 1) return (buckets[buckets.length - 2] as Bucket).upperBound;
  const bucket = buckets[b] as Bucket;
  if (b === 0 && bucket.upperBound <= 0) return bucket.upperBound;

  let bucketStart = 0;
  let count = bucket.count;
  if (b > 0) {
    const below = buckets[b - 1] as Bucket;
    bucketStart = below.upperBound;
    count -= below.count;
    rank -= below.count;
  }
  return bucketStart + (bucket.upperBound - bucketStart) * (rank / count);
}

/** Sorts, merges equal bounds and forces monotonic counts; undefined without a +Inf bucket. */
function prepareBuckets(input: Bucket[]): Bucket[] | undefined {
  if (input.length === 0) return undefined;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if ((sorted[sorted.length - 1] as Bucket).upperBound !== Infinity) return undefined;

  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else buckets.push({ ...b });
  }
  let prev = (buckets[0] as Bucket).count;
  for (let i = 1; i < buckets.length; i++) {
    const bucket = buckets[i] as Bucket;
    if (bucket.count === prev) continue;
    if (almostEqual(prev, bucket.count, SMALL_DELTA_TOLERANCE) || bucket.count < prev) {
      bucket.count = prev;
      continue;
    }
    prev = bucket.count;
  }
  return buckets;
}

/**
 * The fraction of observations between `lower` and `upper` in classic buckets, interpolating
 * linearly inside a bucket (the lowest bucket starts at 0 when its bound is positive). NaN
 * without a +Inf bucket, with no observations or a NaN bound; 0 when lower ≥ upper.
 */
export function bucketFraction(lower: number, upper: number, input: Bucket[]): number {
  const buckets = prepareBuckets(input);
  if (!buckets) return NaN;
  const count = (buckets[buckets.length - 1] as Bucket).count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;

  let rank = 0;
  let lowerRank = count;
  let upperRank = count;
  let lowerSet = false;
  let upperSet = false;
  for (const [i, bucket] of buckets.entries()) {
    const lowerBound =
      i > 0 ? (buckets[i - 1] as Bucket).upperBound : bucket.upperBound > 0 ? 0 : -Infinity;
    const upperBound = bucket.upperBound;
    const interpolate = (v: number): number =>
      rank + ((bucket.count - rank) * (v - lowerBound)) / (upperBound - lowerBound);
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
    rank = bucket.count;
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
  return groupBuckets(samples).map((g) => ({
    labels: g.labels,
    value: bucketQuantile(q, g.buckets),
  }));
}

/** histogram_fraction(lower, upper, v) over classic `_bucket` samples, grouped as above. */
export function histogramFraction(
  lower: number,
  upper: number,
  samples: ReadonlyArray<{ labels: Labels; value: number }>,
): Array<{ labels: Labels; value: number }> {
  return groupBuckets(samples).map((g) => ({
    labels: g.labels,
    value: bucketFraction(lower, upper, g.buckets),
  }));
}

/** A bucket series' bound and group (its labels without `le` and the name), per label set. */
const bucketOf = memoizeLabels((labels) => {
  const group = withoutLabels(labels, ['le', '__name__']);
  return { upperBound: parseBucketBound(labels.le ?? ''), group, key: labelsKey(group) };
});

function groupBuckets(
  samples: ReadonlyArray<{ labels: Labels; value: number }>,
): Array<{ labels: Labels; buckets: Bucket[] }> {
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const sample of samples) {
    const { upperBound, group: labels, key } = bucketOf(sample.labels);
    if (upperBound === undefined) continue;
    let group = groups.get(key);
    if (!group) {
      group = { labels, buckets: [] };
      groups.set(key, group);
    }
    group.buckets.push({ upperBound, count: sample.value });
  }
  return [...groups.values()];
}
