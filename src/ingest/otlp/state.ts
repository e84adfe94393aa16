/**
 * In-memory state the receiver keeps between requests: running totals of delta-temporality
 * series (to store them as cumulative counters) and which counter series already got their
 * 0-valued start sample. Changes are staged in a transaction and kept only after the store
 * accepted the request's samples, so a failed append followed by the sender's retry does not
 * count twice. Requests are serialised through `runExclusive`.
 *
 * Limitation: running totals live in memory only. After llmwatch restarts, delta series start
 * again from 0; the 0 sample written at the first new point makes PromQL's rate() and increase()
 * see an ordinary counter reset, but raw counter values drop.
 * Limitation: a delta point at or before the last accumulated time of its series is refused
 * (this also refuses an export retried after it was stored but the answer was lost).
 */

/** Running totals of one delta series. */
interface DeltaSeries {
  /** Identifies the bucket layout; a change restarts the totals. */
  shape: string;
  lastTimeMs: number;
  totals: number[];
}

/** The cumulative view of one delta point. */
export interface DeltaResult {
  totals: number[];
  /** True when the series (or its bucket layout) is seen for the first time since start. */
  isNew: boolean;
}

/** Staged changes of one request. */
export interface OtlpTransaction {
  /**
   * Adds a delta point's values to its series' running totals and returns the new totals, or a
   * refusal reason (out-of-order point, too many series).
   */
  addDelta(
    key: string,
    shape: string,
    timeMs: number,
    deltas: number[],
  ): DeltaResult | { error: string };
  /** True the first time (since start) a 0 start sample is asked for this series and time. */
  claimStartZero(seriesKey: string, startMs: number): boolean;
  /** Keeps the staged changes; call after the store accepted the samples. */
  commit(): void;
}

/** The receiver's state; create one per process with createOtlpState. */
export interface OtlpState {
  /** Runs `task` after every earlier task finished (one request at a time). */
  runExclusive<T>(task: () => Promise<T>): Promise<T>;
  begin(): OtlpTransaction;
  /** Number of delta series with running totals. */
  readonly deltaSeriesCount: number;
}

/** Most start-zero markers remembered; beyond it they are forgotten (re-sending is harmless). */
const MAX_START_ZEROS = 200_000;

/** Creates empty state; `maxDeltaSeries` bounds the running totals kept (config maxDeltaSeries). */
export function createOtlpState(maxDeltaSeries: number): OtlpState {
  const deltas = new Map<string, DeltaSeries>();
  let startZeros = new Set<string>();
  let tail: Promise<unknown> = Promise.resolve();

  return {
    runExclusive<T>(task: () => Promise<T>): Promise<T> {
      const run = tail.then(task, task);
      tail = run.catch(() => undefined);
      return run;
    },
    get deltaSeriesCount() {
      return deltas.size;
    },
    begin(): OtlpTransaction {
      const staged = new Map<string, DeltaSeries>();
      const stagedZeros = new Set<string>();
      return {
        addDelta(key, shape, timeMs, values) {
          const previous = staged.get(key) ?? deltas.get(key);
          if (previous === undefined && deltas.size + staged.size >= maxDeltaSeries) {
            return {
              error: `more than otlp.maxDeltaSeries (${maxDeltaSeries}) delta series; use cumulative temporality or raise the limit`,
            };
          }
          if (previous !== undefined && previous.shape === shape && timeMs <= previous.lastTimeMs) {
            return {
              error:
                'a delta point is not later than the last point of its series (retried or out-of-order export)',
            };
          }
          const isNew = previous === undefined || previous.shape !== shape;
          const totals = isNew ? [...values] : values.map((v, i) => (previous.totals[i] ?? 0) + v);
          staged.set(key, { shape, lastTimeMs: timeMs, totals });
          return { totals, isNew };
        },
        claimStartZero(seriesKey, startMs) {
          const key = `${seriesKey}\u0002${startMs}`;
          if (startZeros.has(key) || stagedZeros.has(key)) return false;
          stagedZeros.add(key);
          return true;
        },
        commit() {
          for (const [key, series] of staged) deltas.set(key, series);
          if (startZeros.size + stagedZeros.size > MAX_START_ZEROS) startZeros = new Set();
          for (const key of stagedZeros) startZeros.add(key);
        },
      };
    },
  };
}
