/** Position-carrying parse errors, worded like Prometheus's ("1:7: parse error: ..."). */
import { LlmwatchError } from '../core/errors.js';

/**
 * Deepest syntax tree nesting accepted; deeper queries are rejected before any recursion. A
 * level of function call or aggregation is about two tree levels; a chain `a + b + c` adds one
 * per operator. Evaluation of the deepest accepted trees is tested (parse.test.ts).
 */
export const MAX_NESTING_DEPTH = 1000;

/**
 * Binary operators in one unparenthesised chain past which the grammar's parser (Lezer) stops
 * following the chain and reports a syntax error: it cuts left-associative runs of more than 300
 * reductions over 2,000 characters, to bound tree depth.
 */
const LEZER_CHAIN_LIMIT = 300;

const OPERATOR_TOKEN = /\s(?:[-+*/%^]|==|!=|>=|<=|>|<|and|or|unless|atan2)\s/g;

/**
 * A hint for a syntax error found after a very long chain of binary operators (see
 * LEZER_CHAIN_LIMIT), or '' when the text before `offset` has no such chain.
 */
export function longChainHint(input: string, offset: number): string {
  const before = input.slice(0, offset).replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const operators = before.match(OPERATOR_TOKEN)?.length ?? 0;
  if (operators < LEZER_CHAIN_LIMIT) return '';
  return (
    `; the expression before it chains ${operators} binary operators, more than the parser ` +
    `follows in one run (about ${LEZER_CHAIN_LIMIT}): group the operands in parentheses, ` +
    'e.g. (a + b + ...) + (c + d + ...)'
  );
}

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
