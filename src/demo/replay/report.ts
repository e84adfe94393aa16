/**
 * Turns per-request replay records into the replay's totals, rates and latency percentiles.
 */
import type { ReplayRecord } from './request.js';

/** The outcome of a whole replay. */
export interface ReplayReport {
  /** Requests given to the replay. */
  total: number;
  /** Requests sent (fewer than total only when the replay was aborted). */
  sent: number;
  /** Requests that got a 2xx with a complete, sensible body. */
  succeeded: number;
  /** Requests that did not succeed (sent - succeeded). */
  failed: number;
  /** Failed requests by status: HTTP codes ("500") or failure kinds ("error", "timeout", ...). */
  failedByStatus: Record<string, number>;
  /** Requests sent with stream: true. */
  streamed: number;
  /** One record per sent request, ordered by trace index. */
  records: ReplayRecord[];
  /** From the start of the replay until the last request finished, in ms. */
  wallMs: number;
  /** Requests sent per second of wall time; 0 when wallMs is 0. */
  achievedRatePerSecond: number;
  /** The rate the trace asks for: total over (trace duration / speedup); 0 for a zero duration. */
  targetRatePerSecond: number;
  /** Sum of contextTokens over sent requests: the prompt words sent. */
  promptWords: number;
  /** Sum of max_tokens over sent requests. */
  maxTokens: number;
  /** Sum of usage.prompt_tokens over successful requests. */
  inputTokens: number;
  /** Sum of usage.completion_tokens over successful requests. */
  outputTokens: number;
  /** Successful requests whose response carried no usage (not in the token sums). */
  missingUsage: number;
  /** Requests whose trace row had 0 generated tokens and were sent with max_tokens 1. */
  maxTokensAdjusted: number;
  /** Arrivals that had to wait because maxInFlight requests were outstanding. */
  waitedForSlot: number;
  /** Largest delay between a request's due time and its sending, in ms. */
  maxScheduleLagMs: number;
  /** Whether the replay was cancelled through its signal. */
  aborted: boolean;
}

/** Replay-level facts that are not in the records. */
export interface ReplayRunFacts {
  total: number;
  wallMs: number;
  traceDurationMs: number;
  speedup: number;
  waitedForSlot: number;
  maxScheduleLagMs: number;
  aborted: boolean;
}

/** Builds the report from records (already in index order) and the run's facts. */
export function summarizeRecords(records: ReplayRecord[], facts: ReplayRunFacts): ReplayReport {
  const failedByStatus: Record<string, number> = {};
  let succeeded = 0;
  let streamed = 0;
  let promptWords = 0;
  let maxTokens = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let missingUsage = 0;
  let maxTokensAdjusted = 0;
  for (const record of records) {
    promptWords += record.promptWords;
    maxTokens += record.maxTokens;
    if (record.stream) streamed += 1;
    if (record.maxTokensAdjusted) maxTokensAdjusted += 1;
    if (!record.ok) {
      const key = String(record.status);
      failedByStatus[key] = (failedByStatus[key] ?? 0) + 1;
      continue;
    }
    succeeded += 1;
    if (record.inputTokens === null || record.outputTokens === null) missingUsage += 1;
    inputTokens += record.inputTokens ?? 0;
    outputTokens += record.outputTokens ?? 0;
  }
  return {
    total: facts.total,
    sent: records.length,
    succeeded,
    failed: records.length - succeeded,
    failedByStatus,
    streamed,
    records,
    wallMs: facts.wallMs,
    achievedRatePerSecond: facts.wallMs > 0 ? records.length / (facts.wallMs / 1000) : 0,
    targetRatePerSecond:
      facts.traceDurationMs > 0 ? facts.total / (facts.traceDurationMs / facts.speedup / 1000) : 0,
    promptWords,
    maxTokens,
    inputTokens,
    outputTokens,
    missingUsage,
    maxTokensAdjusted,
    waitedForSlot: facts.waitedForSlot,
    maxScheduleLagMs: facts.maxScheduleLagMs,
    aborted: facts.aborted,
  };
}

/**
 * The q-quantile (0..1) of `values` by the nearest-rank method: the smallest value with at least
 * q of the values at or below it. Returns null for no values. Sorts a copy.
 */
export function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}
