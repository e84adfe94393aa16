/**
 * The quality metrics (wave-3 contract), all with source="quality".
 */
import type { MetricRegistry } from '../../ingest/registry.js';

/** Score buckets: 0.1, 0.2, ..., 1.0. */
export const SCORE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/** Evaluation duration buckets, seconds (deterministic evaluators take microseconds). */
export const EVALUATION_DURATION_BUCKETS_SECONDS = [
  0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** What one finished evaluation adds to the metrics. */
export interface EvaluationFacts {
  component: string;
  criterion: string;
  judge: string;
  outcome: string;
  score: number | null;
  durationSeconds: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costDollars: number | null;
}

/** Registers the quality families and returns a recorder for finished evaluations. */
export function createQualityMetrics(registry: MetricRegistry): (facts: EvaluationFacts) => void {
  const score = registry.histogram(
    'llm_quality_score',
    'Quality score of evaluated responses, 0..1 (1 = good).',
    SCORE_BUCKETS,
  );
  const evaluations = registry.counter(
    'llm_quality_evaluations_total',
    'Evaluations finished, by outcome (scored, unparsable, refused, error).',
  );
  const duration = registry.histogram(
    'llm_quality_evaluation_duration_seconds',
    'Time one evaluation took, seconds.',
    EVALUATION_DURATION_BUCKETS_SECONDS,
  );
  const tokens = registry.counter('llm_judge_tokens_total', 'Tokens spent by judges, by type.');
  const cost = registry.counter('llm_judge_cost_dollars_total', 'Dollars spent on judges.');

  return (f) => {
    const base = {
      component: f.component,
      criterion: f.criterion,
      judge: f.judge,
      source: 'quality',
    };
    evaluations.series({ ...base, outcome: f.outcome }).inc();
    duration.series(base).observe(f.durationSeconds);
    if (f.outcome === 'scored' && f.score !== null) score.series(base).observe(f.score);
    if (f.inputTokens !== null) {
      tokens.series({ judge: f.judge, type: 'input', source: 'quality' }).inc(f.inputTokens);
    }
    if (f.outputTokens !== null) {
      tokens.series({ judge: f.judge, type: 'output', source: 'quality' }).inc(f.outputTokens);
    }
    if (f.costDollars !== null)
      cost.series({ judge: f.judge, source: 'quality' }).inc(f.costDollars);
  };
}
