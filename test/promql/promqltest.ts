/**
 * Runs Prometheus's PromQL test scripts against llmwatch's engine over the in-memory store and
 * reports one result per `eval` command. Comparison follows the upstream harness: values equal
 * within a relative error of 1e-6 (NaN equals NaN), result sets compared without order unless
 * `expect ordered`, and each instant eval is checked a second time as a range query
 * (t-1m .. t+1m, step 1m) whose middle step must give the same result.
 * Limitation: the engine produces no annotations, so `expect warn` / `expect info` lines are not
 * checked (cases carrying them are flagged `uncheckedAnnotations`), and the upstream extra runs
 * with every selector pinned by `@` are not repeated.
 */
import type { Labels, Sample } from '../../src/store/types.js';
import { createMemoryStore } from '../../src/promql/memory-store.js';
import {
  createPromqlEngine,
  type PromqlEngine,
  type QueryResult,
} from '../../src/promql/engine.js';
import { labelsKey } from '../../src/promql/labels.js';
import { STALE_NAN } from '../../src/promql/staleness.js';
import { parseScript, type EvalCommand, type LoadCommand } from './script.js';
import { parseGoFloat } from './series-desc.js';

/** The outcome of one `eval` command. */
export interface CaseResult {
  file: string;
  /** 1-based line of the `eval` command. */
  line: number;
  expr: string;
  status: 'pass' | 'fail' | 'skip';
  /** Why it failed (the mismatch or error) or why it was skipped. */
  detail?: string;
  /** True when the case expects warn/info annotations, which are not checked. */
  uncheckedAnnotations: boolean;
}

const EPSILON = 0.000001;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Upstream's almost.Equal: relative error below epsilon, NaN equal to NaN. */
export function almostEqual(a: number, b: number, epsilon = EPSILON): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

function parseValue(text: string): number {
  const value = parseGoFloat(text);
  if (value === undefined) throw new Error(`engine returned a non-number "${text}"`);
  return value;
}

function describe(labels: Labels): string {
  return labelsKey(labels);
}

/** Mutable state of one script run: the store and the names of skipped native histograms. */
interface RunState {
  store: ReturnType<typeof createMemoryStore>;
  engine: PromqlEngine;
  nativeHistogramNames: Set<string>;
}

function freshState(): RunState {
  const store = createMemoryStore();
  const engine = createPromqlEngine(store, {
    lookbackDeltaMs: 5 * 60_000,
    defaultSubqueryStepMs: 60_000,
  });
  return { store, engine, nativeHistogramNames: new Set() };
}

async function load(state: RunState, command: LoadCommand): Promise<void> {
  const samples: Sample[] = [];
  for (const series of command.series) {
    const name = series.labels.__name__ ?? '';
    if (series.nativeHistogram) {
      state.nativeHistogramNames.add(name);
      continue;
    }
    if (command.withNhcb) {
      const base = /^(.*)_(bucket|count|sum)$/.exec(name)?.[1];
      if (base) state.nativeHistogramNames.add(base);
    }
    series.values.forEach((value, i) => {
      if (value === 'omitted') return;
      const timestampMs = i * command.stepMs;
      samples.push({
        labels: series.labels,
        timestampMs,
        value: value === 'stale' ? STALE_NAN : value,
      });
    });
  }
  await state.store.append(samples);
}

/** Why an eval is skipped (native histograms), or undefined when it runs. */
function skipReason(state: RunState, command: EvalCommand): string | undefined {
  for (const expected of command.expected.values()) {
    if (expected.nativeHistogram) return 'native histogram: expects a native histogram result';
  }
  for (const ident of command.expr.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []) {
    if (state.nativeHistogramNames.has(ident)) {
      return `native histogram: queries series "${ident}" loaded as a native histogram`;
    }
  }
  for (const [, pattern] of command.expr.matchAll(/__name__\s*=~\s*"([^"]*)"/g)) {
    const regex = new RegExp(`^(?:${pattern})$`);
    const hit = [...state.nativeHistogramNames].find((name) => regex.test(name));
    if (hit) return `native histogram: queries series "${hit}" loaded as a native histogram`;
  }
  return undefined;
}

function checkFailure(command: EvalCommand, err: Error): string | undefined {
  if (command.failMessage !== undefined && err.message !== command.failMessage) {
    return `failed as expected, but with message "${err.message}" instead of "${command.failMessage}"`;
  }
  if (command.failRegex && !command.failRegex.test(err.message)) {
    return `failed as expected, but with message "${err.message}" not matching ${command.failRegex}`;
  }
  return undefined;
}

/** Compares an instant vector (label key → value) with the expectation. */
function compareVector(
  command: EvalCommand,
  actual: Array<{ metric: Labels; value: number }>,
  checkOrder: boolean,
): string | undefined {
  if (command.expectedScalar !== undefined) return `expected a scalar, got a vector`;
  const seen = new Set<string>();
  for (const [index, sample] of actual.entries()) {
    const key = labelsKey(sample.metric);
    const expected = command.expected.get(key);
    if (!expected) return `unexpected series ${describe(sample.metric)} = ${sample.value}`;
    if (checkOrder && expected.position !== index + 1) {
      return `series ${key} at position ${index + 1}, expected ${expected.position}`;
    }
    const want = expected.values[0];
    if (typeof want !== 'number' || !almostEqual(want, sample.value)) {
      return `series ${key}: expected ${String(want)}, got ${sample.value}`;
    }
    seen.add(key);
  }
  for (const [key] of command.expected) {
    if (!seen.has(key)) return `expected series ${key} not found`;
  }
  return undefined;
}

function compareMatrix(
  command: EvalCommand,
  result: Extract<QueryResult, { resultType: 'matrix' }>,
  startMs: number,
  endMs: number,
  stepMs: number,
): string | undefined {
  if (command.expectedScalar !== undefined) return 'expected a scalar, got a matrix';
  const seen = new Set<string>();
  for (const series of result.result) {
    const key = labelsKey(series.metric);
    const expected = command.expected.get(key);
    if (!expected) return `unexpected series ${key} with ${series.values.length} points`;
    seen.add(key);
    const want: Array<[number, number]> = [];
    for (const [i, value] of expected.values.entries()) {
      const t = startMs + i * stepMs;
      if (t > endMs) return `expected ${expected.values.length} points for ${key}, too many`;
      if (value === 'stale') return `expected a stale marker for ${key}`;
      if (value !== 'omitted') want.push([t, value]);
    }
    if (want.length !== series.values.length) {
      return `series ${key}: expected ${want.length} points, got ${series.values.length} (${JSON.stringify(series.values)})`;
    }
    for (const [i, [t, value]] of want.entries()) {
      const [actualSeconds, actualText] = series.values[i] as [number, string];
      const actual = parseValue(actualText);
      if (Math.round(actualSeconds * 1000) !== t) {
        return `series ${key} point ${i}: expected time ${t}ms, got ${actualSeconds * 1000}ms`;
      }
      if (!almostEqual(value, actual)) {
        return `series ${key} at ${t}ms: expected ${value}, got ${actual}`;
      }
    }
  }
  for (const [key] of command.expected) {
    if (!seen.has(key)) return `expected series ${key} not found`;
  }
  return undefined;
}

function compareResult(command: EvalCommand, result: QueryResult): string | undefined {
  switch (result.resultType) {
    case 'scalar': {
      if (command.expectedScalar === undefined) return `expected a vector, got scalar`;
      const actual = parseValue(result.result[1]);
      return almostEqual(command.expectedScalar, actual)
        ? undefined
        : `expected scalar ${command.expectedScalar}, got ${actual}`;
    }
    case 'string':
      return command.expectedString === result.result[1]
        ? undefined
        : `expected string ${JSON.stringify(command.expectedString)}, got ${JSON.stringify(result.result[1])}`;
    case 'vector':
      return compareVector(
        command,
        result.result.map((s) => ({ metric: s.metric, value: parseValue(s.value[1]) })),
        command.ordered,
      );
    case 'matrix': {
      const rv = command.expectedRangeVector;
      if (!command.range && !rv) return 'expected an instant result, got a matrix';
      return rv
        ? compareMatrix(command, result, rv.startMs, rv.endMs, rv.stepMs)
        : compareMatrix(command, result, command.startMs, command.endMs, command.stepMs);
    }
  }
}

/** Re-runs an instant eval as a range query around its time; compares the middle step. */
async function checkRangeMode(
  state: RunState,
  command: EvalCommand,
  instant: QueryResult,
): Promise<string | undefined> {
  if (command.expectedRangeVector || command.expectedString !== undefined || command.ordered) {
    return undefined;
  }
  if (/(start|end|range|step)\(\)/.test(command.expr)) return undefined;
  const t = command.startMs;
  const result = await state.engine.rangeQuery(command.expr, t - 60_000, t + 60_000, 60_000);
  if (result.resultType !== 'matrix') return 'range mode did not return a matrix';
  const vector: Array<{ metric: Labels; value: number }> = [];
  for (const series of result.result) {
    const point = series.values.find(([seconds]) => Math.round(seconds * 1000) === t);
    if (point) vector.push({ metric: series.metric, value: parseValue(point[1]) });
  }
  if (instant.resultType === 'scalar') {
    const value = vector[0]?.value;
    if (value === undefined || !almostEqual(command.expectedScalar ?? NaN, value)) {
      return `range mode: expected scalar ${command.expectedScalar}, got ${value}`;
    }
    return undefined;
  }
  const problem = compareVector(command, vector, false);
  return problem && `range mode: ${problem}`;
}

async function runEval(state: RunState, command: EvalCommand): Promise<string | undefined> {
  let result: QueryResult;
  try {
    result = command.range
      ? await state.engine.rangeQuery(command.expr, command.startMs, command.endMs, command.stepMs)
      : await state.engine.instantQuery(command.expr, command.startMs);
  } catch (err) {
    if (command.fail) return checkFailure(command, err as Error);
    return `error: ${(err as Error).message}`;
  }
  if (command.fail) return 'expected an error, got a result';
  const problem = compareResult(command, result);
  if (problem || command.range) return problem;
  try {
    return await checkRangeMode(state, command, result);
  } catch (err) {
    return `range mode error: ${(err as Error).message}`;
  }
}

/** Runs one script; `file` names it in the results. Throws only for a malformed script. */
export async function runScript(file: string, text: string): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  let state = freshState();
  for (const command of parseScript(text)) {
    if (command.kind === 'clear') {
      state = freshState();
      continue;
    }
    if (command.kind === 'load') {
      await load(state, command);
      continue;
    }
    const base = {
      file,
      line: command.line,
      expr: command.expr,
      uncheckedAnnotations: command.annotations.some((a) => a.type === 'warn' || a.type === 'info'),
    };
    const skip = skipReason(state, command);
    if (skip) {
      results.push({ ...base, status: 'skip', detail: skip });
      continue;
    }
    const problem = await runEval(state, command);
    results.push(
      problem ? { ...base, status: 'fail', detail: problem } : { ...base, status: 'pass' },
    );
  }
  return results;
}
