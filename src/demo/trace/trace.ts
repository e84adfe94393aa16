/**
 * Trace requests in a source-neutral form, and the operations the replay needs on them:
 * cutting a window out of a trace and summarising it.
 */
import { LlmwatchError } from '../../core/errors.js';

/** One request of a production trace. */
export interface TraceRequest {
  /** 0-based position of the data row in its trace file (the header is not counted). */
  index: number;
  /**
   * Arrival time in milliseconds relative to the first request of the trace (or of the slice),
   * as a float: sub-millisecond precision from the source is kept.
   */
  arrivalMs: number;
  /** Prompt length in tokens. */
  contextTokens: number;
  /** Number of tokens the model generated. */
  generatedTokens: number;
}

/** Which part of a trace to keep; every field is optional. */
export interface TraceSliceOptions {
  /** Keep at most this many requests (after the time window). Non-negative integer. */
  limit?: number;
  /** Keep requests arriving at or after this offset (ms, on the input's time axis). */
  fromMs?: number;
  /** Keep requests arriving strictly before this offset (ms, on the input's time axis). */
  toMs?: number;
}

/** Totals of a trace. */
export interface TraceSummary {
  /** Number of requests. */
  count: number;
  /** Sum of contextTokens over all requests. */
  contextTokens: number;
  /** Sum of generatedTokens over all requests. */
  generatedTokens: number;
  /** Last arrival minus first arrival in ms; 0 for an empty or one-request trace. */
  durationMs: number;
  /** Requests with 0 generated tokens (the replay sends them with max_tokens 1). */
  zeroGeneratedCount: number;
}

/**
 * Keeps the requests with `fromMs <= arrivalMs < toMs`, then the first `limit` of those, and
 * re-bases arrival times so the first kept request arrives at 0. Each request keeps its original
 * `index`, so results can be traced back to the file row. Throws LlmwatchError
 * `trace_slice_invalid` for a negative or fractional limit, a non-finite bound, or fromMs > toMs.
 */
export function sliceTrace(requests: TraceRequest[], options: TraceSliceOptions): TraceRequest[] {
  const { limit, fromMs = -Infinity, toMs = Infinity } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
    throw new LlmwatchError(
      'trace_slice_invalid',
      `trace slice: limit must be a non-negative integer, got ${String(limit)}`,
    );
  }
  for (const [name, value] of [
    ['fromMs', options.fromMs],
    ['toMs', options.toMs],
  ] as const) {
    if (value !== undefined && !Number.isFinite(value)) {
      throw new LlmwatchError(
        'trace_slice_invalid',
        `trace slice: ${name} must be a finite number of milliseconds, got ${String(value)}`,
      );
    }
  }
  if (fromMs > toMs) {
    throw new LlmwatchError(
      'trace_slice_invalid',
      `trace slice: fromMs (${fromMs}) must not be after toMs (${toMs}); swap them`,
    );
  }

  let kept = requests.filter((r) => r.arrivalMs >= fromMs && r.arrivalMs < toMs);
  if (limit !== undefined) kept = kept.slice(0, limit);

  const baseMs = kept[0]?.arrivalMs ?? 0;
  return kept.map((r) => ({ ...r, arrivalMs: r.arrivalMs - baseMs }));
}

/** Counts requests and sums their tokens; an empty trace gives all zeros. */
export function summarizeTrace(requests: TraceRequest[]): TraceSummary {
  let contextTokens = 0;
  let generatedTokens = 0;
  let zeroGeneratedCount = 0;
  for (const r of requests) {
    contextTokens += r.contextTokens;
    generatedTokens += r.generatedTokens;
    if (r.generatedTokens === 0) zeroGeneratedCount += 1;
  }
  const first = requests[0];
  const last = requests[requests.length - 1];
  const durationMs = first && last ? last.arrivalMs - first.arrivalMs : 0;
  return { count: requests.length, contextTokens, generatedTokens, durationMs, zeroGeneratedCount };
}
