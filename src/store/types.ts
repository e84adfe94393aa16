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

  /** Closes the store; pending writes are committed first. */
  close(): Promise<void>;
}
