/**
 * Input series of rule unit tests in the notation of Prometheus's test scripts:
 * `metric{label="value"} 1 2 3+1x4 _ 5-0.5x2 stale _x3` — one value per step; `a+bxN` expands to
 * N+1 values a, a+b, ..., `_` leaves a step without a sample, `stale` writes a staleness marker.
 */
import { unquoteString } from '../promql/literals.js';
import { STALE_NAN } from '../promql/staleness.js';
import type { Labels } from '../store/types.js';

/** One step's value: a number, or undefined for no sample. */
export type StepValue = number | undefined;

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN`;
const PLAIN_RE = new RegExp(`^(?:${NUMBER})$`);
const EXPAND_RE = new RegExp(
  `^(${NUMBER})([+-])((?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?)x(\\d+)$`,
);
const REPEAT_RE = new RegExp(`^(${NUMBER})x(\\d+)$`);

function parseNumber(text: string): number {
  if (/^[+-]?Inf$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** Expands a values string. Throws an Error naming the bad token. */
export function parseValues(text: string): StepValue[] {
  const out: StepValue[] = [];
  for (const token of text.trim().split(/\s+/)) {
    if (token === '') continue;
    if (token === '_') out.push(undefined);
    else if (token === 'stale') out.push(STALE_NAN);
    else if (/^_x\d+$/.test(token)) {
      for (let i = 0; i < Number(token.slice(2)); i++) out.push(undefined);
    } else if (PLAIN_RE.test(token)) out.push(parseNumber(token));
    else {
      const expand = EXPAND_RE.exec(token);
      const repeat = REPEAT_RE.exec(token);
      if (!expand && !repeat) {
        throw new Error(
          `bad value ${JSON.stringify(token)}; use a number, "a+bxN", "a-bxN", "_", "_xN" or "stale"`,
        );
      }
      const start = parseNumber((expand ?? repeat)?.[1] as string);
      const step = expand ? Number(expand[3]) * (expand[2] === '-' ? -1 : 1) : 0;
      const times = Number(expand ? expand[4] : repeat?.[2]);
      if (times > 100_000) throw new Error(`expansion ${token} is longer than 100000 steps`);
      for (let i = 0; i <= times; i++) out.push(start + step * i);
    }
  }
  return out;
}

/** Parses `name{a="b", c='d'}` into labels (the name as `__name__`). Throws on bad syntax. */
export function parseSeriesLabels(text: string): Labels {
  const match = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?\s*$/s.exec(text);
  if (!match || (match[1] === undefined && match[2] === undefined)) {
    throw new Error(`bad series ${JSON.stringify(text)}; write name{label="value", ...}`);
  }
  const labels: Labels = {};
  if (match[1] !== undefined) labels.__name__ = match[1];
  let rest = match[2] ?? '';
  const pair = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*(,|$)/s;
  while (rest.trim() !== '') {
    const found = pair.exec(rest);
    if (!found) throw new Error(`bad label matcher near ${JSON.stringify(rest.trim())} in ${text}`);
    const value = unquoteString(found[2] as string);
    if ('error' in value) throw new Error(`${value.error} in ${text}`);
    labels[found[1] as string] = value.value;
    rest = rest.slice(found[0].length);
  }
  return labels;
}
