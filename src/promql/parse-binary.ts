/** Conversion of binary operations with Prometheus's type and modifier checks. */
import { isComparisonOp, type BinaryNode, type ExprNode } from './ast.js';
import { exprChildren, groupingLabels, type ParseContext, type SyntaxNode } from './parse.js';

const OPERATORS: Record<string, BinaryNode['op']> = {
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
  And: 'the and operator',
  Or: 'the or operator',
  Unless: 'the unless operator',
  Atan2: 'the atan2 operator',
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
  if (clause?.getChild('GroupLeft') || clause?.getChild('GroupRight')) {
    ctx.unsupported(clause, 'group_left/group_right matching');
  }
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

  return {
    kind: 'binary',
    op,
    lhs,
    rhs,
    returnBool,
    matching: {
      on: clause ? clause.getChild('On') !== null : false,
      labels: groupingLabels(ctx, clause?.getChild('GroupingLabels') ?? null),
    },
  };
}
