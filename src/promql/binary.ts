/**
 * Binary operators: scalar/scalar, vector/scalar, vector/vector with one-to-one, many-to-one
 * (`group_left`) and one-to-many (`group_right`) matching, and the set operators and/or/unless.
 */
import type { Labels } from '../store/types.js';
import { isComparisonOp, isSetOp, type BinaryNode } from './ast.js';
import { labelsKey, memoizeLabels, onlyLabels, withoutLabels } from './labels.js';
import { evalError, type EvalValue, type InstantSample } from './values.js';

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
    case 'atan2':
      return { value: Math.atan2(lhs, rhs), keep: true };
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
    default:
      throw evalError(`operator ${op} is not defined between numbers`);
  }
}

/** Evaluates a binary node given its evaluated operands (types were checked by the parser). */
export function evaluateBinary(node: BinaryNode, lhs: EvalValue, rhs: EvalValue): EvalValue {
  if (lhs.type === 'scalar' && rhs.type === 'scalar') {
    const { value, keep } = applyOperator(node.op, lhs.value, rhs.value);
    return { type: 'scalar', value: isComparisonOp(node.op) ? (keep ? 1 : 0) : value };
  }
  if (lhs.type === 'vector' && rhs.type === 'vector') {
    if (isSetOp(node.op))
      return { type: 'vector', samples: setOperation(node, lhs.samples, rhs.samples) };
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

/** Arithmetic and `bool` comparisons drop the metric name; filtering comparisons keep it. */
function dropsName(node: BinaryNode): boolean {
  return !isComparisonOp(node.op) || node.returnBool;
}

function vectorScalar(
  node: BinaryNode,
  samples: InstantSample[],
  scalar: number,
  scalarOnLeft: boolean,
): InstantSample[] {
  const comparison = isComparisonOp(node.op);
  const drop = dropsName(node);
  const out: InstantSample[] = [];
  for (const sample of samples) {
    const result = scalarOnLeft
      ? applyOperator(node.op, scalar, sample.value)
      : applyOperator(node.op, sample.value, scalar);
    let value = result.value;
    if (comparison) {
      value = sample.value;
      if (node.returnBool) value = result.keep ? 1 : 0;
      else if (!result.keep) continue;
    }
    const outSample: InstantSample = { labels: sample.labels, value };
    if (drop || sample.dropName) outSample.dropName = true;
    out.push(outSample);
  }
  return out;
}

/**
 * Per node, label-set derivations remembered per label object (see memoizeLabels): a range
 * query's steps see the same label objects, so signatures and result labels are built once.
 */
const signaturesOf = new WeakMap<BinaryNode, (labels: Labels) => string>();
const oneToOneLabelsOf = new WeakMap<BinaryNode, (labels: Labels) => Labels>();

/** The matching signature: the `on` labels, or all labels but the `ignoring` ones and the name. */
function matchSignature(node: BinaryNode, labels: Labels): string {
  let signatureOf = signaturesOf.get(node);
  if (signatureOf === undefined) {
    const { on, labels: names } = node.matching;
    const ignored = ['__name__', ...names];
    signatureOf = memoizeLabels((l) =>
      labelsKey(on ? onlyLabels(l, names) : withoutLabels(l, ignored)),
    );
    signaturesOf.set(node, signatureOf);
  }
  return signatureOf(labels);
}

/** A one-to-one result's labels: the `on` labels, or all but the `ignoring` ones. */
function oneToOneLabels(node: BinaryNode, labels: Labels): Labels {
  let derive = oneToOneLabelsOf.get(node);
  if (derive === undefined) {
    const { on, labels: names } = node.matching;
    derive = memoizeLabels((l) => (on ? onlyLabels(l, names) : withoutLabels(l, names)));
    oneToOneLabelsOf.set(node, derive);
  }
  return derive(labels);
}

function setOperation(
  node: BinaryNode,
  lhs: InstantSample[],
  rhs: InstantSample[],
): InstantSample[] {
  const rightSignatures = new Set(rhs.map((s) => matchSignature(node, s.labels)));
  switch (node.op) {
    case 'and':
      return lhs.filter((s) => rightSignatures.has(matchSignature(node, s.labels)));
    case 'unless':
      return lhs.filter((s) => !rightSignatures.has(matchSignature(node, s.labels)));
    default: {
      const leftSignatures = new Set(lhs.map((s) => matchSignature(node, s.labels)));
      return [...lhs, ...rhs.filter((s) => !leftSignatures.has(matchSignature(node, s.labels)))];
    }
  }
}

function vectorVector(
  node: BinaryNode,
  lhs: InstantSample[],
  rhs: InstantSample[],
): InstantSample[] {
  const { card } = node.matching;
  // For one-to-many matching the sides swap, so the "one" side is always `one` below.
  const swapped = card === 'one-to-many';
  const many = swapped ? rhs : lhs;
  const one = swapped ? lhs : rhs;

  const oneBySignature = new Map<string, InstantSample>();
  for (const sample of one) {
    const signature = matchSignature(node, sample.labels);
    if (oneBySignature.has(signature)) {
      const side = swapped ? 'left' : 'right';
      throw evalError(
        `found duplicate series for the match group ${signature} on the ${side} hand-side of the ` +
          'operation; many-to-many matching not allowed: matching labels must be unique on one side',
      );
    }
    oneBySignature.set(signature, sample);
  }

  const comparison = isComparisonOp(node.op);
  const matched = new Set<string>();
  const produced = new Set<string>();
  const out: InstantSample[] = [];
  for (const sample of many) {
    const signature = matchSignature(node, sample.labels);
    const other = oneBySignature.get(signature);
    if (!other) continue;
    if (card === 'one-to-one') {
      if (matched.has(signature)) {
        throw evalError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      }
      matched.add(signature);
    }
    const [left, right] = swapped ? [other, sample] : [sample, other];
    const result = applyOperator(node.op, left.value, right.value);
    let value = result.value;
    if (node.returnBool) value = result.keep ? 1 : 0;
    else if (comparison && !result.keep) continue;

    const outSample = resultSample(node, sample, other, value);
    if (card !== 'one-to-one') {
      const key = labelsKey(outSample.labels) + (outSample.dropName ? 'd' : '');
      if (produced.has(key)) {
        throw evalError('multiple matches for labels: grouping labels must ensure unique matches');
      }
      produced.add(key);
    }
    out.push(outSample);
  }
  return out;
}

/** Labels of a vector/vector result, taken from the "many" side (the left for one-to-one). */
function resultSample(
  node: BinaryNode,
  many: InstantSample,
  one: InstantSample,
  value: number,
): InstantSample {
  const { card, on, labels: names, include } = node.matching;
  let labels = many.labels;
  let dropName = dropsName(node) || many.dropName === true;
  if (card === 'one-to-one') {
    if (on && !names.includes('__name__')) dropName = false;
    labels = oneToOneLabels(node, labels);
  }
  if (include.length > 0) {
    labels = { ...labels };
    for (const name of include) {
      const v = one.labels[name];
      if (v !== undefined && v !== '') labels[name] = v;
      else delete labels[name];
    }
  }
  const out: InstantSample = { labels, value };
  if (dropName && '__name__' in labels) out.dropName = true;
  return out;
}
