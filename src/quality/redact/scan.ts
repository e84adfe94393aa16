/**
 * The one loop every detector uses: run a global regex over a text and keep the matches a
 * validator accepts.
 */
import type { PiiSpan, PiiType } from './types.js';

/**
 * Decides whether a regex match is PII. Returns the span to redact (which may be narrower than
 * the match, e.g. only the value after "token="), or null to reject the match.
 */
export type MatchValidator = (
  match: RegExpExecArray,
  text: string,
) => { start: number; end: number } | null;

/**
 * All accepted spans of `regex` in `text`. `regex` must have the `g` flag and must not match
 * the empty string. The regexes in this folder are written so that each start position costs
 * a bounded number of steps (bounded quantifiers, a look-behind that rejects starts inside a
 * run), which keeps a whole scan linear in the text length.
 */
export function scanSpans(
  type: PiiType,
  regex: RegExp,
  text: string,
  validate: MatchValidator = (m) => ({ start: m.index, end: m.index + m[0].length }),
): PiiSpan[] {
  const spans: PiiSpan[] = [];
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    if (m[0].length === 0) {
      regex.lastIndex += 1;
      continue;
    }
    const span = validate(m, text);
    if (span !== null && span.end > span.start) spans.push({ type, ...span });
  }
  return spans;
}

/** The digits of `value`, with every other character dropped. */
export function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}
