/**
 * Recording rules as data, and their validation: every problem of every rule is reported at once,
 * each naming the rule's index, so a YAML file with three mistakes is fixed in one pass.
 */
import { LlmwatchError } from '../core/errors.js';
import { parsePromql } from '../promql/index.js';

/**
 * One recording rule: evaluate `expr` (PromQL, instant vector or scalar) at each tick and store
 * the result as the series `record`, with `labels` added (they replace result labels of the
 * same name).
 */
export interface RecordingRule {
  /** Metric name of the recorded series, e.g. "llm_cost_dollars_per_hour". */
  record: string;
  /** PromQL expression; must evaluate to an instant vector or a scalar. */
  expr: string;
  /** Labels added to every recorded sample; default none. `__`-prefixed names are refused. */
  labels?: Record<string, string>;
}

/** Prometheus metric-name syntax (recording rules may use colons). */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Prometheus label-name syntax. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Problems of one rule, each message prefixed with `rules[index]`. */
function ruleProblems(rule: unknown, index: number): string[] {
  const at = `rules[${index}]`;
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    return [`${at} must be an object with record and expr, got ${JSON.stringify(rule)}`];
  }
  const { record, expr, labels } = rule as Partial<RecordingRule>;
  const problems: string[] = [];

  if (typeof record !== 'string' || !METRIC_NAME.test(record)) {
    problems.push(
      `${at}.record must be a metric name like "llm_cost_dollars_per_hour" ` +
        `(letters, digits, "_" and ":", not starting with a digit), got ${JSON.stringify(record)}`,
    );
  }

  if (typeof expr !== 'string' || expr.trim() === '') {
    problems.push(`${at}.expr must be a non-empty PromQL expression, got ${JSON.stringify(expr)}`);
  } else {
    try {
      const { type } = parsePromql(expr);
      if (type !== 'vector' && type !== 'scalar') {
        problems.push(
          `${at}.expr must evaluate to an instant vector or a scalar, got a ${type}; ` +
            'wrap a range selector in a function such as rate()',
        );
      }
    } catch (err) {
      problems.push(`${at}.expr: ${(err as Error).message}`);
    }
  }

  if (labels !== undefined) {
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
      problems.push(`${at}.labels must be an object of label name to string value`);
    } else {
      for (const [name, value] of Object.entries(labels)) {
        if (!LABEL_NAME.test(name) || name.startsWith('__')) {
          problems.push(
            `${at}.labels has invalid name ${JSON.stringify(name)}; use letters, digits and "_", ` +
              'not starting with a digit or "__"',
          );
        } else if (typeof value !== 'string') {
          problems.push(`${at}.labels.${name} must be a string, got ${typeof value}`);
        }
      }
    }
  }
  return problems;
}

/**
 * Checks every rule and returns every problem found (empty when all are valid). Messages start
 * with `rules[<index>]` and name the bad value and the fix. Never throws, whatever the input.
 */
export function validateRules(rules: readonly unknown[]): string[] {
  if (!Array.isArray(rules)) return ['rules must be a list of {record, expr, labels?}'];
  return rules.flatMap((rule, index) => ruleProblems(rule, index));
}

/**
 * Throws LlmwatchError "rules_invalid" listing every problem (one per line) when any rule is
 * invalid; returns normally otherwise.
 */
export function assertValidRules(rules: readonly unknown[]): void {
  const problems = validateRules(rules);
  if (problems.length > 0) {
    throw new LlmwatchError(
      'rules_invalid',
      `${problems.length} problem(s) in recording rules:\n  - ${problems.join('\n  - ')}`,
    );
  }
}
