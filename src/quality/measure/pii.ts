/**
 * Span-level precision and recall of the PII redactor against a labelled corpus in the format
 * of Microsoft Presidio's synthetic PII dataset (`full_text` plus `spans` with `entity_type`,
 * `start_position`, `end_position`).
 */
import { findPii, PII_TYPES, type PiiType } from '../redact/index.js';

/** One labelled row of the Presidio synthetic dataset (other fields are ignored). */
export interface PresidioRow {
  full_text: string;
  spans: Array<{ entity_type: string; start_position: number; end_position: number }>;
}

/** Presidio entity type for each redactor type that has a counterpart in the dataset. */
export const PRESIDIO_TYPE: Partial<Record<PiiType, string>> = {
  EMAIL: 'EMAIL_ADDRESS',
  PHONE: 'PHONE_NUMBER',
  CARD: 'CREDIT_CARD',
  SSN: 'US_SSN',
  IBAN: 'IBAN_CODE',
  IP: 'IP_ADDRESS',
};

/** Counts for one redactor type. Ratios are null when their denominator is 0. */
export interface PiiTypeFigures {
  /** Gold spans of the matching Presidio type. */
  gold: number;
  /** Spans the redactor reported with this type. */
  predicted: number;
  /** Predicted spans that overlap a gold span of the matching type. */
  predictedCorrect: number;
  /** Gold spans overlapped by a predicted span of this type. */
  goldFound: number;
  /** Gold spans overlapped by a predicted span of any type (redacted, maybe mislabelled). */
  goldCovered: number;
  precision: number | null;
  recall: number | null;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

/**
 * Per-type figures over `rows`: a detection counts as correct when it overlaps a gold span of
 * the matching type (overlap, not exact boundaries). Types without a Presidio counterpart
 * (API_KEY, NATIONAL_ID) have gold 0, so every detection of theirs is counted as predicted
 * only, and precision and recall are null.
 */
export function measurePii(rows: readonly PresidioRow[]): Record<PiiType, PiiTypeFigures> {
  const figures = {} as Record<PiiType, PiiTypeFigures>;
  for (const type of PII_TYPES) {
    figures[type] = {
      gold: 0,
      predicted: 0,
      predictedCorrect: 0,
      goldFound: 0,
      goldCovered: 0,
      precision: null,
      recall: null,
    };
  }

  for (const row of rows) {
    const predicted = findPii(row.full_text);
    const gold = row.spans.map((s) => ({
      type: s.entity_type,
      start: s.start_position,
      end: s.end_position,
    }));
    for (const type of PII_TYPES) {
      const f = figures[type];
      const goldOfType = gold.filter((g) => g.type === PRESIDIO_TYPE[type]);
      const predOfType = predicted.filter((p) => p.type === type);
      f.gold += goldOfType.length;
      f.predicted += predOfType.length;
      f.predictedCorrect += predOfType.filter((p) => goldOfType.some((g) => overlaps(p, g))).length;
      f.goldFound += goldOfType.filter((g) => predOfType.some((p) => overlaps(p, g))).length;
      f.goldCovered += goldOfType.filter((g) => predicted.some((p) => overlaps(p, g))).length;
    }
  }

  for (const type of PII_TYPES) {
    const f = figures[type];
    f.precision = f.gold === 0 ? null : ratio(f.predictedCorrect, f.predicted);
    f.recall = ratio(f.goldFound, f.gold);
  }
  return figures;
}
