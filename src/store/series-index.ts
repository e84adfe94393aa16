/**
 * Resolving label matchers to series through the inverted label index (`label_pairs` and
 * `label_postings`, schema.ts). The per-sample map from an incoming label set to its series id
 * is series-cache.ts.
 */
import { parseLabelsKey } from './labels.js';
import { compileMatchers, matchesAll, type CompiledMatcher } from './matchers.js';
import type { Statements } from './statements.js';
import type { LabelMatcher, Labels } from './types.js';

/** A series found by matchers. */
export interface SeriesRef {
  id: number;
  labels: Labels;
}

/** Candidate series ids from the index, before checking every matcher on their labels. */
function candidateIds(stmts: Statements, matchers: readonly CompiledMatcher[]): Iterable<number> {
  let ids: Set<number> | undefined;
  for (const m of matchers) {
    if (m.type !== '=' || m.matchesEmpty) continue;
    const found = stmts.seriesIdsByLabel.all(m.name, m.value);
    ids = ids === undefined ? new Set(found) : new Set(found.filter((id) => ids?.has(id)));
    if (ids.size === 0) return ids;
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
  return union;
}

/**
 * Every series matching all `matchers`, in id order. Throws LlmwatchError
 * `store_invalid_matcher` on a bad matcher.
 */
export function resolveSeries(stmts: Statements, matchers: readonly LabelMatcher[]): SeriesRef[] {
  const compiled = compileMatchers(matchers);
  const result: SeriesRef[] = [];
  for (const id of candidateIds(stmts, compiled)) {
    const row = stmts.labelsById.get(id);
    if (row === undefined) continue;
    const labels = parseLabelsKey(row.labels);
    if (matchesAll(labels, compiled)) result.push({ id, labels });
  }
  return result.sort((a, b) => a.id - b.id);
}
