/**
 * Which evaluator a calibration runs: a deterministic one from ../evaluators by criterion, the
 * LLM judge, or any scorer passed in.
 */
import { LlmwatchError } from '../../core/errors.js';
import {
  createCompletenessEvaluator,
  createFormatEvaluator,
  createPiiLeakEvaluator,
  createRefusalEvaluator,
  createToxicityEvaluator,
  type EvaluationSample,
  type Evaluator,
} from '../evaluators/index.js';
import type { Judge } from '../judge/judge.js';

/** What scoring one text gives back. */
export interface ScoreOutcome {
  /** scored | unparsable | refused | error | not_applicable. */
  outcome: string;
  /** 0..1, 1 = good; set when scored. */
  score?: number;
  usage?: { inputTokens: number; outputTokens: number };
  costDollars?: number;
}

/** A scorer under calibration. `label()` is its judge label (asked after the run). */
export interface Scorer {
  label(): string;
  score(sample: EvaluationSample): Promise<ScoreOutcome>;
}

const DETERMINISTIC: Record<string, { name: string; create: () => Evaluator }> = {
  toxicity: { name: 'toxicity-lexicon', create: () => createToxicityEvaluator() },
  refusal: { name: 'refusal', create: () => createRefusalEvaluator() },
  pii_leak: { name: 'pii-leak', create: () => createPiiLeakEvaluator() },
  completeness: { name: 'completeness', create: () => createCompletenessEvaluator() },
  format: { name: 'format', create: () => createFormatEvaluator() },
};

/** Criteria with a deterministic evaluator. */
export const DETERMINISTIC_CRITERIA = Object.keys(DETERMINISTIC);

/**
 * The deterministic evaluator for `criterion`, labelled "det:<name>@1". Throws LlmwatchError
 * `calibrate_evaluator` naming the criterion and the known ones.
 */
export function deterministicScorer(criterion: string): Scorer {
  const entry = DETERMINISTIC[criterion];
  if (entry === undefined) {
    throw new LlmwatchError(
      'calibrate_evaluator',
      `calibrate: no deterministic evaluator for criterion "${criterion}"; use one of ` +
        `${DETERMINISTIC_CRITERIA.join(', ')}, or --evaluator judge`,
    );
  }
  const evaluator = entry.create();
  return {
    label: () => `det:${entry.name}@1`,
    score: (sample) => {
      const result = evaluator.evaluate(sample);
      return Promise.resolve(result === null ? { outcome: 'not_applicable' } : result);
    },
  };
}

/** The judge on one criterion. */
export function judgeScorer(judge: Judge, criterion: string): Scorer {
  if (!judge.criteria.includes(criterion)) {
    throw new LlmwatchError(
      'calibrate_evaluator',
      `calibrate: the judge has no criterion "${criterion}"; configured: ${judge.criteria.join(', ')}`,
    );
  }
  return {
    label: () => judge.labelFor(criterion),
    score: (sample) => judge.evaluate(sample, criterion),
  };
}
