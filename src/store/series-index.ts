/**
 * Resolving label matchers to series through the inverted label index (`label_pairs` and
 * `label_postings`, schema.ts), and the parsed label sets of stored series by id
 * (`SeriesLabels`). The per-sample map from an incoming label set to its series id is
 * series-cache.ts.
 */
import { parseLabelsKey } from './labels.js';
import { compileMatchers, matchesAll, type CompiledMatcher } from './matchers.js';
import type { Statements } from './statements.js';
import type { LabelMatcher, Labels } from './types.js';

/** A series found by matchers. */
export interface SeriesRef {
  id: number;
  /** The series' labels: one frozen object per series, the same in every select. */
  labels: Labels;
  /** The label names, sorted (for compareRefs). */
  names: readonly string[];
}

/**
 * Candidate series ids from the index, ascending, before checking every matcher on their
 * labels. The index lists a label's series in id order (its primary key is name, value,
 * series_id), so equality matchers intersect by merging sorted lists.
 */
function candidateIds(stmts: Statements, matchers: readonly CompiledMatcher[]): number[] {
  let ids: number[] | undefined;
  for (const m of matchers) {
    if (m.type !== '=' || m.matchesEmpty) continue;
    const found = stmts.seriesIdsByLabel.all(m.name, m.value);
    ids = ids === undefined ? found : intersectSorted(ids, found);
    if (ids.length === 0) return ids;
  }
  if (ids !== undefined) return ids;

  // No equality matcher: use the first matcher that requires the label to be present.
  const required = matchers.find((m) => !m.matchesEmpty);
  if (required === undefined) return stmts.allSeriesIds.all();
  const union = new Set<number>();
  for (const value of stmts.distinctValues.all({ name: required.name })) {
    if (!required.matches(value)) continue;
    for (const id of stmts.seriesIdsByLabel.all(required.name, value)) union.add(id);
  }
  return [...union].sort((a, b) => a - b);
}

/** The numbers in both ascending lists, ascending. */
function intersectSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

/**
 * The label sets of stored series by id, each parsed from its canonical key once and then kept:
 * a select no longer reads and parses the labels of every series it matches, and the engine,
 * which remembers keys and groups per label object (promql/labels.ts), finds them again in the
 * next query. Ids are never reused (batch-writer.ts), so an entry can only go stale by its
 * series being deleted: retention calls forget().
 *
 * Memory: one frozen label object and its sorted names per series read since opening (a few
 * hundred bytes for the usual 6 to 8 labels); it grows with the series queried, like the
 * write-side SeriesCache grows with the series written.
 */
export class SeriesLabels {
  private byId = new Map<number, SeriesRef>();

  constructor(private readonly stmts: Statements) {}

  /** Series held. */
  get size(): number {
    return this.byId.size;
  }

  /** The refs of the stored series among `ids`, in their order (missing ids are skipped). */
  refsOf(ids: readonly number[]): SeriesRef[] {
    const missing = ids.filter((id) => !this.byId.has(id));
    if (missing.length > 0) this.load(missing);
    const out: SeriesRef[] = [];
    for (const id of ids) {
      const ref = this.byId.get(id);
      if (ref !== undefined) out.push(ref);
    }
    return out;
  }

  /** Drops the entries of deleted series. */
  forget(ids: Iterable<number>): void {
    for (const id of ids) this.byId.delete(id);
  }

  /** Reads and parses the labels of `ids` (one query per few thousand ids). */
  private load(ids: readonly number[]): void {
    for (let at = 0; at < ids.length; at += LOAD_BATCH) {
      const batch = JSON.stringify(ids.slice(at, at + LOAD_BATCH));
      for (const [id, key] of this.stmts.labelsOfIds.all(batch)) {
        const labels = Object.freeze(parseLabelsKey(key));
        this.byId.set(id, { id, labels, names: Object.keys(labels).sort() });
      }
    }
  }
}

/** Ids per labelsOfIds query. */
const LOAD_BATCH = 4096;

/**
 * Orders refs by their labels as Prometheus does (store/labels.ts compareLabels), from the
 * sorted names each ref carries.
 */
export function compareRefs(a: SeriesRef, b: SeriesRef): number {
  const namesA = a.names;
  const namesB = b.names;
  const n = Math.min(namesA.length, namesB.length);
  for (let i = 0; i < n; i++) {
    const nameA = namesA[i] as string;
    const nameB = namesB[i] as string;
    if (nameA !== nameB) return nameA < nameB ? -1 : 1;
    const valueA = a.labels[nameA] as string;
    const valueB = b.labels[nameB] as string;
    if (valueA !== valueB) return valueA < valueB ? -1 : 1;
  }
  return namesA.length - namesB.length;
}

/**
 * Every series matching all `matchers`, in id order, with labels from `labels`. Throws
 * LlmwatchError `store_invalid_matcher` on a bad matcher.
 */
export function resolveSeries(
  stmts: Statements,
  labels: SeriesLabels,
  matchers: readonly LabelMatcher[],
): SeriesRef[] {
  const compiled = compileMatchers(matchers);
  return labels.refsOf(candidateIds(stmts, compiled)).filter((r) => matchesAll(r.labels, compiled));
}
