/**
 * Scanners for single lines of the Prometheus text exposition format (0.0.4) and its OpenMetrics
 * cousin: sample lines, metadata comments and numbers. `exposition.ts` puts them together.
 * Everything here is a linear scan over one line; no regular expression runs over a whole line.
 */
import { LlmwatchError } from '../core/errors.js';
import type { Labels } from '../store/types.js';

/** One sample line as written: name, labels, value and the raw timestamp token (if any). */
export interface SampleLine {
  name: string;
  labels: Labels;
  value: number;
  /** The timestamp token as written; its unit depends on the format (ms or seconds). */
  timestampToken?: string;
}

/** A `# HELP`, `# TYPE`, `# UNIT` or `# EOF` line; other comments are `{ kind: 'comment' }`. */
export type CommentLine =
  | { kind: 'help' | 'type' | 'unit'; name: string; text: string }
  | { kind: 'eof' }
  | { kind: 'comment' };

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a sample value or a `le`/`quantile` label value: decimal and exponent notation,
 * `+Inf`/`-Inf`/`Inf`/`NaN` in any letter case. Returns undefined for anything else.
 * Limitation: Go's hexadecimal float notation (`0x1p-3`) is not accepted.
 */
export function parseNumber(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  switch (token.toLowerCase()) {
    case '+inf':
    case 'inf':
    case '+infinity':
    case 'infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    case 'nan':
      return NaN;
    default:
      return undefined;
  }
}

/** True when `token` looks like a timestamp (integer, or decimal seconds in OpenMetrics). */
export function isTimestampToken(token: string): boolean {
  return TIMESTAMP.test(token);
}

/** Throws the parse error for line `lineNo`: `line 42: expected ..., got "abc"`. */
export function parseError(lineNo: number, message: string): LlmwatchError {
  return new LlmwatchError('scrape_parse', `line ${lineNo}: ${message}`);
}

/** Quotes a piece of input for an error message, cut to 40 characters. */
export function quote(text: string): string {
  if (text.length === 0) return 'end of line';
  const cut = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return JSON.stringify(cut);
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

function isNameStart(code: number, allowColon: boolean): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    code === 95 ||
    (allowColon && code === 58)
  );
}

function isNameChar(code: number, allowColon: boolean): boolean {
  return isNameStart(code, allowColon) || (code >= 48 && code <= 57);
}

/** Reads a metric name (`allowColon`) or label name at `pos`; returns its end (pos if none). */
function scanName(line: string, pos: number, allowColon: boolean): number {
  if (pos >= line.length || !isNameStart(line.charCodeAt(pos), allowColon)) return pos;
  let end = pos + 1;
  while (end < line.length && isNameChar(line.charCodeAt(end), allowColon)) end++;
  return end;
}

function skipBlanks(line: string, pos: number): number {
  while (pos < line.length && isBlank(line.charCodeAt(pos))) pos++;
  return pos;
}

function scanToken(line: string, pos: number): number {
  while (pos < line.length && !isBlank(line.charCodeAt(pos))) pos++;
  return pos;
}

/**
 * Reads a quoted label value starting after its opening quote. Escapes `\\`, `\"` and `\n` are
 * decoded; any other backslash sequence is kept as written, as Prometheus does.
 */
function scanLabelValue(line: string, pos: number, lineNo: number, label: string) {
  let value = '';
  let chunkStart = pos;
  while (pos < line.length) {
    const code = line.charCodeAt(pos);
    if (code === 34) {
      return { value: value + line.slice(chunkStart, pos), end: pos + 1 };
    }
    if (code === 92 && pos + 1 < line.length) {
      const next = line[pos + 1];
      value += line.slice(chunkStart, pos);
      value += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : `\\${next}`;
      pos += 2;
      chunkStart = pos;
      continue;
    }
    pos++;
  }
  throw parseError(lineNo, `expected a closing quote for the value of label "${label}"`);
}

/** Reads `{a="1",b="2"}` starting at the `{`; returns the labels and the index after `}`. */
function scanLabels(line: string, pos: number, lineNo: number, maxLabels: number) {
  const labels: Labels = {};
  let count = 0;
  pos++;
  for (;;) {
    pos = skipBlanks(line, pos);
    if (line.charCodeAt(pos) === 125) return { labels, end: pos + 1 };
    const nameEnd = scanName(line, pos, false);
    if (nameEnd === pos) {
      throw parseError(lineNo, `expected a label name or "}", got ${quote(line.slice(pos))}`);
    }
    const name = line.slice(pos, nameEnd);
    if (name.startsWith('__')) {
      throw parseError(lineNo, `label names starting with "__" are reserved, got "${name}"`);
    }
    pos = skipBlanks(line, nameEnd);
    if (line.charCodeAt(pos) !== 61) {
      throw parseError(lineNo, `expected "=" after label "${name}", got ${quote(line.slice(pos))}`);
    }
    pos = skipBlanks(line, pos + 1);
    if (line.charCodeAt(pos) !== 34) {
      throw parseError(
        lineNo,
        `expected a quoted value for label "${name}", got ${quote(line.slice(pos))}`,
      );
    }
    const { value, end } = scanLabelValue(line, pos + 1, lineNo, name);
    if (Object.hasOwn(labels, name)) throw parseError(lineNo, `duplicate label "${name}"`);
    if (++count > maxLabels) {
      throw new LlmwatchError(
        'scrape_limit',
        `line ${lineNo}: more than ${maxLabels} labels on one sample; the target's output is not usable`,
      );
    }
    labels[name] = value;
    pos = skipBlanks(line, end);
    const sep = line.charCodeAt(pos);
    if (sep === 44) pos++;
    else if (sep !== 125) {
      throw parseError(
        lineNo,
        `expected "," or "}" after the value of label "${name}", got ${quote(line.slice(pos))}`,
      );
    }
  }
}

/**
 * Scans one sample line: `name{labels} value [timestamp] [# exemplar]`. The line must already be
 * trimmed of surrounding blanks. An OpenMetrics exemplar after the value is ignored.
 * Throws LlmwatchError `scrape_parse` naming `lineNo` and what was expected.
 */
export function scanSampleLine(line: string, lineNo: number, maxLabels: number): SampleLine {
  const nameEnd = scanName(line, 0, true);
  if (nameEnd === 0) throw parseError(lineNo, `expected a metric name, got ${quote(line)}`);
  const name = line.slice(0, nameEnd);
  let labels: Labels = {};
  let pos = skipBlanks(line, nameEnd);
  let after = 'the metric name';
  if (line.charCodeAt(pos) === 123) {
    const scanned = scanLabels(line, pos, lineNo, maxLabels);
    labels = scanned.labels;
    pos = skipBlanks(line, scanned.end);
    after = 'the labels';
  }

  const valueEnd = scanToken(line, pos);
  const valueToken = line.slice(pos, valueEnd);
  const value = parseNumber(valueToken);
  if (value === undefined) {
    throw parseError(lineNo, `expected a value after ${after}, got ${quote(valueToken)}`);
  }
  pos = skipBlanks(line, valueEnd);
  if (pos >= line.length || line.charCodeAt(pos) === 35) return { name, labels, value };

  const tsEnd = scanToken(line, pos);
  const timestampToken = line.slice(pos, tsEnd);
  if (!isTimestampToken(timestampToken)) {
    throw parseError(
      lineNo,
      `expected a timestamp or end of line after the value, got ${quote(timestampToken)}`,
    );
  }
  pos = skipBlanks(line, tsEnd);
  if (pos < line.length && line.charCodeAt(pos) !== 35) {
    throw parseError(
      lineNo,
      `expected end of line after the timestamp, got ${quote(line.slice(pos))}`,
    );
  }
  return { name, labels, value, timestampToken };
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(.)/g, (whole, ch: string) =>
    ch === 'n' ? '\n' : ch === '\\' || ch === '"' ? ch : whole,
  );
}

/**
 * Scans a line starting with `#`. `# HELP name text`, `# TYPE name type`, `# UNIT name unit`
 * and `# EOF` are metadata; any other comment is ignored. A metadata line without a valid
 * metric name throws `scrape_parse`.
 */
export function scanCommentLine(line: string, lineNo: number): CommentLine {
  let pos = skipBlanks(line, 1);
  const wordEnd = scanToken(line, pos);
  const word = line.slice(pos, wordEnd);
  if (word === 'EOF' && skipBlanks(line, wordEnd) === line.length) return { kind: 'eof' };
  if (word !== 'HELP' && word !== 'TYPE' && word !== 'UNIT') return { kind: 'comment' };

  pos = skipBlanks(line, wordEnd);
  const nameEnd = scanName(line, pos, true);
  const next = line.charCodeAt(nameEnd);
  if (nameEnd === pos || (nameEnd < line.length && !isBlank(next))) {
    throw parseError(
      lineNo,
      `expected a metric name after "# ${word}", got ${quote(line.slice(pos))}`,
    );
  }
  const name = line.slice(pos, nameEnd);
  const rest = line.slice(skipBlanks(line, nameEnd));
  if (word === 'HELP') return { kind: 'help', name, text: unescapeHelp(rest) };
  return { kind: word === 'TYPE' ? 'type' : 'unit', name, text: rest.trimEnd() };
}
