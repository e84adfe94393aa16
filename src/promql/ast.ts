/**
 * The small PromQL syntax tree llmwatch evaluates. `parsePromql` builds it from the Lezer parse
 * tree and checks types, so the evaluator can trust every node's shape.
 */
import type { LabelMatcher } from '../store/types.js';

/** The PromQL value types of an expression, named as in Prometheus's error messages. */
export type ValueType = 'scalar' | 'string' | 'vector' | 'matrix';

/** Arithmetic operators. */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';

/** Comparison operators; without `bool` they filter a vector. */
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';

/** Set operators; they match series by labels without combining values. */
export type SetOp = 'and' | 'or' | 'unless';

/** Every binary operator llmwatch evaluates. */
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp | 'atan2';

/** Aggregation operators llmwatch implements. */
export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'max'
  | 'min'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values'
  | 'limitk';

/**
 * The `@` modifier: a fixed time in ms, or the start / end of the query (resolved when the query
 * runs). Null when absent.
 */
export type AtModifier = { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' } | null;

/** An instant vector selector; `offsetMs` shifts its evaluation time into the past. */
export interface VectorSelectorNode {
  kind: 'vectorSelector';
  matchers: LabelMatcher[];
  offsetMs: number;
  at: AtModifier;
}

/** A subquery `expr[rangeMs:stepMs]`; `stepMs` 0 means the engine's default step. */
export interface SubqueryNode {
  kind: 'subquery';
  expr: ExprNode;
  rangeMs: number;
  stepMs: number;
  offsetMs: number;
  at: AtModifier;
}

/** A range vector selector: the samples of the last `rangeMs` before the evaluation time. */
export interface MatrixSelectorNode {
  kind: 'matrixSelector';
  selector: VectorSelectorNode;
  rangeMs: number;
}

/** A number literal (also `Inf`, `NaN` and durations in seconds). */
export interface NumberNode {
  kind: 'number';
  value: number;
}

/** A string literal, already unquoted. */
export interface StringNode {
  kind: 'string';
  value: string;
}

/** Unary minus (unary plus is dropped while parsing). */
export interface NegateNode {
  kind: 'negate';
  expr: ExprNode;
}

/** A call of one of the supported functions, arguments already type-checked. */
export interface CallNode {
  kind: 'call';
  func: string;
  args: ExprNode[];
}

/**
 * An aggregation such as `sum by (a) (x)`; `grouping` lists the `by` or `without` labels and
 * `param` is the first argument of topk, bottomk, quantile, count_values and limitk.
 */
export interface AggregateNode {
  kind: 'aggregate';
  op: AggregateOp;
  expr: ExprNode;
  param: ExprNode | null;
  grouping: string[];
  without: boolean;
}

/** Vector matching of a binary operation between two vectors. */
export interface VectorMatching {
  /** one-to-one, many-to-one (`group_left`), one-to-many (`group_right`), many-to-many (set ops). */
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** True for `on(...)`, false for `ignoring(...)` or no clause. */
  on: boolean;
  labels: string[];
  /** Labels copied from the "one" side by `group_left(...)` / `group_right(...)`. */
  include: string[];
}

/** A binary operation. `returnBool` is the `bool` modifier of comparisons. */
export interface BinaryNode {
  kind: 'binary';
  op: BinaryOp;
  lhs: ExprNode;
  rhs: ExprNode;
  returnBool: boolean;
  matching: VectorMatching;
}

/** Any expression node. */
export type ExprNode =
  | VectorSelectorNode
  | MatrixSelectorNode
  | NumberNode
  | StringNode
  | NegateNode
  | CallNode
  | AggregateNode
  | BinaryNode
  | SubqueryNode;

/** True for the comparison operators. */
export function isComparisonOp(op: string): op is ComparisonOp {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

/** True for the set operators `and`, `or`, `unless`. */
export function isSetOp(op: string): op is SetOp {
  return op === 'and' || op === 'or' || op === 'unless';
}
