/**
 * Reader for the Azure LLM inference traces (2023): CSV files with the header
 * `TIMESTAMP,ContextTokens,GeneratedTokens`, one request per row, timestamps like
 * `2023-11-16 18:17:03.9799600` (UTC, no zone, up to 7 fractional digits).
 */
import { readFileSync } from 'node:fs';

import { LlmwatchError } from '../../core/errors.js';
import type { TraceRequest } from './trace.js';

export type { TraceRequest, TraceSliceOptions, TraceSummary } from './trace.js';
export { sliceTrace, summarizeTrace } from './trace.js';

/** The header line an Azure trace file must start with. */
export const AZURE_TRACE_HEADER = 'TIMESTAMP,ContextTokens,GeneratedTokens';

/** Largest token count accepted in one row; larger values are rejected as corrupt. */
export const MAX_TRACE_TOKENS = 10_000_000;

const COLUMNS = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'] as const;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const INTEGER_RE = /^\d+$/;

/** A timestamp split into whole UTC milliseconds and the nanoseconds within that second. */
interface ParsedTime {
  secondMs: number;
  fractionNs: number;
}

/**
 * Parses the text of an Azure trace CSV. `source` names the file in error messages.
 * Accepts LF or CRLF line endings, a UTF-8 byte-order mark, and blank lines (skipped).
 * Arrival times are exact differences of the timestamps (computed in integer nanoseconds, so
 * no float rounding before the final division), relative to the first data row.
 * Throws LlmwatchError `trace_invalid` naming `source`, line and column for a wrong header, a
 * row without exactly 3 fields, a malformed or impossible timestamp, a timestamp earlier than
 * the row before it, or a token count that is not an integer in 0..MAX_TRACE_TOKENS.
 */
export function parseAzureTrace(text: string, source: string): TraceRequest[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim();
  if (header !== AZURE_TRACE_HEADER) {
    throw invalid(source, 1, 1, `expected the header "${AZURE_TRACE_HEADER}", got "${header}"`);
  }

  const requests: TraceRequest[] = [];
  let first: ParsedTime | undefined;
  let previousNs = 0;
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const lineNo = i + 1;

    const fields = line.split(',');
    if (fields.length !== COLUMNS.length) {
      throw invalid(
        source,
        lineNo,
        1,
        `expected 3 comma-separated fields (${COLUMNS.join(',')}), got ${fields.length}`,
      );
    }
    const [stamp = '', context = '', generated = ''] = fields;
    const contextColumn = stamp.length + 2;
    const generatedColumn = contextColumn + context.length + 1;

    const time = parseTimestamp(stamp.trim());
    if (!time) {
      throw invalid(
        source,
        lineNo,
        1,
        `TIMESTAMP must look like "2023-11-16 18:17:03.9799600" (UTC, a real date), got "${stamp}"`,
      );
    }
    first ??= time;
    const offsetNs =
      (time.secondMs - first.secondMs) * 1_000_000 + (time.fractionNs - first.fractionNs);
    if (offsetNs < previousNs) {
      throw invalid(
        source,
        lineNo,
        1,
        `TIMESTAMP "${stamp}" is earlier than the row before it; sort the file by TIMESTAMP`,
      );
    }
    previousNs = offsetNs;

    requests.push({
      index: requests.length,
      arrivalMs: offsetNs / 1_000_000,
      contextTokens: parseTokens(context, source, lineNo, contextColumn, 'ContextTokens'),
      generatedTokens: parseTokens(generated, source, lineNo, generatedColumn, 'GeneratedTokens'),
    });
  }
  return requests;
}

/**
 * Reads and parses an Azure trace file (see parseAzureTrace). Throws LlmwatchError
 * `trace_unreadable` when the file cannot be read, `trace_invalid` when its content is bad.
 */
export function loadAzureTrace(path: string): TraceRequest[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new LlmwatchError(
      'trace_unreadable',
      `trace: cannot read "${path}" (${reason}); check the path and its permissions`,
      { cause: err },
    );
  }
  return parseAzureTrace(text, path);
}

function parseTimestamp(stamp: string): ParsedTime | undefined {
  const m = TIMESTAMP_RE.exec(stamp);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const secondMs = Date.UTC(year, month - 1, day, hour, minute, second);

  // Date.UTC silently rolls over out-of-range parts (month 13, Feb 30, 25:00); reject those.
  const check = new Date(secondMs);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  const fractionNs = Number((m[7] ?? '').padEnd(9, '0'));
  return { secondMs, fractionNs };
}

function parseTokens(
  raw: string,
  source: string,
  lineNo: number,
  column: number,
  name: string,
): number {
  const value = raw.trim();
  const tokens = INTEGER_RE.test(value) ? Number(value) : Number.NaN;
  if (!(tokens <= MAX_TRACE_TOKENS)) {
    throw invalid(
      source,
      lineNo,
      column,
      `${name} must be an integer from 0 to ${MAX_TRACE_TOKENS}, got "${raw}"`,
    );
  }
  return tokens;
}

function invalid(source: string, lineNo: number, column: number, what: string): LlmwatchError {
  return new LlmwatchError('trace_invalid', `trace ${source}:${lineNo}:${column}: ${what}`);
}
