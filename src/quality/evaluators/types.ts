/**
 * The shape every deterministic evaluator shares: what it reads and what it returns.
 */

/** One sampled exchange to evaluate, as the gateway hands it to the quality pipeline. */
export interface EvaluationSample {
  /** Request id; the sampler selected it. */
  requestId: string;
  /** Component (model deployment) that answered. */
  component: string;
  /**
   * The parsed request body (OpenAI chat/completions shape) or undefined when it was not
   * kept. Evaluators read it defensively: it is untrusted input.
   */
  request?: unknown;
  /** The assistant's text; null when the gateway could not capture it (then: outcome error). */
  responseText: string | null;
  /** `finish_reason` of the choice ("stop", "length", ...); null when unknown. */
  finishReason?: string | null;
}

/**
 * The result of one evaluator on one sample. `score` is 0..1, 1 = good, present only when
 * `outcome` is "scored". An evaluator that cannot decide returns outcome "error" with a
 * reason in `details`, never a made-up 0.
 */
export interface EvaluationResult {
  criterion: string;
  outcome: 'scored' | 'error';
  score?: number;
  details: Record<string, unknown>;
}

/** A deterministic evaluator. Returns null when it does not apply to the sample. */
export interface Evaluator {
  criterion: string;
  evaluate(sample: EvaluationSample): EvaluationResult | null;
}

/** Result with outcome "error" for `criterion`, with the reason in details. */
export function errorResult(criterion: string, reason: string): EvaluationResult {
  return { criterion, outcome: 'error', details: { reason } };
}

/**
 * Runs `evaluate` and turns a thrown error or a missing response text into outcome "error",
 * so a bug in one evaluator never becomes a score.
 */
export function guarded(
  criterion: string,
  evaluate: (sample: EvaluationSample, text: string) => EvaluationResult | null,
): Evaluator {
  return {
    criterion,
    evaluate(sample) {
      if (typeof sample.responseText !== 'string')
        return errorResult(criterion, 'no_response_text');
      try {
        return evaluate(sample, sample.responseText);
      } catch (err) {
        return errorResult(criterion, err instanceof Error ? err.message : String(err));
      }
    },
  };
}
