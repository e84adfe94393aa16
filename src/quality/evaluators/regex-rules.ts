/**
 * User-supplied regex rules: the response must match, or must not match, each pattern.
 */
import { LlmwatchError } from '../../core/errors.js';
import { guarded, type Evaluator } from './types.js';

/** One rule from the configuration. */
export interface RegexRule {
  /** Rule name, shown in results and errors. */
  name: string;
  /** JavaScript regular expression source, e.g. "\\bACME\\b". */
  pattern: string;
  /** Regex flags among "imsu"; default "". ("g" and "y" are not allowed: they carry state.) */
  flags?: string;
  /** "must_match": the response must contain a match; "must_not_match": it must not. */
  mode: 'must_match' | 'must_not_match';
}

/** Characters of the response the rules see; longer responses are cut (details.truncated). */
export const REGEX_INPUT_LIMIT_CHARS = 100_000;

/**
 * Compiles `rules`, throwing LlmwatchError `quality_regex_invalid` naming the first rule whose
 * pattern or flags do not compile (a configuration error, reported at start-up).
 */
export function compileRegexRules(
  rules: readonly RegexRule[],
): Array<RegexRule & { regex: RegExp }> {
  return rules.map((rule, index) => {
    const flags = rule.flags ?? '';
    if (!/^[imsu]*$/.test(flags)) {
      throw new LlmwatchError(
        'quality_regex_invalid',
        `quality regex rule ${JSON.stringify(rule.name)} (rules[${index}]) has flags ${JSON.stringify(flags)}; use only i, m, s, u`,
      );
    }
    try {
      return { ...rule, regex: new RegExp(rule.pattern, flags) };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new LlmwatchError(
        'quality_regex_invalid',
        `quality regex rule ${JSON.stringify(rule.name)} (rules[${index}]) has an invalid pattern ${JSON.stringify(rule.pattern)}: ${why}; fix the pattern`,
      );
    }
  });
}

/**
 * Criterion `regex_rules`: the share of rules the response passes; details.failed names the
 * rules it failed. Returns null when there are no rules. Throws like compileRegexRules.
 * Limitation: a user pattern with catastrophic backtracking can still be slow; input is cut to
 * REGEX_INPUT_LIMIT_CHARS to bound the damage.
 */
export function createRegexRulesEvaluator(rules: readonly RegexRule[]): Evaluator {
  const compiled = compileRegexRules(rules);
  return guarded('regex_rules', (_sample, text) => {
    if (compiled.length === 0) return null;
    const input = text.slice(0, REGEX_INPUT_LIMIT_CHARS);
    const failed = compiled
      .filter((rule) => rule.regex.test(input) !== (rule.mode === 'must_match'))
      .map((rule) => rule.name);
    return {
      criterion: 'regex_rules',
      outcome: 'scored',
      score: (compiled.length - failed.length) / compiled.length,
      details: { failed, truncated: text.length > REGEX_INPUT_LIMIT_CHARS },
    };
  });
}
