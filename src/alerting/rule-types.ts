/** Alert rules after loading and validation (see rule-file.ts for the YAML form). */
import type { CompiledTemplate } from './template.js';

/** What a rule does when its query returns no series at all (or a series disappears). */
export type NoDataPolicy = 'NoData' | 'Alerting' | 'OK' | 'KeepLast';
/** What a rule does when its query fails. */
export type ErrorPolicy = 'Error' | 'Alerting' | 'OK' | 'KeepLast';

/** Where a rule was written, for error messages and the API. */
export interface RuleSource {
  file: string;
  groupIndex: number;
  ruleIndex: number;
}

/** One alert rule, validated. */
export interface AlertRule {
  /** Name of the group the rule is in. */
  group: string;
  /** The alert name (`alertname` label). Unique within its group. */
  alert: string;
  /** PromQL, evaluated at each round; every result element is a series of the rule. */
  expr: string;
  /**
   * Condition per series: `above` fires when value > threshold, `below` when value < threshold.
   * Absent: every series the expression returns is in breach (Prometheus semantics).
   */
  threshold?: { op: 'above' | 'below'; value: number };
  /**
   * A firing series recovers only once past this value (≤ threshold for `above`, ≥ for
   * `below`); values between the two keep it firing. Default: the threshold itself.
   */
  recoveryThreshold?: number;
  /** Pending period in ms before a breaching series fires. Default 0 (fires at once). */
  forMs: number;
  /** How long a recovered series keeps firing (state Recovering) before it resolves, ms. */
  keepFiringForMs: number;
  /** Per-series sample count expression and minimum; below it a series does not transition. */
  minSamples?: { expr: string; min: number };
  noDataState: NoDataPolicy;
  errorState: ErrorPolicy;
  /** Label templates, raw text (rendered per series). */
  labels: Record<string, string>;
  /** Annotation templates, raw text. */
  annotations: Record<string, string>;
  /** Compiled templates of `labels` and `annotations`. */
  compiledLabels: ReadonlyMap<string, CompiledTemplate>;
  compiledAnnotations: ReadonlyMap<string, CompiledTemplate>;
  source: RuleSource;
}

/** One rule group: rules evaluated in order, every `intervalMs`. */
export interface RuleGroup {
  name: string;
  /** Evaluation interval, ms. */
  intervalMs: number;
  /** File the group came from. */
  file: string;
  rules: AlertRule[];
}

/** One problem found while loading rule files. */
export interface RuleProblem {
  file: string;
  /** Index of the group in the file's `groups`, when the problem is inside one. */
  groupIndex?: number;
  group?: string;
  /** Index of the rule in its group's `rules`, when the problem is inside one. */
  ruleIndex?: number;
  rule?: string;
  message: string;
}

/** Formats a problem as `file: group "g" (groups[0]), rule "R" (rules[2]): message`. */
export function formatRuleProblem(problem: RuleProblem): string {
  let where = problem.file;
  if (problem.groupIndex !== undefined) {
    const name = problem.group === undefined ? '' : ` "${problem.group}"`;
    where += `: group${name} (groups[${problem.groupIndex}])`;
  }
  if (problem.ruleIndex !== undefined) {
    const name = problem.rule === undefined ? '' : ` "${problem.rule}"`;
    where += `, rule${name} (rules[${problem.ruleIndex}])`;
  }
  return `${where}: ${problem.message}`;
}

/** Unique key of a rule across groups: `group/alert`. */
export function ruleKey(rule: Pick<AlertRule, 'group' | 'alert'>): string {
  return `${rule.group}/${rule.alert}`;
}
