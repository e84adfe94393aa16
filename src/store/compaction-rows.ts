/**
 * Row helpers of compaction and the rollup rebuild: the merged row size, time spans and
 * overlaps of stored rows, and grouping or cutting what is merged into rows of a bounded size.
 */
import type { BlockRow } from './statements.js';

/**
 * Largest data bytes of a merged row on a database of `pageSize` bytes: at most an eighth of a
 * page, so that the unused tail of a `blobs` page (rows that do not fit start the next one)
 * stays small, and within what SQLite keeps in an index B-tree page (about a quarter page, less
 * room for the key), where the chunk and rollup rows lived before schema version 5.
 */
export function maxRowBytes(pageSize: number): number {
  const maxLocal = Math.floor(((pageSize - 12) * 64) / 255) - 23;
  return Math.min(maxLocal - 64, Math.floor(pageSize / ROW_FRACTION));
}
const ROW_FRACTION = 8;

/** True when each row (in (max_ts, id) order) starts after the one before ends. */
export function ascending(rows: readonly BlockRow[]): boolean {
  for (let i = 1; i < rows.length; i++) {
    if ((rows[i] as BlockRow)[1] <= (rows[i - 1] as BlockRow)[2]) return false;
  }
  return true;
}

export function spanOf(rows: readonly BlockRow[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const r of rows) {
    if (r[1] < min) min = r[1];
    if (r[2] > max) max = r[2];
  }
  return [min, max];
}

/** The rows' span when no other row (`overlapping` lists all rows touching it) overlaps it. */
export function mergeableSpan(
  rows: readonly BlockRow[],
  overlapping: readonly BlockRow[],
): [number, number] | null {
  if (overlapping.length !== rows.length) return null;
  const ids = new Set(rows.map((r) => r[0]));
  for (const r of overlapping) if (!ids.has(r[0])) return null;
  return spanOf(rows);
}

/**
 * Groups rows, sorted by time, into runs to join whose bytes stay within `maxBytes`; every row
 * alone when two of them overlap in time (joining them would not let the latest write win).
 */
export function joinGroups(rows: readonly BlockRow[], maxBytes: number): BlockRow[][] {
  const sorted = [...rows].sort((a, b) => a[1] - b[1]);
  for (let i = 1; i < sorted.length; i++) {
    if ((sorted[i] as BlockRow)[1] <= (sorted[i - 1] as BlockRow)[2]) return sorted.map((r) => [r]);
  }
  const groups: BlockRow[][] = [];
  let bytes = Infinity;
  for (const row of sorted) {
    const size = row[4].length + 8;
    if (bytes + size > maxBytes) {
      groups.push([]);
      bytes = 0;
    }
    (groups[groups.length - 1] as BlockRow[]).push(row);
    bytes += size;
  }
  return groups;
}

/**
 * Encodes items [0, n) as consecutive pieces, each at most `maxBytes` where possible: a piece
 * too big is cut into parts of about 90% of `maxBytes` until it fits or holds at most 60 items.
 */
export function splitEncode(
  n: number,
  maxBytes: number,
  encode: (from: number, to: number) => Uint8Array,
): Array<{ from: number; to: number; bytes: Uint8Array }> {
  const out: Array<{ from: number; to: number; bytes: Uint8Array }> = [];
  const visit = (from: number, to: number): void => {
    const bytes = encode(from, to);
    if (bytes.length <= maxBytes || to - from <= 60) {
      out.push({ from, to, bytes });
      return;
    }
    const parts = Math.ceil(bytes.length / (maxBytes * 0.9));
    const size = Math.ceil((to - from) / parts);
    for (let start = from; start < to; start += size) visit(start, Math.min(to, start + size));
  };
  if (n > 0) visit(0, n);
  return out;
}
