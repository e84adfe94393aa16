/**
 * `runCalibrate`: scores a labelled dataset with one evaluator and reports its agreement with
 * the human labels (binary: accuracy, precision, recall, F1, Cohen's kappa; graded: Spearman;
 * pairs: pairwise accuracy, also per subset).
 */
import { writeFileSync } from 'node:fs';
import { binaryFigures, type BinaryFigures } from '../measure/datasets.js';
import type { EvaluationSample } from '../evaluators/types.js';
import { loadDataset, type Dataset } from './datasets.js';
import type { Scorer, ScoreOutcome } from './evaluator.js';
import { cohenKappa, pairFigures, spearman, type PairFigures } from './metrics.js';

/** Options of runCalibrate. */
export interface CalibrateOptions {
  /** Path of the labelled file (.csv or .jsonl). */
  dataset: string;
  /** Criterion name, recorded in the report (the scorer already knows it). */
  criterion: string;
  evaluator: Scorer;
  /** Data rows used, counted from 0: "odd" (held out), "even" (development) or "all". */
  rows: 'odd' | 'even' | 'all';
  /** Where to write the report as JSON; not written when unset. */
  out?: string;
  /** Binary sets: a score below this predicts the bad class. Default 0.5. */
  threshold?: number;
  /** Items scored at most (after the row split). Default: all. */
  limit?: number;
  /** Items scored at once (judge calls are also bounded by the judge's limiter). Default 4. */
  concurrency?: number;
  /** USR human score used as the graded label. Default "overall". */
  usrScore?: string;
  /** Progress callback, called after every item. */
  onProgress?: (done: number, total: number) => void;
}

/** The calibration report. Figures are null where undefined (no items, constant scores). */
export interface CalibrationReport {
  dataset: string;
  format: string;
  kind: Dataset['kind'];
  criterion: string;
  judge: string;
  rows: CalibrateOptions['rows'];
  /** Items selected; pairs count once. */
  items: number;
  /** Items with a score (for pairs: both replies scored). */
  scored: number;
  /** Rows of the file without a usable label. */
  skippedRows: number;
  /** Count per outcome over every text scored. */
  outcomes: Record<string, number>;
  binary?: BinaryFigures & { threshold: number; accuracy: number | null; kappa: number | null };
  graded?: { n: number; spearman: number | null };
  pairs?: PairFigures & { byGroup: Record<string, PairFigures> };
  judgeTokens: { input: number; output: number };
  judgeCostDollars: number;
}

async function mapPool<T, R>(
  items: T[],
  width: number,
  fn: (item: T) => Promise<R>,
  onDone: () => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      results[i] = await fn(items[i] as T);
      onDone();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, worker));
  return results;
}

const sampleOf = (index: number, request: string | null, response: string): EvaluationSample => ({
  requestId: `calibrate-${index}`,
  component: 'calibrate',
  request: request === null ? undefined : { messages: [{ role: 'user', content: request }] },
  responseText: response,
});

/** Runs the calibration and returns (and optionally writes) the report. */
export async function runCalibrate(opts: CalibrateOptions): Promise<CalibrationReport> {
  const dataset = loadDataset(opts.dataset, { usrScore: opts.usrScore });
  const threshold = opts.threshold ?? 0.5;
  const keep = (index: number) =>
    opts.rows === 'all' || index % 2 === (opts.rows === 'even' ? 0 : 1);
  const outcomes: Record<string, number> = {};
  const tokens = { input: 0, output: 0 };
  let cost = 0;
  const score = async (sample: EvaluationSample): Promise<number | undefined> => {
    let result: ScoreOutcome;
    try {
      result = await opts.evaluator.score(sample);
    } catch {
      result = { outcome: 'error' };
    }
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    tokens.input += result.usage?.inputTokens ?? 0;
    tokens.output += result.usage?.outputTokens ?? 0;
    cost += result.costDollars ?? 0;
    return result.outcome === 'scored' ? result.score : undefined;
  };

  const items = (dataset.items as { index: number }[])
    .filter((i) => keep(i.index))
    .slice(0, opts.limit);
  let done = 0;
  const progress = () => opts.onProgress?.((done += 1), items.length);
  const width = opts.concurrency ?? 4;
  const base = {
    dataset: dataset.name,
    format: dataset.format,
    kind: dataset.kind,
    criterion: opts.criterion,
    rows: opts.rows,
    items: items.length,
    skippedRows: dataset.skipped,
    outcomes,
    judgeTokens: tokens,
  };
  let report: CalibrationReport;

  if (dataset.kind === 'pairs') {
    const pairs = items as typeof dataset.items;
    const scored = await mapPool(
      pairs,
      width,
      async (p) => {
        const [c, r] = await Promise.all([
          score(sampleOf(p.index, p.request, p.chosen)),
          score(sampleOf(p.index, p.request, p.rejected)),
        ]);
        return c === undefined || r === undefined
          ? null
          : { group: p.group, pair: [c, r] as const };
      },
      progress,
    );
    const ok = scored.filter((s) => s !== null);
    const groups = new Map<string, (readonly [number, number])[]>();
    for (const s of ok)
      if (s.group !== null) groups.set(s.group, [...(groups.get(s.group) ?? []), s.pair]);
    const byGroup = Object.fromEntries(
      [...groups].sort().map(([g, list]) => [g, pairFigures(list)]),
    );
    report = {
      ...base,
      judge: opts.evaluator.label(),
      scored: ok.length,
      pairs: { ...pairFigures(ok.map((s) => s.pair)), byGroup },
      judgeCostDollars: cost,
    };
  } else if (dataset.kind === 'graded') {
    const graded = items as typeof dataset.items;
    const scored = await mapPool(
      graded,
      width,
      async (g) => {
        const s = await score(sampleOf(g.index, g.request, g.response));
        return s === undefined ? null : ([s, g.value] as const);
      },
      progress,
    );
    const ok = scored.filter((s) => s !== null);
    const rho = spearman(
      ok.map((s) => s[0]),
      ok.map((s) => s[1]),
    );
    report = {
      ...base,
      judge: opts.evaluator.label(),
      scored: ok.length,
      graded: { n: ok.length, spearman: rho },
      judgeCostDollars: cost,
    };
  } else {
    const binary = items as typeof dataset.items;
    const scored = await mapPool(
      binary,
      width,
      async (b) => {
        const s = await score(sampleOf(b.index, b.request, b.response));
        return s === undefined ? null : { predicted: s < threshold, actual: b.positive };
      },
      progress,
    );
    const ok = scored.filter((s) => s !== null);
    const figures = binaryFigures(ok);
    const accuracy = ok.length === 0 ? null : (figures.tp + figures.tn) / ok.length;
    const kappa = cohenKappa(ok.map((s) => [s.predicted, s.actual] as const));
    report = {
      ...base,
      judge: opts.evaluator.label(),
      scored: ok.length,
      binary: { threshold, accuracy, kappa, ...figures },
      judgeCostDollars: cost,
    };
  }

  if (opts.out !== undefined) writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
