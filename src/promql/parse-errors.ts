/** Position-carrying parse errors, worded like Prometheus's ("1:7: parse error: ..."). */
import { LlmwatchError } from '../core/errors.js';

/** Deepest syntax tree nesting accepted; deeper queries are rejected before any recursion. */
export const MAX_NESTING_DEPTH = 200;

/** Longest query accepted, in characters; longer input is rejected before parsing. */
export const MAX_QUERY_LENGTH = 65_536;

/** Converts a 0-based character offset into Prometheus's 1-based "line:col". */
export function formatPosition(input: string, offset: number): string {
  const before = input.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `${line}:${col}`;
}

/** Builds the LlmwatchError (code "promql_parse") for a problem at `offset` in `input`. */
export function parseError(input: string, offset: number, message: string): LlmwatchError {
  return new LlmwatchError(
    'promql_parse',
    `${formatPosition(input, offset)}: parse error: ${message}`,
  );
}

/** Builds the error for a Prometheus feature that llmwatch does not evaluate yet. */
export function unsupportedError(input: string, offset: number, feature: string): LlmwatchError {
  return new LlmwatchError(
    'promql_parse',
    `${formatPosition(input, offset)}: unsupported: ${feature} is not implemented yet`,
  );
}
