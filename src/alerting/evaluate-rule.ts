/**
 * One rule, one evaluation: runs the rule's query (and its minSamples query), turns the result
 * into a signal per series, and steps every instance of the rule through the state machine.
 */
import { createHash } from 'node:crypto';
import type { PromqlEngine, QueryResult } from '../promql/index.js';
import type { Labels } from '../store/types.js';
import type { AlertRule } from './rule-types.js';
import {
  classifyValue,
  errorSignal,
  noDataSignal,
  normalInstance,
  stepInstance,
  type InstanceState,
  type Signal,
} from './state-machine.js';

/** A stable 16-hex-digit hash of a label set (order-independent). */
export function hashLabels(labels: Labels): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

interface Row {
  labels: Labels;
  value: number;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Result rows without `__name__`; throws when two rows end up with the same labels. */
function toRows(result: QueryResult, expr: string): Row[] {
  if (result.resultType === 'scalar') return [{ labels: {}, value: parseValue(result.result[1]) }];
  if (result.resultType !== 'vector') {
    throw new Error(`expression returned a ${result.resultType}, not an instant vector: ${expr}`);
  }
  const seen = new Set<string>();
  return result.result.map(({ metric, value }) => {
    const labels = { ...metric };
    delete labels.__name__;
    const key = hashLabels(labels);
    if (seen.has(key)) {
      throw new Error(
        `expression returned two series with labels ${JSON.stringify(labels)} once the metric ` +
          'name is dropped; aggregate with "by (...)" to keep them apart',
      );
    }
    seen.add(key);
    return { labels, value: parseValue(value[1]) };
  });
}

/** The sample count for a series: the first count row whose labels are all on the series. */
function countFor(counts: readonly Row[], labels: Labels): number {
  for (const row of counts) {
    if (Object.entries(row.labels).every(([name, value]) => labels[name] === value)) {
      return Number.isNaN(row.value) ? 0 : row.value;
    }
  }
  return 0;
}

/** Outcome of evaluating one rule. */
export interface RuleEvaluation {
  /** Every instance after the step, normal ones included, with the state before it. */
  steps: Array<{ before: InstanceState; after: InstanceState }>;
  /** The query error, when the query failed. */
  error?: string;
}

/**
 * Evaluates `rule` at `timeMs` against its current instances (keyed by series key). Never
 * rejects: query errors become the rule's errorState.
 */
export async function evaluateRule(
  rule: AlertRule,
  ruleKey: string,
  instances: ReadonlyMap<string, InstanceState>,
  engine: Pick<PromqlEngine, 'instantQuery'>,
  timeMs: number,
): Promise<RuleEvaluation> {
  let rows: Row[];
  let counts: Row[] | undefined;
  let error: string | undefined;
  try {
    rows = toRows(await engine.instantQuery(rule.expr, timeMs), rule.expr);
    if (rule.minSamples) {
      counts = toRows(
        await engine.instantQuery(rule.minSamples.expr, timeMs),
        rule.minSamples.expr,
      );
    }
  } catch (err) {
    rows = [];
    error = err instanceof Error ? err.message : String(err);
  }

  const signals = new Map<string, { labels: Labels; signal: Signal; samples: number | null }>();
  const existing = [...instances.values()];
  if (error !== undefined || rows.length === 0) {
    const targets =
      existing.length > 0
        ? existing.map((i) => ({ key: i.seriesKey, labels: i.seriesLabels, last: i.value }))
        : [{ key: hashLabels({}), labels: {}, last: NaN }];
    for (const target of targets) {
      const signal =
        error === undefined
          ? noDataSignal(rule, target.last)
          : errorSignal(rule, target.last, error);
      signals.set(target.key, { labels: target.labels, signal, samples: null });
    }
  } else {
    for (const row of rows) {
      const samples = counts ? countFor(counts, row.labels) : null;
      const enough = rule.minSamples === undefined || (samples ?? 0) >= rule.minSamples.min;
      const kind = classifyValue(rule, row.value);
      const signal: Signal = !enough
        ? { kind: 'hold', value: row.value }
        : kind === 'nodata'
          ? noDataSignal(rule, row.value)
          : { kind: kind as 'breach', value: row.value };
      signals.set(hashLabels(row.labels), { labels: row.labels, signal, samples });
    }
    for (const instance of existing) {
      if (!signals.has(instance.seriesKey)) {
        signals.set(instance.seriesKey, {
          labels: instance.seriesLabels,
          signal: { kind: 'missing', value: instance.value },
          samples: instance.sampleCount,
        });
      }
    }
  }

  const steps: RuleEvaluation['steps'] = [];
  for (const [key, { labels, signal, samples }] of signals) {
    const before = instances.get(key) ?? normalInstance(ruleKey, key, labels, timeMs);
    const after = { ...stepInstance(before, signal, rule, timeMs), sampleCount: samples };
    steps.push({ before, after });
  }
  return error === undefined ? { steps } : { steps, error };
}
