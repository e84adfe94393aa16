/**
 * PromQL label matchers compiled into predicates, with Prometheus semantics: regexes are fully
 * anchored, and a missing label reads as the empty string (so `{team=""}` and `{team!~".+"}`
 * select series without a `team` label).
 */
import { LlmwatchError } from '../core/errors.js';
import type { LabelMatcher, Labels } from './types.js';

/** A matcher ready to test label values. */
export interface CompiledMatcher {
  name: string;
  type: LabelMatcher['type'];
  value: string;
  /** True when the label's value (the empty string when absent) satisfies the matcher. */
  matches(value: string): boolean;
  /** True when the matcher accepts the empty string, i.e. also selects series lacking the label. */
  matchesEmpty: boolean;
}

/**
 * Compiles a regex matcher value as Prometheus does: anchored at both ends, `.` matching
 * newlines. A leading `(?i)` becomes case-insensitive matching.
 * Limitation: the pattern runs on JavaScript's backtracking regex engine, not RE2: RE2-only
 * syntax (other inline flags, `\z`, named classes like `[[:alpha:]]`) is rejected, and a
 * pathological pattern can take long on long label values.
 */
function compileRegex(pattern: string, index: number): RegExp {
  let source = pattern;
  let flags = 's';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags += 'i';
  }
  try {
    return new RegExp(`^(?:${source})$`, flags);
  } catch (err) {
    throw new LlmwatchError(
      'store_invalid_matcher',
      `store: matchers[${index}] has invalid regex ${JSON.stringify(pattern)}: ${(err as Error).message}; fix the pattern (RE2 syntax, anchored automatically)`,
      { cause: err },
    );
  }
}

/** Compiles one matcher; throws LlmwatchError `store_invalid_matcher` on a bad type or regex. */
export function compileMatcher(matcher: LabelMatcher, index: number): CompiledMatcher {
  const { name, type, value } = matcher;
  if (typeof name !== 'string' || typeof value !== 'string') {
    throw new LlmwatchError(
      'store_invalid_matcher',
      `store: matchers[${index}] must have string name and value, got ${JSON.stringify(matcher)}`,
    );
  }
  let matches: (v: string) => boolean;
  switch (type) {
    case '=':
      matches = (v) => v === value;
      break;
    case '!=':
      matches = (v) => v !== value;
      break;
    case '=~': {
      const re = compileRegex(value, index);
      matches = (v) => re.test(v);
      break;
    }
    case '!~': {
      const re = compileRegex(value, index);
      matches = (v) => !re.test(v);
      break;
    }
    default:
      throw new LlmwatchError(
        'store_invalid_matcher',
        `store: matchers[${index}].type must be one of =, !=, =~, !~, got ${JSON.stringify(type)}`,
      );
  }
  return { name, type, value, matches, matchesEmpty: matches('') };
}

/** Compiles every matcher; see compileMatcher. */
export function compileMatchers(matchers: readonly LabelMatcher[]): CompiledMatcher[] {
  return matchers.map((m, i) => compileMatcher(m, i));
}

/** True when `labels` satisfies every matcher (a missing label counts as ""). */
export function matchesAll(labels: Labels, matchers: readonly CompiledMatcher[]): boolean {
  for (const m of matchers) {
    const value = Object.hasOwn(labels, m.name) ? labels[m.name] : undefined;
    if (!m.matches(value ?? '')) return false;
  }
  return true;
}
