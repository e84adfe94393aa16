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

/** Aggregation operators llmwatch implements. */
export type AggregateOp = 'sum' | 'avg' | 'max' | 'min' | 'count';

/** An instant vector selector; `offsetMs` shifts its evaluation time into the past. */
export interface VectorSelectorNode {
  kind: 'vectorSelector';
  matchers: LabelMatcher[];
  offsetMs: number;
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

/** An aggregation such as `sum by (a) (x)`; `grouping` lists the `by` or `without` labels. */
export interface AggregateNode {
  kind: 'aggregate';
  op: AggregateOp;
  expr: ExprNode;
  grouping: string[];
  without: boolean;
}

/** Vector matching of a binary operation between two vectors. */
export interface VectorMatching {
  /** True for `on(...)`, false for `ignoring(...)` or no clause. */
  on: boolean;
  labels: string[];
}

/** A binary operation. `returnBool` is the `bool` modifier of comparisons. */
export interface BinaryNode {
  kind: 'binary';
  op: ArithmeticOp | ComparisonOp;
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
  | BinaryNode;

/** True for the comparison operators. */
export function isComparisonOp(op: string): op is ComparisonOp {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}
