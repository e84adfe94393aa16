/**
 * Reading one series' rollup blocks through the block cache (block-cache.ts): the index rows
 * first (no bytes), decoded columns from the cache by block id, and only the blocks missing
 * there fetched (one statement for several) and decoded (decodedBlocks, also used for the
 * 1-hour rows of rollup-hourly.ts). Also the merge of overlapping blocks shared with the
 * uncached path in blocks.ts.
 */
import type { BlockCache } from './block-cache.js';
import type { DecodedChunk } from './chunk-read.js';
import type { SeriesRollups } from './series-rollups.js';
import {
  BLOCK_COLUMN_ORDER,
  allocDecodedColumns,
  decodeRollupBlockInto,
  rollupBlockLength,
  rollupBlockResolution,
} from './rollup-codec.js';
import {
  COLUMN_KEYS,
  ROLLUP_BASE_MS,
  allocColumns,
  bucketStart,
  type RollupColumns,
} from './rollup.js';
import type { Statements } from './statements.js';

/**
 * A decoded rollup block as cached: its `n` buckets' first `columns` columns of
 * BLOCK_COLUMN_ORDER, one after the other in `data` (one allocation, no views kept).
 */
export interface DecodedRollups {
  kind: 'rollups';
  data: Float64Array;
  n: number;
  columns: number;
  /** Bucket width, ms: 5 minutes, or 1 hour (full-precision floats after compaction). */
  resolutionMs: number;
}

/** A rollup row's first and last bucket start and its bucket width, ms. */
export type RollupSpan = [minTs: number, maxTs: number, resolutionMs: number];

const HOUR_MS = 3_600_000;

/**
 * Whether rollup rows (spans in (max_ts, id) order) holding 1-hour buckets, if any, give exact
 * buckets of `resolutionMs` up to bucket start `toMs`: the resolution must be whole hours
 * (fromMs is then on an hour), no row may overlap another (their buckets share starts: "the
 * latest write wins" cannot tell them apart), and no hourly row may reach past `toMs` when the
 * range ends within an hour (its last bucket would hold samples past the range).
 */
export function hourlyRowsUsable(
  spans: readonly RollupSpan[],
  toMs: number,
  resolutionMs: number,
): boolean {
  let hourly = false;
  let reachesPast = false;
  for (const [, maxTs, width] of spans) {
    if (width === ROLLUP_BASE_MS) continue;
    hourly = true;
    if (maxTs > toMs) reachesPast = true;
  }
  if (!hourly) return true;
  if (resolutionMs % HOUR_MS !== 0) return false;
  for (let i = 1; i < spans.length; i++) {
    if ((spans[i] as RollupSpan)[0] <= (spans[i - 1] as RollupSpan)[1]) return false;
  }
  const endsOnHour = (bucketStart(toMs, ROLLUP_BASE_MS) + ROLLUP_BASE_MS) % HOUR_MS === 0;
  return endsOnHour || !reachesPast;
}

/** The columns left empty (not decoded), as in allocDecodedColumns. */
const NOT_DECODED = new Float64Array(0);

/**
 * What the block cache holds: rollup blocks and raw chunks (chunk-read.ts), keyed by block id,
 * and each series' assembled rollups (series-rollups.ts), keyed by minus its series id.
 */
export type DecodedBlock = DecodedRollups | DecodedChunk | SeriesRollups;

/** What readRollupBlocks read: the buckets, whether every block held 5-minute ones, and which. */
export interface BlocksRead {
  cols: RollupColumns;
  onlyBase: boolean;
  blockIds: number[];
}

/**
 * The stored rollups of series `id` with bucket starts in [fromMs, toMs], as
 * BlockStore.readRollups (null when its 1-hour buckets cannot give `resolutionMs`), decoding
 * only the blocks `cache` lacks (or holds with fewer than `columns` columns). The result is a
 * copy: callers may change it without touching the cache.
 */
export function readRollupBlocks(
  stmts: Statements,
  cache: BlockCache<DecodedBlock>,
  id: number,
  fromMs: number,
  toMs: number,
  resolutionMs: number,
  wanted: number = BLOCK_COLUMN_ORDER.length,
): BlocksRead | null {
  const columns = Math.max(1, Math.min(wanted, BLOCK_COLUMN_ORDER.length));
  const index = stmts.rollupIndexInRange.all(id, fromMs, toMs);
  const blockIds = index.map((row) => row[0]);
  const found = decodedBlocks(stmts, cache, blockIds, columns);
  let onlyBase = true;
  const rowSpans = index.map((row, k): RollupSpan => {
    const width = found[k]?.resolutionMs ?? ROLLUP_BASE_MS;
    if (width !== ROLLUP_BASE_MS) onlyBase = false;
    return [row[1], row[2], width];
  });
  if (!hourlyRowsUsable(rowSpans, toMs, resolutionMs)) return null;

  // Rows come in (max_ts, id) order; blocks that overlap are merged, the latest write winning.
  let disjoint = true;
  let lastMax = -Infinity;
  for (const row of index) {
    if (row[1] <= lastMax) disjoint = false;
    lastMax = row[2];
  }
  if (!disjoint) {
    const byId = index
      .map((row, k) => ({ id: row[0], block: found[k] }))
      .sort((a, b) => a.id - b.id)
      .map((entry) => entry.block);
    let total = 0;
    for (const block of byId) total += block?.n ?? 0;
    const all = allocDecodedColumns(total, columns);
    let at = 0;
    for (const block of byId) {
      if (block === undefined) continue;
      copyColumns(block, 0, block.n, all, at, columns);
      at += block.n;
    }
    return { cols: latestRollups(all, fromMs, toMs), onlyBase, blockIds };
  }
  // Disjoint blocks in time order: copy only the buckets in range.
  const spans: Array<[number, number]> = new Array(found.length);
  let total = 0;
  for (let k = 0; k < found.length; k++) {
    const block = found[k];
    if (block === undefined) {
      spans[k] = [0, 0];
      continue;
    }
    const starts = block.data; // startsMs is the first column
    let from = 0;
    while (from < block.n && (starts[from] as number) < fromMs) from++;
    let to = block.n;
    while (to > from && (starts[to - 1] as number) > toMs) to--;
    spans[k] = [from, to];
    total += to - from;
  }
  const out = allocDecodedColumns(total, columns);
  let at = 0;
  for (let k = 0; k < found.length; k++) {
    const block = found[k];
    const [from, to] = spans[k] as [number, number];
    if (block === undefined || to === from) continue;
    copyColumns(block, from, to, out, at, columns);
    at += to - from;
  }
  return { cols: out, onlyBase, blockIds };
}

/**
 * The decoded rollup blocks `ids` (at least their first `columns` columns of
 * BLOCK_COLUMN_ORDER), from `cache` where it holds them, else fetched (one statement for
 * several), decoded and cached. A block whose bytes are gone stays undefined.
 */
export function decodedBlocks(
  stmts: Statements,
  cache: BlockCache<DecodedBlock>,
  ids: readonly number[],
  columns: number,
): Array<DecodedRollups | undefined> {
  const found: Array<DecodedRollups | undefined> = new Array(ids.length);
  let missing: number[] | undefined;
  for (let k = 0; k < ids.length; k++) {
    const hit = cache.get(ids[k] as number);
    if (hit?.kind === 'rollups' && hit.columns >= columns) found[k] = hit;
    else (missing ??= []).push(k);
  }
  if (missing !== undefined) {
    const missingIds = missing.map((k) => ids[k] as number);
    fetchMissing(stmts, cache, missingIds, missing, found, columns);
  }
  return found;
}

/**
 * Fetches and decodes blocks `ids` (those of `found` at positions `missing`) into `found` and
 * the cache. A block whose bytes are gone (not possible in one synchronous read) stays
 * undefined: absent, as the `rollups` view's join would leave it out.
 */
function fetchMissing(
  stmts: Statements,
  cache: BlockCache<DecodedBlock>,
  ids: readonly number[],
  missing: readonly number[],
  found: Array<DecodedRollups | undefined>,
  columns: number,
): void {
  const bytesOf = new Map<number, Uint8Array>();
  if (ids.length === 1) {
    const bytes = stmts.blobById.get(ids[0] as number);
    if (bytes !== undefined) bytesOf.set(ids[0] as number, bytes);
  } else {
    for (const [blockId, bytes] of stmts.blobsOfIds.all(JSON.stringify(ids))) {
      bytesOf.set(blockId, bytes);
    }
  }
  missing.forEach((k, j) => {
    const blockId = ids[j] as number;
    const bytes = bytesOf.get(blockId);
    if (bytes === undefined) return;
    const n = rollupBlockLength(bytes);
    const data = new Float64Array(n * columns);
    const views = {} as Record<keyof RollupColumns, Float64Array>;
    BLOCK_COLUMN_ORDER.forEach((key, c) => {
      views[key] = c < columns ? data.subarray(c * n, (c + 1) * n) : NOT_DECODED;
    });
    decodeRollupBlockInto(bytes, views, 0, columns);
    const resolutionMs = rollupBlockResolution(bytes);
    const block: DecodedRollups = { kind: 'rollups', data, n, columns, resolutionMs };
    found[k] = block;
    cache.set(blockId, block, data.byteLength);
  });
}

/**
 * Copies buckets [from, to) of the first `columns` columns of a cached block into `out` at
 * `at`: element by element, which for blocks of a few dozen buckets beats making a view per
 * column for TypedArray.set.
 */
export function copyColumns(
  src: DecodedRollups,
  from: number,
  to: number,
  out: RollupColumns,
  at: number,
  columns: number,
): void {
  const { data, n } = src;
  for (let c = 0; c < columns; c++) {
    const column = out[BLOCK_COLUMN_ORDER[c] as (typeof BLOCK_COLUMN_ORDER)[number]];
    for (let i = at, end = at + to - from, j = c * n + from; i < end; i++, j++) {
      column[i] = data[j] as number;
    }
  }
}

/**
 * The buckets of `all` (blocks concatenated in write order, overlapping) with starts in
 * [fromMs, toMs], sorted, the last written bucket winning per start.
 */
export function latestRollups(all: RollupColumns, fromMs: number, toMs: number): RollupColumns {
  const keep = latestPerTimestamp(Array.from(all.startsMs)).filter((i) => {
    const start = all.startsMs[i] as number;
    return start >= fromMs && start <= toMs;
  });
  const out = allocColumns(keep.length);
  keep.forEach((i, k) => {
    out.startsMs[k] = all.startsMs[i] as number;
    for (const key of COLUMN_KEYS) out[key][k] = all[key][i] as number;
  });
  return out;
}

/**
 * Indices into `timestamps` (listed in write order) sorted by timestamp, keeping for each
 * timestamp only its last occurrence.
 */
export function latestPerTimestamp(timestamps: ArrayLike<number>): number[] {
  const order = Array.from({ length: timestamps.length }, (_, i) => i);
  order.sort((a, b) => (timestamps[a] as number) - (timestamps[b] as number) || a - b);
  const keep: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    const next = order[k + 1];
    if (next !== undefined && timestamps[next] === timestamps[i]) continue;
    keep.push(i);
  }
  return keep;
}
