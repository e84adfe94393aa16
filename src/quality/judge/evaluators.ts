/**
 * Adapts the judge to the quality pipeline's Evaluator interface (src/quality/pipeline/
 * evaluator.ts): one evaluator per criterion plus "composite". They share one evaluateAll per
 * sample, so each criterion costs one judge call and the composite none.
 */
import type { EvaluationSample } from '../evaluators/types.js';
import type { Judge, JudgeResult } from './judge.js';

/** Samples whose results are kept for the other criteria' evaluators. */
const MEMO_LIMIT = 1000;

/** The pipeline evaluator shape (structurally the same as the pipeline's `Evaluator`). */
export interface JudgeEvaluator {
  criterion: string;
  /** The current pinned label (a getter: it changes when the API serves another model). */
  readonly judge: string;
  evaluate(sample: EvaluationSample): Promise<{
    criterion: string;
    outcome: string;
    score?: number;
    details: Record<string, unknown>;
    usage?: { inputTokens: number; outputTokens: number };
    costDollars?: number;
    reasoning?: string;
  } | null>;
}

/**
 * Evaluators for every judged criterion and the composite. Results are memoised per
 * `requestId` until every evaluator has read them (at most 1000 samples; the oldest is
 * dropped first, and a dropped sample is judged again if asked).
 */
export function createJudgeEvaluators(judge: Judge): JudgeEvaluator[] {
  const names = [...judge.criteria, 'composite'];
  const memo = new Map<string, { results: Promise<JudgeResult[]>; unread: Set<string> }>();

  const resultsFor = (sample: EvaluationSample, criterion: string) => {
    let entry = memo.get(sample.requestId);
    if (entry === undefined || !entry.unread.has(criterion)) {
      entry = { results: judge.evaluateAll(sample), unread: new Set(names) };
      memo.set(sample.requestId, entry);
      if (memo.size > MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
    }
    entry.unread.delete(criterion);
    if (entry.unread.size === 0) memo.delete(sample.requestId);
    return entry.results;
  };

  return names.map((criterion) => ({
    criterion,
    get judge() {
      return judge.labelFor(criterion);
    },
    async evaluate(sample) {
      const result = (await resultsFor(sample, criterion)).find((r) => r.criterion === criterion);
      if (result === undefined) return null;
      return {
        criterion,
        outcome: result.outcome,
        ...(result.score === undefined ? {} : { score: result.score }),
        details: { ...result.details, judge: result.judge },
        usage: result.usage,
        costDollars: result.costDollars,
        ...(result.reasoning === null ? {} : { reasoning: result.reasoning }),
      };
    },
  }));
}
