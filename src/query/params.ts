/** Parsing of Prometheus HTTP API parameters: timestamps and durations. */
import { LlmwatchError } from '../core/errors.js';
import { parseDurationMs } from '../promql/literals.js';

const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const FLOAT_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** The error for a missing or malformed parameter: names it and the expected form. */
export function invalidParam(name: string, problem: string, expected: string): LlmwatchError {
  return new LlmwatchError(
    'promql_bad_data',
    `invalid parameter "${name}": ${problem}; expected ${expected}`,
  );
}

const TIME_FORM = 'an RFC3339 time like "2024-05-01T12:00:00Z" or Unix seconds like "1714564800.5"';

/**
 * Parses a time parameter (RFC3339 or Unix seconds with up to millisecond precision) into Unix
 * ms. Returns `defaultMs` when the value is missing and a default is given; throws
 * LlmwatchError "promql_bad_data" naming the parameter otherwise.
 */
export function parseTimeParam(name: string, raw: string | null, defaultMs?: number): number {
  if (raw === null || raw === '') {
    if (defaultMs !== undefined) return defaultMs;
    throw invalidParam(name, 'missing', TIME_FORM);
  }
  if (FLOAT_RE.test(raw)) {
    const seconds = Number(raw);
    const whole = Math.trunc(seconds);
    const ms = whole * 1000 + Math.round((seconds - whole) * 1000);
    if (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15) return ms;
  } else if (RFC3339_RE.test(raw)) {
    const ms = Date.parse(raw.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw invalidParam(name, `cannot parse ${JSON.stringify(raw)} to a valid timestamp`, TIME_FORM);
}

/**
 * Parses a duration parameter (seconds as a float like "15" or "0.5", or a Prometheus duration
 * like "15s", "1m30s") into ms. Throws LlmwatchError "promql_bad_data" naming the parameter when
 * missing, malformed or not positive.
 */
export function parseDurationParam(name: string, raw: string | null): number {
  const form = 'seconds like "15" or a duration like "15s" or "1m"';
  if (raw === null || raw === '') throw invalidParam(name, 'missing', form);
  let ms: number | undefined;
  if (FLOAT_RE.test(raw)) ms = Math.round(Number(raw) * 1000);
  else ms = parseDurationMs(raw);
  if (ms === undefined || !Number.isFinite(ms)) {
    throw invalidParam(name, `cannot parse ${JSON.stringify(raw)} to a valid duration`, form);
  }
  if (ms <= 0) {
    throw invalidParam(
      name,
      `zero or negative query resolution step widths are not accepted, got ${JSON.stringify(raw)}`,
      'a positive ' + form,
    );
  }
  return ms;
}
