/**
 * The metric store's data model and interface. The embedded SQLite store implements it today;
 * a Prometheus-compatible TSDB backend can implement the same interface later, which is why
 * reads and writes are asynchronous.
 */

/** A label set. The metric name is the `__name__` label. Keys and values are arbitrary strings. */
export type Labels = Record<string, string>;

/** One float sample of one series. `timestampMs` is Unix time in milliseconds (integer). */
export interface Sample {
  labels: Labels;
  timestampMs: number;
  value: number;
}

/** A PromQL-style label matcher. Regex matchers are fully anchored, as in Prometheus. */
export interface LabelMatcher {
  name: string;
  type: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** The samples of one series in a time range, sorted by time ascending. */
export interface SeriesData {
  labels: Labels;
  timestampsMs: number[];
  values: number[];
  /**
   * Optional: 1 at index i when sample i is Prometheus's staleness marker (values[i] is then a
   * NaN whose bits are unspecified), 0 elsewhere; absent when no sample in range is a marker.
   * Stores set it because a NaN payload does not reliably survive a plain JS array (V8 may
   * canonicalise it); readers treat a sample as a marker when the mask says so or, for stores
   * that leave the mask out, when its bits still show the marker.
   */
  staleMask?: Uint8Array;
}

/**
 * The samples of one series in a time range as typed columns, sorted by time ascending: what
 * the PromQL engine reads. `values` holds each value's exact 64 bits (NaN payloads included, as
 * long as they are not copied through a plain number); `staleMask` is as in SeriesData.
 */
export interface SeriesColumns {
  labels: Labels;
  timestampsMs: Float64Array;
  values: Float64Array;
  staleMask?: Uint8Array;
}

/**
 * Downsampled data of one series: aggregates per fixed bucket, bucket i covering the left-open
 * (startsMs[i], startsMs[i] + resolutionMs], like PromQL's range windows. Staleness markers are
 * left out of every aggregate. See store/rollup.ts for which PromQL functions each field answers
 * exactly. Columns are typed arrays of equal length (possibly views into a larger buffer).
 */
export interface RollupColumns {
  /** Bucket start times (Unix ms), ascending; bucket i covers (startsMs[i], +resolution]. */
  startsMs: Float64Array;
  /** Samples per bucket (staleness markers excluded). */
  counts: Float64Array;
  sums: Float64Array;
  /** Smallest and largest value; NaN only when every value in the bucket is NaN. */
  mins: Float64Array;
  maxs: Float64Array;
  /** First and last sample of the bucket, with their timestamps (Unix ms). */
  firsts: Float64Array;
  firstTimestampsMs: Float64Array;
  lasts: Float64Array;
  lastTimestampsMs: Float64Array;
  /**
   * Timestamp (Unix ms) of the bucket's last point, staleness markers included: greater than
   * lastTimestampsMs when a marker followed the last sample in the bucket, else equal to it.
   * NaN when unknown (blocks written before schema version 8); a reader that needs it must
   * then read raw samples.
   */
  lastPointTimestampsMs: Float64Array;
  /** Counter increase from the first to the last sample of the bucket, resets handled. */
  increases: Float64Array;
}

/** One series' rollup buckets (RollupColumns) with its labels and bucket width. */
export interface RollupSeriesData extends RollupColumns {
  labels: Labels;
  /** Bucket width in milliseconds (a multiple of 5 minutes). */
  resolutionMs: number;
}

/** The bucket columns of RollupSeriesData. */
export type RollupColumnName = Exclude<keyof RollupSeriesData, 'labels' | 'resolutionMs'>;

/** Options of MetricStore.selectRollups. */
export interface RollupReadOptions {
  /** Reject instead of computing stored buckets from raw samples (default false). */
  storedOnly?: boolean;
}

/** A time-series store: append samples in batches, read them back by label matchers and range. */
export interface MetricStore {
  /**
   * Appends samples in one batch (one transaction). A sample whose series already has a sample at
   * the same timestamp replaces it. Rejects with an LlmwatchError on invalid input (non-integer
   * timestamp, missing `__name__`); nothing of a rejected batch is stored.
   */
  append(samples: readonly Sample[]): Promise<void>;

  /**
   * Returns every series matching all `matchers` that has at least one sample in
   * `[startMs, endMs]` (both inclusive), with those samples.
   */
  select(matchers: readonly LabelMatcher[], startMs: number, endMs: number): Promise<SeriesData[]>;

  /**
   * Optional: select() as typed columns, which spares a store that decodes into typed arrays
   * the copy into plain arrays. Same series, samples, order and errors as select().
   */
  selectColumns?(
    matchers: readonly LabelMatcher[],
    startMs: number,
    endMs: number,
  ): Promise<SeriesColumns[]>;

  /**
   * Optional: like select, but returns downsampled buckets of `resolutionMs` (a multiple of 5
   * minutes) whose start lies in [startMs, endMs] floored to the resolution, for long ranges.
   * With `columns`, only those columns (and startsMs) need hold the buckets' values: a store
   * may leave the others unread (empty, or holding zeros or NaN). Rejects with LlmwatchError
   * `store_invalid_resolution` for another resolution. With `options.storedOnly`, a store that would compute a series'
   * buckets from its raw samples (its stored rollups cannot give them at this resolution)
   * rejects with LlmwatchError `store_rollups_not_stored` instead, so that a caller that can
   * answer from raw samples more cheaply does so; the most recent buckets, still in memory,
   * are computed from raw samples either way. The columns returned may be the store's cached
   * ones (views): read them, never change them.
   */
  selectRollups?(
    matchers: readonly LabelMatcher[],
    startMs: number,
    endMs: number,
    resolutionMs: number,
    columns?: readonly RollupColumnName[],
    options?: RollupReadOptions,
  ): Promise<RollupSeriesData[]>;

  /** Closes the store; pending writes are committed first. */
  close(): Promise<void>;
}
