/**
 * Parser of Prometheus's PromQL test script format (`promql/promqltest/testdata/*.test`):
 * `load`, `clear` and `eval` commands with their indented lines. See testdata/README.md.
 */
import type { Labels } from '../../src/store/types.js';
import { labelsKey } from '../../src/promql/labels.js';
import { parseDurationMs } from '../../src/promql/literals.js';
import {
  parseGoFloat,
  parseSeriesDesc,
  type SeriesDesc,
  type SequenceValue,
} from './series-desc.js';

/** `load <step>`: series whose points lie at 0, step, 2*step, ... ms. */
export interface LoadCommand {
  kind: 'load';
  line: number;
  stepMs: number;
  /** True for `load_with_nhcb`: classic histograms are also stored as native histograms. */
  withNhcb: boolean;
  series: SeriesDesc[];
  /** True when the block had `@st` start-timestamp lines (ignored by llmwatch). */
  hasStartTimestamps: boolean;
}

/** An expected series of an eval: labels and one value per step (instant: one value). */
export interface ExpectedSeries {
  labels: Labels;
  values: SequenceValue[];
  /** 1-based position among the expected lines, for `expect ordered`. */
  position: number;
  nativeHistogram: boolean;
}

/** An annotation expectation (`expect warn`, `expect info` and their `no_` forms). */
export interface AnnotationExpectation {
  type: 'warn' | 'no_warn' | 'info' | 'no_info';
  text: string;
}

/** `eval instant at <t> <expr>` or `eval range from <t0> to <t1> step <s> <expr>`. */
export interface EvalCommand {
  kind: 'eval';
  line: number;
  expr: string;
  range: boolean;
  startMs: number;
  endMs: number;
  stepMs: number;
  fail: boolean;
  /** `expect fail msg:` text (exact) or `regex:` pattern. */
  failMessage?: string;
  failRegex?: RegExp;
  ordered: boolean;
  annotations: AnnotationExpectation[];
  expectedScalar?: number;
  expectedString?: string;
  /** `expect range vector from .. to .. step ..`: an instant query returning a matrix. */
  expectedRangeVector?: { startMs: number; endMs: number; stepMs: number };
  expected: Map<string, ExpectedSeries>;
}

/** `clear`: drop all loaded data. */
export interface ClearCommand {
  kind: 'clear';
  line: number;
}

/** A script command. */
export type ScriptCommand = LoadCommand | EvalCommand | ClearCommand;

const EVAL_INSTANT_RE = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const EVAL_RANGE_RE =
  /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const EXPECT_RE = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const RANGE_VECTOR_RE = /^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;

/** Prometheus's model.ParseDuration ("0", "5m", "1h30m", "10s53ms") in ms. */
export function parseScriptDurationMs(text: string): number {
  if (text === '0') return 0;
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new Error(`bad duration "${text}"`);
  return ms;
}

/** Splits the script into trimmed lines, comment lines made empty (as upstream does). */
function scriptLines(text: string): string[] {
  return text.split('\n').map((raw) => {
    const line = raw.trim();
    return line.startsWith('#') ? '' : line;
  });
}

/** Parses a whole script. Throws an Error with the 1-based line number on a bad line. */
export function parseScript(text: string): ScriptCommand[] {
  const lines = scriptLines(text);
  const commands: ScriptCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const word = (line.split(/[\t ]+/, 1)[0] as string).toLowerCase();
    try {
      if (word === 'clear') {
        commands.push({ kind: 'clear', line: i + 1 });
      } else if (word.startsWith('load')) {
        const [command, next] = parseLoad(lines, i);
        commands.push(command);
        i = next;
      } else if (word.startsWith('eval')) {
        const [command, next] = parseEval(lines, i);
        commands.push(command);
        i = next;
      } else {
        throw new Error(`invalid command "${line}"`);
      }
    } catch (err) {
      throw new Error(`line ${i + 1}: ${(err as Error).message}`);
    }
  }
  return commands;
}

function parseLoad(lines: string[], i: number): [LoadCommand, number] {
  const match = /^load(?:_(with_nhcb))?\s+(.+?)$/.exec(lines[i] as string);
  if (!match) throw new Error('invalid load command');
  const command: LoadCommand = {
    kind: 'load',
    line: i + 1,
    stepMs: parseScriptDurationMs(match[2] as string),
    withNhcb: match[1] === 'with_nhcb',
    series: [],
    hasStartTimestamps: false,
  };
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    i++;
    const line = lines[i] as string;
    const firstToken = line.split(/[\t ]/, 1)[0] as string;
    if (firstToken.endsWith('@st')) {
      command.hasStartTimestamps = true;
      continue;
    }
    command.series.push(parseSeriesDesc(line));
  }
  return [command, i];
}

function newEval(line: number, expr: string, range: boolean, times: number[]): EvalCommand {
  const [startMs, endMs, stepMs] = times as [number, number, number];
  return {
    kind: 'eval',
    line,
    expr,
    range,
    startMs,
    endMs,
    stepMs,
    fail: false,
    ordered: false,
    annotations: [],
    expected: new Map(),
  };
}

function parseEval(lines: string[], i: number): [EvalCommand, number] {
  const head = lines[i] as string;
  const instant = EVAL_INSTANT_RE.exec(head);
  const range = instant ? null : EVAL_RANGE_RE.exec(head);
  let command: EvalCommand;
  let modifier: string | undefined;
  if (instant) {
    const atMs = parseScriptDurationMs(instant[2] ?? '0');
    command = newEval(i + 1, instant[3] as string, false, [atMs, atMs, 0]);
    modifier = instant[1];
  } else if (range) {
    const times = [range[2], range[3], range[4]].map((t) => parseScriptDurationMs(t as string));
    command = newEval(i + 1, range[5] as string, true, times);
    modifier = range[1];
  } else {
    throw new Error('invalid eval command');
  }
  if (modifier === 'fail') command.fail = true;
  if (modifier === 'ordered') command.ordered = true;
  if (modifier === 'warn' || modifier === 'info') {
    command.annotations.push({ type: modifier, text: '' });
  }

  let position = 1;
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    i++;
    const line = lines[i] as string;
    if (parseExpectLine(command, line)) continue;
    const scalar = parseGoFloat(line);
    if (scalar !== undefined) {
      command.expectedScalar = scalar;
      continue;
    }
    const desc = parseSeriesDesc(line);
    command.expected.set(labelsKey(desc.labels), {
      labels: desc.labels,
      values: desc.values,
      position: position++,
      nativeHistogram: desc.nativeHistogram,
    });
  }
  return [command, i];
}

/** Handles `expect ...` lines; returns false for a line that is an expected result. */
function parseExpectLine(command: EvalCommand, line: string): boolean {
  const rangeVector = RANGE_VECTOR_RE.exec(line);
  if (rangeVector) {
    const [startMs, endMs, stepMs] = [rangeVector[1], rangeVector[2], rangeVector[3]].map((t) =>
      parseScriptDurationMs((t as string).trim()),
    ) as [number, number, number];
    command.expectedRangeVector = { startMs, endMs, stepMs };
    return true;
  }
  if (line.startsWith('expect string')) {
    const quoted = line.slice('expect string'.length).trim();
    const unquoted = quoted.startsWith('`') ? quoted.slice(1, -1) : JSON.parse(quoted);
    command.expectedString = unquoted as string;
    return true;
  }
  if (line.split(' ', 1)[0] !== 'expect') return false;
  const match = EXPECT_RE.exec(line);
  if (!match) throw new Error(`invalid expect line "${line}"`);
  const type = match[1] as string;
  const text = (match[3] ?? '').trim();
  if (type === 'ordered') command.ordered = true;
  else if (type === 'fail') {
    command.fail = true;
    if (match[2] === 'msg') command.failMessage = text;
    if (match[2] === 'regex') command.failRegex = new RegExp(text);
  } else {
    command.annotations.push({ type: type as AnnotationExpectation['type'], text });
  }
  return true;
}
