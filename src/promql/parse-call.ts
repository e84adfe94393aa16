/** Conversion of function calls and aggregations, with Prometheus's argument type checks. */
import type { ExprNode, ValueType } from './ast.js';
import {
  exprChildren,
  groupingLabels,
  isSupportedAggregate,
  type ParseContext,
  type SyntaxNode,
} from './parse.js';
import { describeType, FUNCTION_SIGNATURES } from './signatures.js';

const AGGREGATE_PARAM_TYPES: Partial<Record<string, ValueType>> = {
  topk: 'scalar',
  bottomk: 'scalar',
  quantile: 'scalar',
  limitk: 'scalar',
  count_values: 'string',
};

/** Converts a FunctionCall node; unknown-to-llmwatch functions are rejected as unsupported. */
export function parseCall(ctx: ParseContext, node: SyntaxNode): ExprNode {
  const ident = node.getChild('FunctionIdentifier') ?? node;
  const name = ctx.text(ident);
  const signature = FUNCTION_SIGNATURES.get(name);
  if (!signature) return ctx.unsupported(ident, `function ${name}()`);

  const argNodes = exprChildren(node.getChild('FunctionCallBody') ?? node);
  const maxArgs = signature.variadic ? Infinity : signature.argTypes.length;
  if (argNodes.length < signature.minArgs || argNodes.length > maxArgs) {
    const expected =
      signature.minArgs === maxArgs
        ? `${maxArgs}`
        : maxArgs === Infinity
          ? `at least ${signature.minArgs}`
          : `${signature.minArgs} to ${maxArgs}`;
    ctx.fail(node, `expected ${expected} argument(s) in call to "${name}", got ${argNodes.length}`);
  }

  const lastType = signature.argTypes[signature.argTypes.length - 1];
  const args = argNodes.map((argNode, i) => {
    const arg = ctx.convert(argNode);
    const expected = signature.argTypes[i] ?? lastType;
    const actual = ctx.typeOf(arg);
    if (expected && actual !== expected) {
      ctx.fail(
        argNode,
        `expected type ${describeType(expected)} in call to function "${name}", got ${describeType(actual)}`,
      );
    }
    return arg;
  });
  return { kind: 'call', func: name, args };
}

/** Converts an AggregateExpr node (`sum by (a) (x)` or `sum(x) without (b)`). */
export function parseAggregate(ctx: ParseContext, node: SyntaxNode): ExprNode {
  const opNode = node.getChild('AggregateOp') ?? node;
  const op = ctx.text(opNode).toLowerCase();
  if (!isSupportedAggregate(op)) return ctx.unsupported(opNode, `aggregation ${op}`);

  const argNodes = exprChildren(node.getChild('FunctionCallBody') ?? node);
  const paramType = AGGREGATE_PARAM_TYPES[op];
  const wanted = paramType ? 2 : 1;
  if (argNodes.length !== wanted) {
    ctx.fail(
      node,
      `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${argNodes.length}`,
    );
  }
  let param: ExprNode | null = null;
  if (paramType) {
    param = ctx.convert(argNodes[0] as SyntaxNode);
    const actual = ctx.typeOf(param);
    if (actual !== paramType) {
      ctx.fail(
        argNodes[0] as SyntaxNode,
        `expected type ${describeType(paramType)} in aggregation parameter, got ${describeType(actual)}`,
      );
    }
  }
  const exprNode = argNodes[wanted - 1] as SyntaxNode;
  const expr = ctx.convert(exprNode);
  const type = ctx.typeOf(expr);
  if (type !== 'vector') {
    ctx.fail(
      exprNode,
      `expected type instant vector in aggregation expression, got ${describeType(type)}`,
    );
  }

  const modifier = node.getChild('AggregateModifier');
  return {
    kind: 'aggregate',
    op,
    expr,
    param,
    grouping: groupingLabels(ctx, modifier?.getChild('GroupingLabels') ?? null),
    without: modifier ? modifier.getChild('Without') !== null : false,
  };
}
