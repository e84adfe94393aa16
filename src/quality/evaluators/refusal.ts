/**
 * Refusal detection: did the model decline to answer? Matches common English refusal
 * phrasings near the start of the response.
 */
import { guarded, type Evaluator } from './types.js';

const SUBJECT = String.raw`(?:i|i'm|i am|we|we're)`;
const ACTION = String.raw`(?:help|assist|provide|do|comply|support|write|create|answer|share|give|generate|engage|continue|fulfil|fulfill|participate)`;

/** Refusal phrasings, written for llmwatch. Apostrophes are normalised to ' before matching. */
const REFUSAL_PATTERNS: readonly RegExp[] = [
  new RegExp(
    String.raw`\b${SUBJECT} (?:can't|cannot|can not|won't|will not|am unable to|'m unable to|am not able to|'m not able to) (?:\w+ ){0,2}${ACTION}\b`,
  ),
  new RegExp(String.raw`\bi (?:can't|cannot|won't) help\b`),
  /\b(?:sorry|apologi[sz]e)\b[^.!?]{0,40}\b(?:can't|cannot|won't|unable|not able|not comfortable|don't want|do not want|not interested|not willing)\b/,
  /\bi'?m not (?:comfortable|willing|going to|interested in) (?:\w+ ){0,2}(?:help|assist|do|provid|impersonat|shar|writ|creat|that|this|with)/,
  /\bi (?:must|have to|need to) (?:respectfully )?(?:decline|refuse)\b/,
  /\b(?:against|violates?) (?:my|our|the) (?:guidelines|policy|policies|principles|programming|rules)\b/,
  /\bas an ai(?: language model)?,? i (?:can't|cannot|don't|do not|am not|won't)\b/,
  /\bi don't feel (?:like it|comfortable)\b/,
  /\bi (?:don't|do not) want to help\b/,
  /\bit(?:'s| is) not ok(?:ay)? to\b/,
  /\bi (?:wouldn't|would not) recommend\b/,
  /\bthis isn't the answer\b|\bthat isn't the answer\b/,
];

/** Characters of the response searched; refusals come first, later text is the answer. */
export const REFUSAL_WINDOW_CHARS = 400;

/** The first refusal pattern that matches `text` (its source), or null. */
export function findRefusal(text: string): string | null {
  const head = text
    .slice(0, REFUSAL_WINDOW_CHARS)
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'");
  for (const pattern of REFUSAL_PATTERNS) {
    const m = pattern.exec(head);
    if (m !== null) return m[0];
  }
  return null;
}

/**
 * Criterion `refusal`: score 1 when the response answers, 0 when it reads as a refusal.
 * details.phrase is the refusal phrase found (a few words, never the whole response).
 * Limitation: English only, phrase-based: a polite deflection without a refusal phrase
 * ("Why would you want to do that?") is missed, and a response that quotes a refusal counts.
 */
export function createRefusalEvaluator(): Evaluator {
  return guarded('refusal', (_sample, text) => {
    const phrase = findRefusal(text);
    return {
      criterion: 'refusal',
      outcome: 'scored',
      score: phrase === null ? 1 : 0,
      details: { refused: phrase !== null, phrase },
    };
  });
}
