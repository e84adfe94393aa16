/**
 * Parser of the series descriptions in Prometheus's PromQL test scripts:
 * `metric{a="b"} 1 2+3x4 _ stale` (a label set followed by a value sequence).
 */
import type { Labels } from '../../src/store/types.js';
import { unquoteString } from '../../src/promql/literals.js';

/** One point of a value sequence: a number, the staleness marker, or omitted (`_`). */
export type SequenceValue = number | 'stale' | 'omitted';

/** A parsed series description. `nativeHistogram` is true when the values use `{{...}}`. */
export interface SeriesDesc {
  labels: Labels;
  values: SequenceValue[];
  nativeHistogram: boolean;
}

const NUMBER = String.raw`(?:0x[0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[Ii]nf|NaN)`;
const PLAIN_RE = new RegExp(`^[+-]?${NUMBER}$`);
const EXPAND_RE = new RegExp(`^([+-]?${NUMBER})(?:([+-])(${NUMBER}))?x(\\d+)$`);
const OMITTED_RE = /^_x(\d+)$/;

/** Go's strconv.ParseFloat for the number forms the scripts use. */
export function parseGoFloat(text: string): number | undefined {
  if (!PLAIN_RE.test(text)) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  if (/^inf$/i.test(body)) return sign * Infinity;
  if (body === 'NaN') return NaN;
  if (body.startsWith('0x')) return sign * parseInt(body.slice(2), 16);
  return sign * Number(body);
}

/** Expands one value token; throws on a token it does not understand. */
function expandToken(token: string, out: SequenceValue[]): void {
  if (token === '_') {
    out.push('omitted');
    return;
  }
  if (token === 'stale') {
    out.push('stale');
    return;
  }
  const omitted = OMITTED_RE.exec(token);
  if (omitted) {
    for (let i = 0; i < Number(omitted[1]); i++) out.push('omitted');
    return;
  }
  // `0x59` is 0 repeated, not hex: expansions win over plain numbers.
  const expand = EXPAND_RE.exec(token);
  if (!expand) {
    const plain = parseGoFloat(token);
    if (plain === undefined) throw new Error(`bad value "${token}" in series description`);
    out.push(plain);
    return;
  }
  const start = parseGoFloat(expand[1] as string) as number;
  const stepAbs = expand[3] === undefined ? 0 : (parseGoFloat(expand[3]) as number);
  const step = expand[2] === '-' ? -stepAbs : stepAbs;
  const times = Number(expand[4]);
  // Accumulate like the upstream parser does, so float rounding matches.
  let value = start;
  for (let i = 0; i <= times; i++) {
    out.push(value);
    value += step;
  }
}

/** Index just past the closing quote of the string starting at `from`. */
function skipQuoted(text: string, from: number): number {
  const quote = text[from];
  let i = from + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === '\\' ? 2 : 1;
  if (i >= text.length) throw new Error(`unterminated string in "${text}"`);
  return i + 1;
}

function unquote(raw: string): string {
  const result = unquoteString(raw);
  if ('error' in result) throw new Error(`${result.error}: ${raw}`);
  return result.value;
}

/** Parses `name{a="b",...}` (name optional, may be quoted inside braces) into labels. */
export function parseMetric(text: string): Labels {
  const labels: Labels = {};
  const brace = text.indexOf('{');
  const name = (brace < 0 ? text : text.slice(0, brace)).trim();
  if (name) labels.__name__ = name.startsWith('"') ? unquote(name) : name;
  if (brace < 0) return labels;

  let i = brace + 1;
  const skipSpace = (): void => {
    while (i < text.length && /[\s,]/.test(text[i] as string)) i++;
  };
  for (;;) {
    skipSpace();
    if (text[i] === '}') return labels;
    if (i >= text.length) throw new Error(`missing "}" in "${text}"`);
    let labelName: string;
    if (text[i] === '"' || text[i] === "'") {
      const end = skipQuoted(text, i);
      labelName = unquote(text.slice(i, end));
      i = end;
    } else {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      if (!match) throw new Error(`bad label name at "${text.slice(i)}"`);
      labelName = match[0];
      i += labelName.length;
    }
    while (text[i] === ' ') i++;
    if (text[i] !== '=') {
      // A quoted metric name on its own: {"my.metric", a="b"}.
      labels.__name__ = labelName;
      continue;
    }
    i++;
    while (text[i] === ' ') i++;
    const end = skipQuoted(text, i);
    labels[labelName] = unquote(text.slice(i, end));
    i = end;
  }
}

/** Splits a description line into its metric part and its values part. */
function splitLine(line: string): [string, string] {
  let i = 0;
  if (line[0] === '"') i = skipQuoted(line, 0);
  while (i < line.length && !/[\s{]/.test(line[i] as string)) i++;
  if (line[i] === '{') {
    i++;
    while (i < line.length && line[i] !== '}') {
      i = line[i] === '"' || line[i] === "'" ? skipQuoted(line, i) : i + 1;
    }
    i++;
  }
  return [line.slice(0, i), line.slice(i).trim()];
}

/** Parses one series description line. Throws an Error naming the bad part. */
export function parseSeriesDesc(line: string): SeriesDesc {
  const [metric, rest] = splitLine(line.trim());
  const labels = parseMetric(metric);
  if (rest.includes('{{')) return { labels, values: [], nativeHistogram: true };
  const values: SequenceValue[] = [];
  for (const token of rest.split(/\s+/)) {
    if (token !== '') expandToken(token, values);
  }
  return { labels, values, nativeHistogram: false };
}
