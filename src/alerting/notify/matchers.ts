/**
 * Label matchers shared by routes, inhibition rules and silences: `{name, value, isRegex,
 * isEqual}` as in Alertmanager's API, and the text form `name="value"`, `name!="value"`,
 * `name=~"regex"`, `name!~"regex"` used in the configuration. Regexes are anchored (they must
 * match the whole label value), and a missing label counts as the empty string.
 */
import { LlmwatchError } from '../../core/errors.js';
import type { Labels } from '../../store/types.js';

/** One label matcher. */
export interface Matcher {
  /** Label name, e.g. "component". */
  name: string;
  /** Value to compare with, or a regular expression when `isRegex`. */
  value: string;
  /** True: `value` is a regular expression matched against the whole label value. */
  isRegex: boolean;
  /** True for `=` / `=~`; false for `!=` / `!~`. */
  isEqual: boolean;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TEXT_FORM = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;
const compiled = new Map<string, RegExp>();

/** The anchored RegExp for `pattern`; throws `matcher_invalid` naming the pattern. */
export function compileMatcherRegex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  try {
    re = new RegExp(`^(?:${pattern})$`, 'u');
  } catch (err) {
    throw new LlmwatchError(
      'matcher_invalid',
      `matcher regex ${JSON.stringify(pattern)} is invalid (${(err as Error).message}); fix the pattern`,
    );
  }
  if (compiled.size > 10_000) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

/** Checks a matcher's name and regex; throws `matcher_invalid` with the bad value and the fix. */
export function validateMatcher(matcher: Matcher): void {
  if (!LABEL_NAME.test(matcher.name)) {
    throw new LlmwatchError(
      'matcher_invalid',
      `matcher name ${JSON.stringify(matcher.name)} is not a label name; use letters, digits and "_", not starting with a digit`,
    );
  }
  if (matcher.isRegex) compileMatcherRegex(matcher.value);
}

/**
 * Parses the text form, e.g. `severity=~"critical|page"`. The value may be double-quoted (JSON
 * escapes) or bare. Throws `matcher_invalid` naming the text on bad input.
 */
export function parseMatcher(text: string): Matcher {
  const m = TEXT_FORM.exec(text);
  if (!m) {
    throw new LlmwatchError(
      'matcher_invalid',
      `matcher ${JSON.stringify(text)} is not like name="value", name!="value", name=~"regex" or name!~"regex"`,
    );
  }
  const [, name = '', op = '=', rawValue = ''] = m;
  let value = rawValue;
  if (rawValue.startsWith('"')) {
    try {
      value = JSON.parse(rawValue) as string;
    } catch {
      throw new LlmwatchError(
        'matcher_invalid',
        `matcher ${JSON.stringify(text)} has a badly quoted value; close the quotes and escape inner ones with \\"`,
      );
    }
  }
  const matcher = { name, value, isRegex: op.endsWith('~'), isEqual: !op.startsWith('!') };
  validateMatcher(matcher);
  return matcher;
}

/** The text form of a matcher, e.g. `component="chat"`. */
export function formatMatcher(matcher: Matcher): string {
  const op = (matcher.isEqual ? '=' : '!') + (matcher.isRegex ? '~' : matcher.isEqual ? '' : '=');
  return `${matcher.name}${op}${JSON.stringify(matcher.value)}`;
}

/** True when `labels` satisfy one matcher. */
export function matchesOne(matcher: Matcher, labels: Labels): boolean {
  const actual = labels[matcher.name] ?? '';
  const hit = matcher.isRegex
    ? compileMatcherRegex(matcher.value).test(actual)
    : actual === matcher.value;
  return hit === matcher.isEqual;
}

/** True when `labels` satisfy every matcher (an empty list matches everything). */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matchesOne(m, labels));
}
