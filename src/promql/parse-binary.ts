/** Conversion of binary operations with Prometheus's type and modifier checks. */
import { isComparisonOp, isSetOp, type BinaryNode, type ExprNode } from './ast.js';
import { exprChildren, groupingLabels, type ParseContext, type SyntaxNode } from './parse.js';

const OPERATORS: Record<string, BinaryNode['op']> = {
  And: 'and',
  Or: 'or',
  Unless: 'unless',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
};

const UNSUPPORTED_OPERATORS: Record<string, string> = {
  TrimUpper: 'the </ operator',
  TrimLower: 'the >/ operator',
};

/** Converts a BinaryExpr node. */
export function parseBinary(ctx: ParseContext, node: SyntaxNode): ExprNode {
  const [lhsNode, rhsNode] = exprChildren(node);
  if (!lhsNode || !rhsNode) ctx.fail(node, 'binary expression needs two operands');

  let op: BinaryNode['op'] | undefined;
  for (let child = node.firstChild; child; child = child.nextSibling) {
    const unsupported = UNSUPPORTED_OPERATORS[child.name];
    if (unsupported) ctx.unsupported(child, unsupported);
    op ??= OPERATORS[child.name];
  }
  if (!op) ctx.fail(node, `unknown binary operator in "${ctx.text(node)}"`);

  const clause = node.getChild('MatchingModifierClause');
  const groupLeft = clause?.getChild('GroupLeft') ?? null;
  const groupRight = clause?.getChild('GroupRight') ?? null;
  const groupingNodes = clause?.getChildren('GroupingLabels') ?? [];
  const fill = node.getChild('FillModifier');
  if (fill) ctx.unsupported(fill, 'the fill modifier');

  const lhs = ctx.convert(lhsNode);
  const rhs = ctx.convert(rhsNode);
  const lhsType = ctx.typeOf(lhs);
  const rhsType = ctx.typeOf(rhs);
  const returnBool = node.getChild('BoolModifier') !== null;

  if (
    (lhsType !== 'scalar' && lhsType !== 'vector') ||
    (rhsType !== 'scalar' && rhsType !== 'vector')
  ) {
    ctx.fail(node, 'binary expression must contain only scalar and instant vector types');
  }
  if (returnBool && !isComparisonOp(op)) {
    ctx.fail(node, 'bool modifier can only be used on comparison operators');
  }
  if (isComparisonOp(op) && !returnBool && lhsType === 'scalar' && rhsType === 'scalar') {
    ctx.fail(node, 'comparisons between scalars must use BOOL modifier');
  }
  if (clause && (lhsType !== 'vector' || rhsType !== 'vector')) {
    ctx.fail(clause, 'vector matching only allowed between instant vectors');
  }
  const setOp = isSetOp(op);
  if (setOp && (lhsType === 'scalar' || rhsType === 'scalar')) {
    ctx.fail(node, `set operator "${op}" not allowed in binary scalar expression`);
  }
  if (setOp && (groupLeft || groupRight)) {
    ctx.fail(clause ?? node, `no grouping allowed for "${op}" operation`);
  }

  const on = clause ? clause.getChild('On') !== null : false;
  const labels = groupingLabels(ctx, groupingNodes[0] ?? null);
  const include = groupingLabels(ctx, groupingNodes[1] ?? null);
  if (on) {
    const clash = include.find((l) => labels.includes(l));
    if (clash)
      ctx.fail(clause ?? node, `label "${clash}" must not occur in ON and GROUP clause at once`);
  }
  return {
    kind: 'binary',
    op,
    lhs,
    rhs,
    returnBool,
    matching: {
      card: setOp
        ? 'many-to-many'
        : groupLeft
          ? 'many-to-one'
          : groupRight
            ? 'one-to-many'
            : 'one-to-one',
      on,
      labels,
      include,
    },
  };
}
