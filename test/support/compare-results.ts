/**
 * Compares two Prometheus query `data` objects (the reference server's and llmwatch's): same
 * result type, same series label sets, same timestamps per series, and values equal within a
 * tolerance. Returns readable differences instead of throwing, so a test can report them all.
 */
import type { PromPoint, QueryResult } from '../../src/promql/index.js';
import type { Labels } from '../../src/store/types.js';

/** Value tolerance: equal when within `relative` of the larger magnitude or within `absolute`. */
export interface Tolerance {
  /** Default 1e-9. */
  relative: number;
  /** Default 1e-12. */
  absolute: number;
}

/** The tolerance the diff test uses. */
export const DEFAULT_TOLERANCE: Tolerance = { relative: 1e-9, absolute: 1e-12 };

/** Parses a Prometheus JSON sample value ("NaN", "+Inf", "-Inf", "1.5"); other text → NaN. */
export function parsePromValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** True when two sample values agree: both NaN, the same infinity, or close within `tol`. */
export function valuesAgree(expected: string, actual: string, tol: Tolerance): boolean {
  if (expected === actual) return true;
  const a = parsePromValue(expected);
  const b = parsePromValue(actual);
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const diff = Math.abs(a - b);
  return diff <= tol.absolute || diff <= tol.relative * Math.max(Math.abs(a), Math.abs(b));
}

/** A label set as `{a="1", b="2"}` with names sorted, used as a map key and in messages. */
export function formatLabels(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}

/** The result as series key → points; scalars and strings become one unlabelled point. */
function toSeries(data: QueryResult): Map<string, PromPoint[]> {
  const out = new Map<string, PromPoint[]>();
  switch (data.resultType) {
    case 'matrix':
      for (const s of data.result) out.set(formatLabels(s.metric), s.values);
      break;
    case 'vector':
      for (const s of data.result) out.set(formatLabels(s.metric), [s.value]);
      break;
    default:
      out.set('{}', [data.result]);
  }
  return out;
}

function comparePoints(
  key: string,
  expected: PromPoint[],
  actual: PromPoint[],
  tol: Tolerance,
): string | undefined {
  const expectedTimes = expected.map(([t]) => t).join(',');
  const actualTimes = actual.map(([t]) => t).join(',');
  if (expectedTimes !== actualTimes) {
    const only = (a: PromPoint[], b: PromPoint[]): number[] => {
      const times = new Set(b.map(([t]) => t));
      return a.filter(([t]) => !times.has(t)).map(([t]) => t);
    };
    return (
      `${key}: timestamps differ; only in reference: [${only(expected, actual).slice(0, 5)}]` +
      ` (${expected.length} points), only in llmwatch: [${only(actual, expected).slice(0, 5)}]` +
      ` (${actual.length} points)`
    );
  }
  for (let i = 0; i < expected.length; i++) {
    const [t, want] = expected[i] as PromPoint;
    const got = (actual[i] as PromPoint)[1];
    if (!valuesAgree(want, got, tol)) return `${key} at ${t}: reference ${want}, llmwatch ${got}`;
  }
  return undefined;
}

/**
 * Differences between the reference answer and llmwatch's, at most `maxDifferences` (default 8)
 * messages; an empty list means they agree.
 */
export function compareResults(
  reference: QueryResult,
  llmwatch: QueryResult,
  tol: Tolerance = DEFAULT_TOLERANCE,
  maxDifferences = 8,
): string[] {
  if (reference.resultType !== llmwatch.resultType) {
    return [`result type: reference ${reference.resultType}, llmwatch ${llmwatch.resultType}`];
  }
  const want = toSeries(reference);
  const got = toSeries(llmwatch);
  const differences: string[] = [];
  for (const [key, points] of want) {
    const actual = got.get(key);
    const problem = actual
      ? comparePoints(key, points, actual, tol)
      : `${key}: missing in llmwatch (${points.length} points)`;
    if (problem) differences.push(problem);
  }
  for (const [key, points] of got) {
    if (!want.has(key)) differences.push(`${key}: only in llmwatch (${points.length} points)`);
  }
  if (differences.length > maxDifferences) {
    const more = differences.length - maxDifferences;
    return [...differences.slice(0, maxDifferences), `... and ${more} more`];
  }
  return differences;
}
