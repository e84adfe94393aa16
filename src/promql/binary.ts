/** Binary operators: scalar/scalar, vector/scalar and one-to-one vector/vector matching. */
import type { Labels } from '../store/types.js';
import { isComparisonOp, type BinaryNode } from './ast.js';
import { labelsKey, onlyLabels, withoutLabels } from './labels.js';
import { assertUniqueLabels, evalError, type EvalValue, type InstantSample } from './values.js';

/** Go's math.Pow where it differs from JavaScript's `**` (1^NaN, (-1)^±Inf). */
function pow(base: number, exponent: number): number {
  if (base === 1) return 1;
  if (base === -1 && !Number.isFinite(exponent) && !Number.isNaN(exponent)) return 1;
  return base ** exponent;
}

/** Applies `op` to two numbers; for comparisons `keep` says whether the comparison held. */
export function applyOperator(
  op: BinaryNode['op'],
  lhs: number,
  rhs: number,
): { value: number; keep: boolean } {
  switch (op) {
    case '+':
      return { value: lhs + rhs, keep: true };
    case '-':
      return { value: lhs - rhs, keep: true };
    case '*':
      return { value: lhs * rhs, keep: true };
    case '/':
      return { value: lhs / rhs, keep: true };
    case '%':
      return { value: lhs % rhs, keep: true };
    case '^':
      return { value: pow(lhs, rhs), keep: true };
    case '==':
      return { value: lhs, keep: lhs === rhs };
    case '!=':
      return { value: lhs, keep: lhs !== rhs };
    case '>':
      return { value: lhs, keep: lhs > rhs };
    case '<':
      return { value: lhs, keep: lhs < rhs };
    case '>=':
      return { value: lhs, keep: lhs >= rhs };
    case '<=':
      return { value: lhs, keep: lhs <= rhs };
  }
}

/** Evaluates a binary node given its evaluated operands (types were checked by the parser). */
export function evaluateBinary(node: BinaryNode, lhs: EvalValue, rhs: EvalValue): EvalValue {
  if (lhs.type === 'scalar' && rhs.type === 'scalar') {
    const { value, keep } = applyOperator(node.op, lhs.value, rhs.value);
    return { type: 'scalar', value: isComparisonOp(node.op) ? (keep ? 1 : 0) : value };
  }
  if (lhs.type === 'vector' && rhs.type === 'vector') {
    return { type: 'vector', samples: vectorVector(node, lhs.samples, rhs.samples) };
  }
  if (lhs.type === 'vector' && rhs.type === 'scalar') {
    return { type: 'vector', samples: vectorScalar(node, lhs.samples, rhs.value, false) };
  }
  if (lhs.type === 'scalar' && rhs.type === 'vector') {
    return { type: 'vector', samples: vectorScalar(node, rhs.samples, lhs.value, true) };
  }
  throw evalError(`binary operator ${node.op} cannot combine ${lhs.type} and ${rhs.type}`);
}

function dropsName(node: BinaryNode): boolean {
  return !isComparisonOp(node.op) || node.returnBool;
}

function vectorScalar(
  node: BinaryNode,
  samples: InstantSample[],
  scalar: number,
  scalarOnLeft: boolean,
): InstantSample[] {
  const out: InstantSample[] = [];
  for (const sample of samples) {
    const [left, right] = scalarOnLeft ? [scalar, sample.value] : [sample.value, scalar];
    const result = applyOperator(node.op, left, right);
    const keep = result.keep;
    let value = result.value;
    if (isComparisonOp(node.op)) {
      if (scalarOnLeft) value = sample.value;
      if (node.returnBool) value = keep ? 1 : 0;
      else if (!keep) continue;
    }
    const labels = dropsName(node) ? withoutLabels(sample.labels, ['__name__']) : sample.labels;
    out.push({ labels, value });
  }
  if (dropsName(node)) assertUniqueLabels(out);
  return out;
}

function matchSignature(node: BinaryNode, labels: Labels): string {
  const { on, labels: names } = node.matching;
  return labelsKey(on ? onlyLabels(labels, names) : withoutLabels(labels, ['__name__', ...names]));
}

function vectorVector(
  node: BinaryNode,
  lhs: InstantSample[],
  rhs: InstantSample[],
): InstantSample[] {
  const rightBySignature = new Map<string, InstantSample>();
  for (const sample of rhs) {
    const signature = matchSignature(node, sample.labels);
    if (rightBySignature.has(signature)) {
      throw evalError(
        `found duplicate series for the match group ${signature} on the right hand-side of the ` +
          'operation; many-to-many matching not allowed: matching labels must be unique on one side',
      );
    }
    rightBySignature.set(signature, sample);
  }

  const out: InstantSample[] = [];
  const matched = new Set<string>();
  for (const left of lhs) {
    const signature = matchSignature(node, left.labels);
    const right = rightBySignature.get(signature);
    if (!right) continue;
    const result = applyOperator(node.op, left.value, right.value);
    const keep = result.keep;
    let value = result.value;
    if (node.returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;

    if (matched.has(signature)) {
      throw evalError(
        `multiple matches for labels ${signature}: many-to-one matching must be explicit ` +
          '(group_left/group_right), which llmwatch does not implement yet',
      );
    }
    matched.add(signature);
    out.push({ labels: resultLabels(node, left.labels), value });
  }
  return out;
}

function resultLabels(node: BinaryNode, labels: Labels): Labels {
  const named = dropsName(node) ? withoutLabels(labels, ['__name__']) : labels;
  return node.matching.on
    ? onlyLabels(named, node.matching.labels)
    : withoutLabels(named, node.matching.labels);
}
