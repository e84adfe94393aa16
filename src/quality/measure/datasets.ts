/**
 * Measurements of the deterministic evaluators on the human-labelled datasets copied under
 * test/fixtures/quality/ (sources in SOURCES.md there). Used by the tests, which assert the
 * figures exactly, and by run.ts, which prints them for docs/evaluators.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRefusal } from '../evaluators/refusal.js';
import { findToxicity } from '../evaluators/toxicity.js';
import { parseCsv } from './csv.js';
import { measurePii, type PresidioRow } from './pii.js';

/** Binary classification counts and ratios (null when the denominator is 0). */
export interface BinaryFigures {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** Counts and ratios from paired predictions and labels. */
export function binaryFigures(
  pairs: ReadonlyArray<{ predicted: boolean; actual: boolean }>,
): BinaryFigures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const { predicted, actual } of pairs) {
    if (predicted && actual) tp += 1;
    else if (predicted) fp += 1;
    else if (actual) fn += 1;
    else tn += 1;
  }
  const precision = tp + fp === 0 ? null : tp / (tp + fp);
  const recall = tp + fn === 0 ? null : tp / (tp + fn);
  const f1 =
    precision === null || recall === null || precision + recall === 0
      ? null
      : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, tn, precision, recall, f1 };
}

const readJsonl = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);

/** PII figures on the Presidio odd-row slice. */
export function measurePresidioSlice(fixturesDir: string) {
  return measurePii(readJsonl<PresidioRow>(join(fixturesDir, 'presidio_synth_odd_rows.jsonl')));
}

/**
 * Toxicity lexicon on the Surge AI file: a comment is predicted toxic when it has a hit of
 * severity other than "mild" (the evaluator's score is 0). `rows`: "all", "even" (the rows
 * the lexicon was tuned on) or "odd" (held out), counting data rows from 0.
 */
export function measureToxicity(fixturesDir: string, rows: 'all' | 'even' | 'odd'): BinaryFigures {
  const data = parseCsv(readFileSync(join(fixturesDir, 'surge_toxicity_en.csv'), 'utf8')).slice(1);
  const pairs = data
    .filter((_, i) => rows === 'all' || i % 2 === (rows === 'even' ? 0 : 1))
    .map(([text = '', label = '']) => ({
      predicted: findToxicity(text).some((h) => h.severity !== 'mild'),
      actual: label === 'Toxic',
    }));
  return binaryFigures(pairs);
}

/** Refusal detection on the hand-labelled HHH harmless replies. */
export function measureRefusalLabelled(fixturesDir: string): BinaryFigures {
  const rows = readJsonl<{ text: string; refusal: boolean }>(
    join(fixturesDir, 'hhh_harmless_replies_refusal_labels.jsonl'),
  );
  return binaryFigures(
    rows.map((r) => ({ predicted: findRefusal(r.text) !== null, actual: r.refusal })),
  );
}

/** How often the final reply is flagged as a refusal in HH-RLHF chosen vs rejected replies. */
export function measureRefusalHhRlhf(fixturesDir: string) {
  const rows = readJsonl<{ chosen: string; rejected: string }>(
    join(fixturesDir, 'hh_rlhf_harmless_final_replies_first1000.jsonl'),
  );
  let chosenRefusals = 0;
  let rejectedRefusals = 0;
  let onlyChosen = 0;
  let onlyRejected = 0;
  for (const row of rows) {
    const c = findRefusal(row.chosen) !== null;
    const r = findRefusal(row.rejected) !== null;
    if (c) chosenRefusals += 1;
    if (r) rejectedRefusals += 1;
    if (c && !r) onlyChosen += 1;
    if (r && !c) onlyRejected += 1;
  }
  return { pairs: rows.length, chosenRefusals, rejectedRefusals, onlyChosen, onlyRejected };
}
