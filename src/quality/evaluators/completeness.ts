/**
 * Empty and truncated responses.
 */
import { guarded, type Evaluator } from './types.js';

// A response that ends with one of these (after trailing spaces) ended a sentence or a block.
const COMPLETE_END = /[.!?…"'”’)\]}>`*|:;~\-_\p{Extended_Pictographic}]$|\d$/u;

/**
 * Criterion `completeness`: 0 for an empty (or whitespace-only) response (details.reason
 * "empty") or one stopped by the token limit (finish_reason "length": "truncated_length");
 * 0.5 when the text ends mid-sentence ("ends_mid_sentence": the last character is a letter or
 * comma, not a full stop, closing bracket, code fence, digit or emoji); otherwise 1.
 * Limitation: the mid-sentence check is a heuristic for prose; a list item or heading that
 * ends without punctuation also scores 0.5.
 */
export function createCompletenessEvaluator(): Evaluator {
  return guarded('completeness', (sample, text) => {
    const trimmed = text.trimEnd();
    const result = (score: number, reason: string) => ({
      criterion: 'completeness',
      outcome: 'scored' as const,
      score,
      details: { reason, finishReason: sample.finishReason ?? null },
    });
    if (trimmed.trim() === '') return result(0, 'empty');
    if (sample.finishReason === 'length') return result(0, 'truncated_length');
    if (!COMPLETE_END.test(trimmed)) return result(0.5, 'ends_mid_sentence');
    return result(1, 'complete');
  });
}
