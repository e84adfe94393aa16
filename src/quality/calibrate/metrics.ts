/**
 * Agreement figures between an evaluator and human labels: Cohen's kappa, Spearman's rank
 * correlation (ties get average ranks) and pairwise accuracy. Binary counts come from
 * binaryFigures in ../measure/datasets.ts.
 */

/**
 * Cohen's kappa of two raters over the same items: (po - pe) / (1 - pe), with po the observed
 * agreement and pe the agreement expected from each rater's label frequencies. Returns null for
 * no items, and 1 when pe is 1 and the raters agree on everything (one label only).
 */
export function cohenKappa<T>(pairs: ReadonlyArray<readonly [T, T]>): number | null {
  if (pairs.length === 0) return null;
  const n = pairs.length;
  const countA = new Map<T, number>();
  const countB = new Map<T, number>();
  let agree = 0;
  for (const [a, b] of pairs) {
    if (a === b) agree += 1;
    countA.set(a, (countA.get(a) ?? 0) + 1);
    countB.set(b, (countB.get(b) ?? 0) + 1);
  }
  const po = agree / n;
  let pe = 0;
  for (const [label, ca] of countA) pe += (ca / n) * ((countB.get(label) ?? 0) / n);
  if (pe === 1) return po === 1 ? 1 : null;
  return (po - pe) / (1 - pe);
}

/** Ranks 1..n; tied values share the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.[0] === order[start]?.[0]) end += 1;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k += 1) ranks[order[k]?.[1] as number] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Pearson correlation; null when fewer than 2 items or either side is constant. */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 2 || y.length !== n) return null;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Spearman's rho: Pearson correlation of the average ranks (correct with ties). Null when
 * fewer than 2 items or one side is constant (the evaluator gave every item the same score).
 */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  return pearson(averageRanks(x), averageRanks(y));
}

/** Pairwise preference figures. */
export interface PairFigures {
  n: number;
  /** The preferred reply scored higher. */
  correct: number;
  /** The preferred reply scored lower. */
  wrong: number;
  ties: number;
  /** (correct + ties / 2) / n: a tie counts as a coin flip. Null when n is 0. */
  accuracy: number | null;
  /** correct / (correct + wrong). Null when every pair tied. */
  accuracyExcludingTies: number | null;
}

/** Pairwise accuracy from [score of the preferred reply, score of the other] pairs. */
export function pairFigures(pairs: ReadonlyArray<readonly [number, number]>): PairFigures {
  let correct = 0;
  let wrong = 0;
  let ties = 0;
  for (const [preferred, other] of pairs) {
    if (preferred > other) correct += 1;
    else if (preferred < other) wrong += 1;
    else ties += 1;
  }
  const n = pairs.length;
  return {
    n,
    correct,
    wrong,
    ties,
    accuracy: n === 0 ? null : (correct + ties / 2) / n,
    accuracyExcludingTies: correct + wrong === 0 ? null : correct / (correct + wrong),
  };
}
