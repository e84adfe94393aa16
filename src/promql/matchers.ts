/** Label matcher helpers shared by the parser (validation) and the in-memory store (matching). */
import type { LabelMatcher, Labels } from '../store/types.js';
import { translateRe2 } from './regex.js';

const regexCache = new Map<string, RegExp>();
const REGEX_CACHE_LIMIT = 1000;

/**
 * Compiles a PromQL regex into a fully anchored JavaScript RegExp where `.` also matches a
 * newline (Prometheus 3). A leading `(?i)` becomes the case-insensitive flag. Throws a
 * SyntaxError on an invalid pattern.
 * Inline `(?i)` anywhere and `(?P<name>)` are translated (regex.ts).
 * Limitation: patterns are run by JavaScript's engine, not RE2; other RE2-only syntax such as
 * `\z` is rejected as invalid.
 */
export function compileLabelRegex(pattern: string): RegExp {
  const cached = regexCache.get(pattern);
  if (cached) return cached;

  let source = pattern;
  let flags = 's';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags += 'i';
  }
  source = translateRe2(source);
  const regex = new RegExp(`^(?:${source})$`, flags);
  if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
  regexCache.set(pattern, regex);
  return regex;
}

/** True when the label value (missing labels count as "") satisfies the matcher. */
export function matchesLabel(matcher: LabelMatcher, value: string | undefined): boolean {
  const actual = value ?? '';
  switch (matcher.type) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return compileLabelRegex(matcher.value).test(actual);
    case '!~':
      return !compileLabelRegex(matcher.value).test(actual);
  }
}

/** True when `labels` satisfy every matcher. */
export function matchesLabels(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  return matchers.every((m) => matchesLabel(m, labels[m.name]));
}
