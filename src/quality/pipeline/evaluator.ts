/**
 * The evaluator interface the pipeline runs (LLM judges and deterministic evaluators alike),
 * and the adapter that turns a deterministic evaluator into one.
 */
import type {
  EvaluationResult,
  EvaluationSample,
  Evaluator as DeterministicEvaluator,
} from '../evaluators/types.js';

/** The outcomes recorded for an evaluation (wave-3 contract). */
export const OUTCOMES = ['scored', 'unparsable', 'refused', 'error'] as const;

/** One recorded outcome. */
export type Outcome = (typeof OUTCOMES)[number];

/** What an evaluator returns: a result plus the judge's own costs and rationale. */
export type PipelineResult = Omit<EvaluationResult, 'outcome'> & {
  /** "scored", "unparsable", "refused" or "error"; anything else is recorded as "error". */
  outcome: string;
  /** Tokens the judge spent on this evaluation. */
  usage?: { inputTokens: number; outputTokens: number };
  /** What this evaluation cost, dollars. */
  costDollars?: number;
  /** The judge's explanation, stored with the record. */
  reasoning?: string;
};

/**
 * An evaluator run by the pipeline. `judge` is its pinned identity label (metric label and
 * record field). `evaluate` may resolve to null when the criterion does not apply to the
 * sample (nothing is recorded), and may throw: an error with `retryable: true`, or an HTTP
 * `status` of 408, 429 or 5xx, is retried with backoff; any other error is recorded as
 * outcome "error". A result with outcome "error" and `details.retryable === true` is retried too.
 */
export interface Evaluator {
  criterion: string;
  judge: string;
  evaluate(sample: EvaluationSample, signal?: AbortSignal): Promise<PipelineResult | null>;
}

/**
 * Wraps a deterministic evaluator from src/quality/evaluators: judge label "det:<name>@1",
 * where `name` defaults to the evaluator's criterion with "_" as "-" (e.g. "det:pii-leak@1").
 */
export function adaptDeterministic(
  evaluator: DeterministicEvaluator,
  name = evaluator.criterion.replace(/_/g, '-'),
  version = 1,
): Evaluator {
  return {
    criterion: evaluator.criterion,
    judge: `det:${name}@${version}`,
    evaluate: (sample) => Promise.resolve(evaluator.evaluate(sample)),
  };
}

/** True when a thrown error should be retried (explicit flag, or HTTP 408/429/5xx). */
export function isRetryableError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { retryable, status, statusCode } = err as Record<string, unknown>;
  if (retryable === true) return true;
  if (retryable === false) return false;
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && (code === 408 || code === 429 || code >= 500);
}

/** The recorded outcome for an evaluator's outcome string. */
export function normaliseOutcome(outcome: unknown): Outcome {
  return (OUTCOMES as readonly unknown[]).includes(outcome) ? (outcome as Outcome) : 'error';
}
