/**
 * The YAML rule-file format and its validation. Every problem of every group and rule is
 * reported at once with its file, group and rule index, like `promtool check rules`.
 *
 * ```yaml
 * groups:
 *   - name: llm-quality
 *     interval: 1m
 *     rules:
 *       - alert: LowSafetyScore
 *         expr: sum by (component) (rate(llm_quality_score_sum{criterion="safety"}[10m])) / ...
 *         threshold: { op: below, value: 0.8 }
 *         recoveryThreshold: 0.85
 *         for: 5m
 * ```
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parsePromql } from '../promql/index.js';
import { parseDurationMs } from './duration.js';
import type { AlertRule, RuleGroup, RuleProblem } from './rule-types.js';
import { compileTemplate, type CompiledTemplate } from './template.js';

const duration = z.string().refine((text) => parseDurationMs(text) !== undefined, {
  error: (issue) => `must be a duration like "5m" or "1h30m", got ${JSON.stringify(issue.input)}`,
});
const labelName = z
  .string()
  .regex(
    /^[a-zA-Z_][a-zA-Z0-9_]*$/,
    'names use letters, digits and "_", not starting with a digit',
  );

const ruleSchema = z.strictObject({
  alert: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'alert must be a name like "LowSafetyScore"'),
  expr: z.string().min(1, 'expr must be a PromQL expression'),
  threshold: z.strictObject({ op: z.enum(['above', 'below']), value: z.number() }).optional(),
  recoveryThreshold: z.number().optional(),
  for: duration.optional(),
  keepFiringFor: duration.optional(),
  minSamples: z.strictObject({ expr: z.string().min(1), min: z.number().int().min(0) }).optional(),
  noDataState: z.enum(['NoData', 'Alerting', 'OK', 'KeepLast']).default('NoData'),
  errorState: z.enum(['Error', 'Alerting', 'OK', 'KeepLast']).default('Error'),
  labels: z.record(labelName, z.string()).default({}),
  annotations: z.record(labelName, z.string()).default({}),
});

const groupSchema = z.strictObject({
  name: z.string().min(1, 'group name must not be empty'),
  interval: duration.optional(),
  rules: z.array(z.unknown()).default([]),
});

const fileSchema = z.strictObject({ groups: z.array(z.unknown()) });

type RawRule = z.infer<typeof ruleSchema>;

/** The string field `key` of `value` when it is an object holding one. */
function nameOf(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

function issueText(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.');
  return field === '' ? issue.message : `${field}: ${issue.message}`;
}

/** Compiles templates; problems go to `problems` (pass a scratch array to ignore them). */
function compileAll(
  templates: Record<string, string>,
  what: string,
  problems: string[],
): Map<string, CompiledTemplate> {
  const out = new Map<string, CompiledTemplate>();
  for (const [name, text] of Object.entries(templates)) {
    try {
      out.set(name, compileTemplate(text));
    } catch (err) {
      problems.push(`${what}.${name}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** The fields of a rule that zod refused as a whole but that have the right types. */
function lenientView(raw: unknown): Partial<RawRule> {
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const view: Partial<RawRule> = {};
  if (typeof r.expr === 'string') view.expr = r.expr;
  const threshold = ruleSchema.shape.threshold.safeParse(r.threshold);
  if (threshold.success) view.threshold = threshold.data;
  if (typeof r.recoveryThreshold === 'number') view.recoveryThreshold = r.recoveryThreshold;
  const minSamples = ruleSchema.shape.minSamples.safeParse(r.minSamples);
  if (minSamples.success) view.minSamples = minSamples.data;
  const labels = ruleSchema.shape.labels.safeParse(r.labels);
  if (labels.success) view.labels = labels.data;
  const annotations = ruleSchema.shape.annotations.safeParse(r.annotations);
  if (annotations.success) view.annotations = annotations.data;
  return view;
}

/** Checks the parts zod cannot: PromQL, thresholds, reserved labels, templates. */
function semanticProblems(raw: Partial<RawRule>): string[] {
  const problems: string[] = [];
  for (const [field, expr] of [
    ['expr', raw.expr],
    ['minSamples.expr', raw.minSamples?.expr],
  ] as const) {
    if (expr === undefined) continue;
    try {
      const { type } = parsePromql(expr);
      if (type !== 'vector' && type !== 'scalar') {
        problems.push(`${field} must return an instant vector or scalar, got a ${type}`);
      }
    } catch (err) {
      problems.push(`${field}: ${(err as Error).message}`);
    }
  }
  const { threshold, recoveryThreshold } = raw;
  if (recoveryThreshold !== undefined && threshold === undefined) {
    problems.push('recoveryThreshold needs a threshold; add threshold: { op, value }');
  }
  if (threshold && recoveryThreshold !== undefined) {
    const wrongSide =
      threshold.op === 'above'
        ? recoveryThreshold > threshold.value
        : recoveryThreshold < threshold.value;
    if (wrongSide) {
      const side = threshold.op === 'above' ? 'at or below' : 'at or above';
      problems.push(
        `recoveryThreshold ${recoveryThreshold} must be ${side} the threshold ` +
          `${threshold.value} for op "${threshold.op}"`,
      );
    }
  }
  for (const name of Object.keys(raw.labels ?? {})) {
    if (name.startsWith('__') || name === 'alertname') {
      problems.push(`labels.${name} is reserved; choose another name`);
    }
  }
  compileAll(raw.labels ?? {}, 'labels', problems);
  compileAll(raw.annotations ?? {}, 'annotations', problems);
  return problems;
}

/** Builds a validated rule; template problems were reported by semanticProblems. */
function buildRule(raw: RawRule, group: string, source: AlertRule['source']): AlertRule {
  return {
    group,
    alert: raw.alert,
    expr: raw.expr,
    threshold: raw.threshold,
    recoveryThreshold: raw.recoveryThreshold,
    forMs: parseDurationMs(raw.for ?? '0s') ?? 0,
    keepFiringForMs: parseDurationMs(raw.keepFiringFor ?? '0s') ?? 0,
    minSamples: raw.minSamples,
    noDataState: raw.noDataState,
    errorState: raw.errorState,
    labels: raw.labels,
    annotations: raw.annotations,
    compiledLabels: compileAll(raw.labels, 'labels', []),
    compiledAnnotations: compileAll(raw.annotations, 'annotations', []),
    source,
  };
}

/**
 * Parses and validates one rule file's text. `defaultIntervalMs` applies to groups without an
 * `interval`. Returns the valid groups (only when the whole file is valid) and every problem.
 * Never throws.
 */
export function parseRuleFile(
  text: string,
  file: string,
  defaultIntervalMs: number,
): { groups: RuleGroup[]; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    for (const err of doc.errors) problems.push({ file, message: `YAML: ${err.message}` });
    return { groups: [], problems };
  }
  let raw: unknown;
  try {
    // Anchors reused across many rules are normal; the limit still stops alias bombs.
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    problems.push({ file, message: `YAML: ${(err as Error).message}; use fewer aliases` });
    return { groups: [], problems };
  }
  const top = fileSchema.safeParse(raw ?? { groups: [] });
  if (!top.success) {
    for (const issue of top.error.issues) problems.push({ file, message: issueText(issue) });
    return { groups: [], problems };
  }

  const groups: RuleGroup[] = [];
  const groupNames = new Set<string>();
  for (const [groupIndex, rawGroup] of top.data.groups.entries()) {
    const groupName = nameOf(rawGroup, 'name');
    const at = { file, groupIndex, group: groupName };
    const parsedGroup = groupSchema.safeParse(rawGroup);
    if (!parsedGroup.success) {
      for (const issue of parsedGroup.error.issues) {
        problems.push({ ...at, message: issueText(issue) });
      }
      continue;
    }
    const { name, interval, rules: rawRules } = parsedGroup.data;
    if (groupNames.has(name)) {
      problems.push({ ...at, message: `group name "${name}" is used twice in this file` });
    }
    groupNames.add(name);

    const rules: AlertRule[] = [];
    const alertNames = new Set<string>();
    for (const [ruleIndex, rawRule] of rawRules.entries()) {
      const ruleAt = { ...at, ruleIndex, rule: nameOf(rawRule, 'alert') };
      const parsed = ruleSchema.safeParse(rawRule);
      const ruleProblems: string[] = [];
      if (!parsed.success) {
        ruleProblems.push(...parsed.error.issues.map(issueText));
        ruleProblems.push(...semanticProblems(lenientView(rawRule)));
      } else {
        ruleProblems.push(...semanticProblems(parsed.data));
        const source = { file, groupIndex, ruleIndex };
        const rule = buildRule(parsed.data, name, source);
        if (alertNames.has(rule.alert)) {
          ruleProblems.push(`alert "${rule.alert}" is used twice in group "${name}"`);
        }
        alertNames.add(rule.alert);
        rules.push(rule);
      }
      for (const message of ruleProblems) problems.push({ ...ruleAt, message });
    }
    const intervalMs = interval === undefined ? defaultIntervalMs : parseDurationMs(interval);
    if (intervalMs === 0) {
      problems.push({ ...at, message: 'interval must be longer than 0s, e.g. "1m"' });
    }
    groups.push({ name, intervalMs: intervalMs ?? defaultIntervalMs, file, rules });
  }
  return { groups: problems.length === 0 ? groups : [], problems };
}
