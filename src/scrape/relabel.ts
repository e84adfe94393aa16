/**
 * Relabelling of discovered scrape targets, in the spirit of Prometheus's relabel_configs: each
 * rule reads the target's labels (`__address__`, `__scheme__`, `__metrics_path__`, `__engine__`,
 * `__meta_filepath` and the file's own labels) and rewrites, keeps or drops it. Labels starting
 * with `__` are removed after relabelling, so rules use them to build `component`, `copy`,
 * `endpoint`, `instance`, `model`.
 *
 * Regexes are JavaScript regular expressions, anchored at both ends. In `replacement`, `$1` /
 * `${1}` insert a numbered group, `${name}` a named group, `$$` a literal `$`; like Go's Expand, a
 * reference takes every following letter, digit and `_` (`$1_x` is the group "1_x", write
 * `${1}_x`); an unknown group inserts "".
 * Limitation: regexes run on Node's backtracking engine, so a pathological pattern in the
 * configuration can be slow; the input (label values) is short.
 */
import { z } from 'zod';
import type { Labels } from '../store/types.js';

/** Relabel actions. */
export const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'labelmap',
  'labeldrop',
  'labelkeep',
] as const;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function compiles(pattern: string): boolean {
  try {
    new RegExp(`^(?:${pattern})$`);
    return true;
  } catch {
    return false;
  }
}

/** One relabel rule as written in the configuration (camelCase keys). */
export const relabelRuleSchema = z
  .strictObject({
    /** What the rule does. Default "replace". */
    action: z.enum(RELABEL_ACTIONS).default('replace'),
    /** Labels whose values are joined with `separator` and matched against `regex`. */
    sourceLabels: z.array(z.string().regex(LABEL_NAME, 'must be a label name')).default([]),
    /** Joins the source label values. Default ";". */
    separator: z.string().default(';'),
    /**
     * Anchored regular expression. On values for replace/keep/drop, on label names for
     * labelmap/labeldrop/labelkeep. Default "(.*)".
     */
    regex: z
      .string()
      .default('(.*)')
      .refine(compiles, {
        error: (issue) => `regex ${JSON.stringify(issue.input)} does not compile; fix its syntax`,
      }),
    /** Label written by replace. Required for replace. */
    targetLabel: z.string().regex(LABEL_NAME, 'must be a label name').optional(),
    /** Value (replace) or label name (labelmap) written, with `$1`/`${name}` groups. Default "$1". */
    replacement: z.string().default('$1'),
  })
  .refine((rule) => rule.action !== 'replace' || rule.targetLabel !== undefined, {
    error: 'a replace rule needs targetLabel (the label it writes)',
    path: ['targetLabel'],
  });

/** One validated relabel rule. */
export type RelabelRule = z.infer<typeof relabelRuleSchema>;

/** A rule with its regex compiled once. */
export interface CompiledRelabelRule extends RelabelRule {
  re: RegExp;
}

/** Compiles the regexes of validated rules (anchored). Throws a SyntaxError on a bad regex. */
export function compileRelabelRules(rules: readonly RelabelRule[]): CompiledRelabelRule[] {
  return rules.map((rule) => ({ ...rule, re: new RegExp(`^(?:${rule.regex})$`) }));
}

/** Expands `$1`, `${1}`, `${name}`, `$name` and `$$` in `template` from a match. */
export function expandReplacement(template: string, match: RegExpExecArray): string {
  return template.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const ref = braced ?? bare ?? '';
    if (/^\d+$/.test(ref)) return match[Number(ref)] ?? '';
    return match.groups?.[ref] ?? '';
  });
}

function applyRule(labels: Labels, rule: CompiledRelabelRule): Labels | null {
  const value = rule.sourceLabels.map((name) => labels[name] ?? '').join(rule.separator);
  switch (rule.action) {
    case 'keep':
      return rule.re.test(value) ? labels : null;
    case 'drop':
      return rule.re.test(value) ? null : labels;
    case 'replace': {
      const match = rule.re.exec(value);
      if (!match || rule.targetLabel === undefined) return labels;
      const result = expandReplacement(rule.replacement, match);
      const out = { ...labels };
      if (result === '') delete out[rule.targetLabel];
      else out[rule.targetLabel] = result;
      return out;
    }
    case 'labelmap': {
      const out = { ...labels };
      for (const [name, v] of Object.entries(labels)) {
        const match = rule.re.exec(name);
        if (!match) continue;
        const target = expandReplacement(rule.replacement, match);
        if (LABEL_NAME.test(target)) out[target] = v;
      }
      return out;
    }
    case 'labeldrop':
    case 'labelkeep': {
      const keepMatching = rule.action === 'labelkeep';
      const out: Labels = {};
      for (const [name, v] of Object.entries(labels)) {
        if (rule.re.test(name) === keepMatching) out[name] = v;
      }
      return out;
    }
  }
}

/**
 * Applies `rules` in order to a copy of `labels`. Returns the new labels, or null when a keep or
 * drop rule dropped the target. `labels` itself is never changed.
 */
export function relabel(labels: Labels, rules: readonly CompiledRelabelRule[]): Labels | null {
  let current: Labels = { ...labels };
  for (const rule of rules) {
    const next = applyRule(current, rule);
    if (next === null) return null;
    current = next;
  }
  return current;
}
