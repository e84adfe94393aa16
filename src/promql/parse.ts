/**
 * PromQL parsing: the Lezer grammar from @prometheus-io/lezer-promql produces a concrete syntax
 * tree; this file checks it for errors, converts the supported subset into `ExprNode`s and
 * checks types the way Prometheus's parser does.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { LabelMatcher } from '../store/types.js';
import type {
  AggregateOp,
  AtModifier,
  ExprNode,
  SubqueryNode,
  ValueType,
  VectorSelectorNode,
} from './ast.js';
import { FUNCTION_SIGNATURES } from './signatures.js';
import { parseDurationMs, parseNumberLiteral, unquoteString } from './literals.js';
import {
  MAX_NESTING_DEPTH,
  longChainHint,
  MAX_QUERY_LENGTH,
  parseError,
  unsupportedError,
} from './parse-errors.js';
import { parseBinary } from './parse-binary.js';
import { parseAggregate, parseCall } from './parse-call.js';
import { compileLabelRegex, matchesLabel } from './matchers.js';

/** A node of Lezer's syntax tree. */
export type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** Conversion state shared by the parse helpers. */
export interface ParseContext {
  input: string;
  text(node: SyntaxNode): string;
  fail(node: SyntaxNode, message: string): never;
  unsupported(node: SyntaxNode, feature: string): never;
  convert(node: SyntaxNode): ExprNode;
  typeOf(expr: ExprNode): ValueType;
}

/** A parsed expression and its value type. */
export interface ParsedQuery {
  expr: ExprNode;
  type: ValueType;
}

/** The child nodes that are expressions (comments and punctuation skipped). */
export function exprChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.type.is('Expr')) out.push(child);
  }
  return out;
}

/** All named child nodes except comments. */
export function namedChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name !== 'LineComment') out.push(child);
  }
  return out;
}

/**
 * Parses a PromQL expression. Throws LlmwatchError "promql_parse" with a "line:col" position for
 * syntax errors, type errors, nesting deeper than MAX_NESTING_DEPTH, input longer than
 * MAX_QUERY_LENGTH and unsupported features.
 */
export function parsePromql(input: string): ParsedQuery {
  if (input.length > MAX_QUERY_LENGTH) {
    throw parseError(
      input,
      MAX_QUERY_LENGTH,
      `query is ${input.length} characters long, over the limit of ${MAX_QUERY_LENGTH}; shorten it`,
    );
  }
  const tree = parser.parse(input);
  checkSyntax(input, tree.topNode);

  const ctx: ParseContext = {
    input,
    text: (node) => input.slice(node.from, node.to),
    fail: (node, message) => {
      throw parseError(input, node.from, message);
    },
    unsupported: (node, feature) => {
      throw unsupportedError(input, node.from, feature);
    },
    convert: (node) => convertExpr(ctx, node),
    typeOf,
  };
  const [top] = exprChildren(tree.topNode);
  if (!top) throw parseError(input, 0, 'no expression found in input');
  const expr = ctx.convert(top);
  return { expr, type: typeOf(expr) };
}

/** Rejects the first Lezer error node and over-deep trees, walking without recursion. */
function checkSyntax(input: string, top: SyntaxNode): void {
  if (input.trim() === '' || exprChildren(top).length === 0) {
    throw parseError(input, 0, 'no expression found in input');
  }
  const cursor = top.cursor();
  let depth = 0;
  for (;;) {
    if (cursor.type.isError) throw describeSyntaxError(input, cursor.node);
    if (depth > MAX_NESTING_DEPTH) {
      throw parseError(
        input,
        cursor.from,
        `expression nested deeper than ${MAX_NESTING_DEPTH} levels; simplify the query`,
      );
    }
    if (cursor.firstChild()) {
      depth++;
      continue;
    }
    while (!cursor.nextSibling()) {
      if (!cursor.parent()) return;
      depth--;
    }
  }
}

function describeSyntaxError(input: string, node: SyntaxNode) {
  const prev = node.prevSibling;
  if (prev && prev.name === 'Identifier' && input[node.from] === '(') {
    const name = input.slice(prev.from, prev.to);
    return parseError(input, prev.from, `unknown function with name "${name}"`);
  }
  if (node.from >= input.length) return parseError(input, node.from, 'unexpected end of input');
  const found = /^\s*(\S{1,30})/.exec(input.slice(node.from))?.[1] ?? input[node.from];
  return parseError(input, node.from, `unexpected "${found}"${longChainHint(input, node.from)}`);
}

function convertExpr(ctx: ParseContext, node: SyntaxNode): ExprNode {
  switch (node.name) {
    case 'ParenExpr':
      return ctx.convert(onlyExprChild(ctx, node));
    case 'NumberDurationLiteral': {
      const value = parseNumberLiteral(ctx.text(node));
      if (value === undefined) ctx.fail(node, `bad number or duration "${ctx.text(node)}"`);
      return { kind: 'number', value };
    }
    case 'StringLiteral':
      return { kind: 'string', value: unquote(ctx, node) };
    case 'VectorSelector':
      return parseVectorSelector(ctx, node);
    case 'MatrixSelector':
      return parseMatrixSelector(ctx, node);
    case 'OffsetExpr':
      return parseOffset(ctx, node);
    case 'UnaryExpr':
      return parseUnary(ctx, node);
    case 'FunctionCall':
      return parseCall(ctx, node);
    case 'AggregateExpr':
      return parseAggregate(ctx, node);
    case 'BinaryExpr':
      return parseBinary(ctx, node);
    case 'SubqueryExpr':
      return parseSubquery(ctx, node);
    case 'StepInvariantExpr':
      return parseAt(ctx, node);
    case 'AnchoredExpr':
      return ctx.unsupported(node, 'the anchored modifier');
    case 'SmoothedExpr':
      return ctx.unsupported(node, 'the smoothed modifier');
    default:
      return ctx.unsupported(node, `expression type ${node.name}`);
  }
}

function onlyExprChild(ctx: ParseContext, node: SyntaxNode): SyntaxNode {
  const [child] = exprChildren(node);
  if (!child) ctx.fail(node, 'expected an expression');
  return child;
}

/** Unquotes a StringLiteral node, failing with its position on a bad escape or missing quote. */
export function unquote(ctx: ParseContext, node: SyntaxNode): string {
  const result = unquoteString(ctx.text(node));
  if ('error' in result) ctx.fail(node, result.error);
  return result.value;
}

/** The value type of a converted expression. */
export function typeOf(expr: ExprNode): ValueType {
  switch (expr.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vectorSelector':
    case 'aggregate':
      return 'vector';
    case 'matrixSelector':
    case 'subquery':
      return 'matrix';
    case 'negate':
      return typeOf(expr.expr);
    case 'call':
      return FUNCTION_SIGNATURES.get(expr.func)?.returnType ?? 'vector';
    case 'binary':
      return typeOf(expr.lhs) === 'vector' || typeOf(expr.rhs) === 'vector' ? 'vector' : 'scalar';
  }
}

function parseVectorSelector(ctx: ParseContext, node: SyntaxNode): VectorSelectorNode {
  const matchers: LabelMatcher[] = [];
  const ident = node.getChild('Identifier');
  if (ident) matchers.push({ name: '__name__', type: '=', value: ctx.text(ident) });

  for (const m of namedChildren(node.getChild('LabelMatchers') ?? node)) {
    if (m.name === 'Identifier') continue;
    if (m.name === 'QuotedLabelName') {
      matchers.push({ name: '__name__', type: '=', value: unquote(ctx, m.firstChild ?? m) });
      continue;
    }
    const nameNode = m.getChild('LabelName') ?? m.getChild('QuotedLabelName')?.firstChild;
    const op = m.getChild('MatchOp');
    const valueNode = m.getChild('StringLiteral');
    if (!nameNode || !op || !valueNode) ctx.fail(m, `bad label matcher "${ctx.text(m)}"`);
    const name = nameNode.name === 'LabelName' ? ctx.text(nameNode) : unquote(ctx, nameNode);
    const matcher: LabelMatcher = {
      name,
      type: ctx.text(op) as LabelMatcher['type'],
      value: unquote(ctx, valueNode),
    };
    if (matcher.type === '=~' || matcher.type === '!~') {
      try {
        compileLabelRegex(matcher.value);
      } catch (err) {
        ctx.fail(valueNode, `invalid regular expression ${JSON.stringify(matcher.value)}: ${err}`);
      }
    }
    matchers.push(matcher);
  }

  const nameMatchers = matchers.filter((m) => m.name === '__name__');
  if (ident && nameMatchers.length > 1) {
    ctx.fail(node, `metric name must not be set twice: "${ctx.text(ident)}"`);
  }
  if (!matchers.some((m) => !matchesLabel(m, ''))) {
    ctx.fail(node, 'vector selector must contain at least one non-empty matcher');
  }
  return { kind: 'vectorSelector', matchers, offsetMs: 0, at: null };
}

function parseMatrixSelector(ctx: ParseContext, node: SyntaxNode): ExprNode {
  const inner = ctx.convert(onlyExprChild(ctx, node));
  if (inner.kind !== 'vectorSelector') {
    ctx.fail(node, 'ranges only allowed for vector selectors');
  }
  if (inner.offsetMs !== 0) ctx.fail(node, 'no offset modifiers allowed before range');
  if (inner.at !== null) ctx.fail(node, 'no @ modifiers allowed before range');
  const rangeMs = parseDurationNode(ctx, node.getChild('DurationExpr') ?? node);
  if (rangeMs <= 0) ctx.fail(node, `range must be greater than 0, got "${ctx.text(node)}"`);
  return { kind: 'matrixSelector', selector: inner, rangeMs };
}

/** The selector or subquery a modifier applies to (looking through unary minus), if any. */
function modifierTarget(expr: ExprNode): VectorSelectorNode | SubqueryNode | undefined {
  if (expr.kind === 'negate') return modifierTarget(expr.expr);
  // Lezer attaches a trailing modifier to a whole binary expression (`a or b offset 1m`);
  // Prometheus binds it to the right-most operand.
  if (expr.kind === 'binary') return modifierTarget(expr.rhs);
  if (expr.kind === 'matrixSelector') return expr.selector;
  if (expr.kind === 'vectorSelector' || expr.kind === 'subquery') return expr;
  return undefined;
}

function parseOffset(ctx: ParseContext, node: SyntaxNode): ExprNode {
  const target = ctx.convert(onlyExprChild(ctx, node));
  const offsetMs = parseDurationNode(ctx, node.getChild('OffsetDurationExpr') ?? node);
  const selector = modifierTarget(target);
  if (!selector) {
    ctx.fail(
      node,
      'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    );
  }
  if (selector.offsetMs !== 0) ctx.fail(node, 'offset may not be set multiple times');
  selector.offsetMs = offsetMs;
  return target;
}

function parseAt(ctx: ParseContext, node: SyntaxNode): ExprNode {
  const target = ctx.convert(onlyExprChild(ctx, node));
  const selector = modifierTarget(target);
  if (!selector) {
    ctx.fail(
      node,
      '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    );
  }
  if (selector.at !== null) ctx.fail(node, '@ <timestamp> may not be set multiple times');
  let at: AtModifier;
  const preprocessor = node.getChild('AtModifierPreprocessors');
  const literal = node.getChild('NumberDurationLiteral');
  if (preprocessor) {
    at = preprocessor.getChild('AtStart') ? { kind: 'start' } : { kind: 'end' };
  } else if (literal) {
    const seconds = parseNumberLiteral(ctx.text(literal));
    if (seconds === undefined || !Number.isFinite(seconds)) {
      ctx.fail(literal, `timestamp out of bounds for @ modifier: ${ctx.text(literal)}`);
    }
    at = { kind: 'time', ms: Math.round(seconds * 1000) };
  } else {
    return ctx.unsupported(node, 'this form of the @ modifier');
  }
  selector.at = at;
  return target;
}

function parseSubquery(ctx: ParseContext, node: SyntaxNode): SubqueryNode {
  const exprNode = onlyExprChild(ctx, node);
  const expr = ctx.convert(exprNode);
  const type = typeOf(expr);
  if (type !== 'vector') {
    ctx.fail(
      node,
      `subquery is only allowed on instant vector, got ${type === 'matrix' ? 'range vector' : type} instead`,
    );
  }
  const durations = namedChildren(node).filter((c) => c.name === 'DurationExpr');
  const rangeMs = parseDurationNode(ctx, durations[0] ?? node);
  const stepMs = durations[1] ? parseDurationNode(ctx, durations[1]) : 0;
  if (rangeMs <= 0) ctx.fail(node, 'range must be greater than 0');
  if (durations[1] && stepMs <= 0) ctx.fail(node, 'step must be greater than 0');
  return { kind: 'subquery', expr, rangeMs, stepMs, offsetMs: 0, at: null };
}

/** Reads a plain duration ("5m", "300", "-1h" for offsets) in ms; duration arithmetic is unsupported. */
function parseDurationNode(ctx: ParseContext, node: SyntaxNode): number {
  const children = namedChildren(node);
  if (children.length === 2 && children[0]?.name === 'UnaryOp') {
    const sign = ctx.text(children[0]) === '-' ? -1 : 1;
    return sign * parseDurationNode(ctx, children[1] as SyntaxNode);
  }
  const literal = children.length === 1 ? children[0] : undefined;
  if (!literal || literal.name !== 'NumberDurationLiteralInDurationContext') {
    return ctx.unsupported(node, 'duration arithmetic');
  }
  const text = ctx.text(literal);
  const ms = parseDurationMs(text) ?? (parseNumberLiteral(text) ?? NaN) * 1000;
  if (!Number.isFinite(ms)) ctx.fail(literal, `bad duration "${text}"; use a form like "5m"`);
  return Math.round(ms);
}

function parseUnary(ctx: ParseContext, node: SyntaxNode): ExprNode {
  const op = node.getChild('UnaryOp');
  const expr = ctx.convert(onlyExprChild(ctx, node));
  const type = typeOf(expr);
  if (type !== 'scalar' && type !== 'vector') {
    ctx.fail(node, 'unary expression only allowed on expressions of type scalar or instant vector');
  }
  if (op && ctx.text(op) === '-') {
    return expr.kind === 'number'
      ? { kind: 'number', value: -expr.value }
      : { kind: 'negate', expr };
  }
  return expr;
}

/** Reads the label names of a GroupingLabels node. */
export function groupingLabels(ctx: ParseContext, node: SyntaxNode | null): string[] {
  if (!node) return [];
  return namedChildren(node).map((label) =>
    label.name === 'LabelName' ? ctx.text(label) : unquote(ctx, label.firstChild ?? label),
  );
}

/** True for aggregation operators implemented by the evaluator. */
export function isSupportedAggregate(op: string): op is AggregateOp {
  return SUPPORTED_AGGREGATES.has(op);
}

const SUPPORTED_AGGREGATES: ReadonlySet<string> = new Set([
  'sum',
  'avg',
  'max',
  'min',
  'count',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'limitk',
]);
