/**
 * Each series' 5-minute rollups as last read, kept whole in the block cache under the key
 * minus its series id, so that a dashboard read again answers from one entry per series: no
 * index statement, no block lookups, no copy (the result views the entry's columns).
 *
 * Measured on the full fleet (6,912 series, 30 days): a 24-hour histogram panel over 2,400
 * series read nine blocks per series; the index statement, the block lookups and copying the
 * buckets into fresh columns (and collecting those) were about half of the query.
 *
 * Unlike a block, a series' rollups change: a write to its `rollup_index` rows (a new chunk's
 * buckets, compaction, retention, a rebuild) drops its entry first when the rows reach into the
 * entry's range (Statements.rollupRowsChanged, dropStaleEntry). New chunks' buckets follow the
 * entry's, so a live dashboard's next read only reads those and grows the entry (extendEntry).
 *
 * Entries hold 5-minute buckets only: a range that reaches rollup rows kept as 1-hour buckets
 * (full-precision floats) is marked to be read block by block (an entry without columns), as
 * are the 5-minute pieces of reads at whole hours (BlockStore.readRollups). Another read
 * outside the entry's range reads the blocks again, over the union of both ranges when that is
 * at most twice the longer one, else over the new range alone. The blocks an entry is built
 * from are not cached beside it (the entry holds their buckets).
 *
 * Callers must not change the columns returned: they are the cache's own (readers never do).
 *
 * Limitation: compaction rewrites a live series' recent rows, which reach into the entries of
 * dashboards covering them, so those are dropped about once per compaction window (25 minutes
 * at the first level) and read again from their blocks (docs/limitations.md).
 */
import { firstAtOrAfter } from '../core/sorted.js';
import type { BlockCache } from './block-cache.js';
import { BLOCK_COLUMN_ORDER, allocDecodedColumns } from './rollup-codec.js';
import { readRollupBlocks, type DecodedBlock } from './rollup-read.js';
import { COLUMN_KEYS, type RollupColumns } from './rollup.js';
import type { Statements } from './statements.js';

/** One series' 5-minute buckets with starts in [fromMs, toMs], as cached. */
export interface SeriesRollups {
  kind: 'series';
  fromMs: number;
  toMs: number;
  /** The first `columns` columns of BLOCK_COLUMN_ORDER are filled, the others empty. */
  columns: number;
  /** Null when the range reaches rows of 1-hour buckets: read it block by block. */
  cols: RollupColumns | null;
}

/** The cache key of series `id`'s entry (block ids are positive). */
export function seriesRollupsKey(id: number): number {
  return -id;
}

/**
 * Drops series `id`'s entry when rollup rows whose bucket starts lie within `span()` (asked only
 * when there is an entry) are about to change and reach into its range: rows a read of the
 * entry's range would see. A listener for Statements.rollupRowsChanged.
 */
export function dropStaleEntry(
  cache: BlockCache<DecodedBlock>,
  id: number,
  span: () => [fromMs: number, toMs: number],
): void {
  const key = seriesRollupsKey(id);
  const entry = cache.peek(key);
  if (entry?.kind !== 'series') return;
  const [fromMs, toMs] = span();
  if (fromMs <= entry.toMs && toMs >= entry.fromMs) cache.delete(key);
}

/**
 * As readRollupBlocks (the stored rollups of series `id` with bucket starts in [fromMs, toMs]),
 * from the series' cached entry when it covers the range with at least `wanted` columns. The
 * result may view the cache's columns: do not change it.
 */
export function readCachedRollups(
  stmts: Statements,
  cache: BlockCache<DecodedBlock>,
  id: number,
  fromMs: number,
  toMs: number,
  resolutionMs: number,
  wanted: number = BLOCK_COLUMN_ORDER.length,
): RollupColumns | null {
  const columns = Math.max(1, Math.min(wanted, BLOCK_COLUMN_ORDER.length));
  const key = seriesRollupsKey(id);
  const cached = cache.get(key);
  const entry = cached?.kind === 'series' ? cached : undefined;
  if (entry !== undefined && entry.fromMs <= fromMs && toMs <= entry.toMs) {
    if (entry.cols === null) {
      return readRollupBlocks(stmts, cache, id, fromMs, toMs, resolutionMs, columns)?.cols ?? null;
    }
    if (entry.columns >= columns) return viewRange(entry.cols, fromMs, toMs, columns);
  }

  // A range starting inside the entry and ending past it: read only the new buckets.
  const startsInside = entry !== undefined && entry.fromMs <= fromMs && fromMs <= entry.toMs;
  if (startsInside && hasColumns(entry) && entry.columns >= columns) {
    const grown = extendEntry(stmts, cache, id, entry, fromMs, toMs, resolutionMs);
    if (grown !== null) return viewRange(grown, fromMs, toMs, columns);
  }

  // Read the blocks again: over both ranges when they are close, with every column either wants.
  let readFrom = fromMs;
  let readTo = toMs;
  let readColumns = columns;
  if (hasColumns(entry)) {
    readColumns = Math.max(columns, entry.columns);
    const unionFrom = Math.min(fromMs, entry.fromMs);
    const unionTo = Math.max(toMs, entry.toMs);
    const longer = Math.max(toMs - fromMs, entry.toMs - entry.fromMs);
    if (unionTo - unionFrom <= 2 * longer) [readFrom, readTo] = [unionFrom, unionTo];
  }
  // Blocks missing from the cache are not added: the entry will hold their buckets.
  const read = cache.withAdmission(0, () =>
    readRollupBlocks(stmts, cache, id, readFrom, readTo, resolutionMs, readColumns),
  );
  if (read === null || !read.onlyBase) {
    // 1-hour rows in the range: remember to read (and cache) it block by block.
    const blockwise: SeriesRollups = {
      kind: 'series',
      fromMs: readFrom,
      toMs: readTo,
      columns,
      cols: null,
    };
    cache.set(key, blockwise, 0);
    return readRollupBlocks(stmts, cache, id, fromMs, toMs, resolutionMs, columns)?.cols ?? null;
  }
  // The entry takes the place of the blocks it was built from.
  for (const blockId of read.blockIds) cache.delete(blockId);
  const fresh: SeriesRollups = {
    kind: 'series',
    fromMs: readFrom,
    toMs: readTo,
    columns: readColumns,
    cols: read.cols,
  };
  cache.set(key, fresh, columnBytes(read.cols));
  return viewRange(read.cols, fromMs, toMs, columns);
}

/** An entry holding columns (not a mark to read block by block). */
type FilledRollups = SeriesRollups & { cols: RollupColumns };

function hasColumns(entry: SeriesRollups | undefined): entry is FilledRollups {
  return entry !== undefined && entry.cols !== null;
}

/**
 * Grows `entry` (whose buckets start at or before `fromMs`) up to `toMs` by
 * reading only the buckets after it (a live dashboard's range moving on: new chunks' buckets
 * follow the entry's and leave it valid), keeping its older buckets while the whole stays within
 * twice the range read. Returns the new entry's columns, or null when the new part holds 1-hour
 * rows (then read the range anew).
 */
function extendEntry(
  stmts: Statements,
  cache: BlockCache<DecodedBlock>,
  id: number,
  entry: FilledRollups,
  fromMs: number,
  toMs: number,
  resolutionMs: number,
): RollupColumns | null {
  const { columns } = entry;
  const tail = cache.withAdmission(0, () =>
    readRollupBlocks(stmts, cache, id, entry.toMs + 1, toMs, resolutionMs, columns),
  );
  if (tail === null || !tail.onlyBase) return null;
  for (const blockId of tail.blockIds) cache.delete(blockId);
  const keepFrom = toMs - entry.fromMs <= 2 * (toMs - fromMs) ? entry.fromMs : fromMs;
  const head = viewRange(entry.cols, keepFrom, entry.toMs, columns);
  const joined = allocDecodedColumns(head.startsMs.length + tail.cols.startsMs.length, columns);
  for (let c = 0; c < columns; c++) {
    const key = BLOCK_COLUMN_ORDER[c] as (typeof BLOCK_COLUMN_ORDER)[number];
    joined[key].set(head[key]);
    joined[key].set(tail.cols[key], head.startsMs.length);
  }
  const grown: SeriesRollups = { kind: 'series', fromMs: keepFrom, toMs, columns, cols: joined };
  cache.set(seriesRollupsKey(id), grown, columnBytes(joined));
  return joined;
}

/**
 * The buckets of `cols` (sorted by start) with starts in [fromMs, toMs], as views, with only the
 * first `columns` columns of BLOCK_COLUMN_ORDER (the others empty, as a read of those gives).
 */
function viewRange(
  cols: RollupColumns,
  fromMs: number,
  toMs: number,
  columns: number,
): RollupColumns {
  const starts = cols.startsMs;
  const from = firstAtOrAfter(starts, fromMs);
  const to = firstAtOrAfter(starts, toMs + 1);
  const out = {} as Record<keyof RollupColumns, Float64Array>;
  BLOCK_COLUMN_ORDER.forEach((key, c) => {
    const column = cols[key];
    out[key] = c >= columns || column.length === 0 ? NOT_DECODED : column.subarray(from, to);
  });
  return out;
}

/** The columns left empty (not decoded), as in allocDecodedColumns. */
const NOT_DECODED = new Float64Array(0);

/** Bytes the columns' elements take (views of one buffer counted once each). */
function columnBytes(cols: RollupColumns): number {
  let bytes = cols.startsMs.byteLength;
  for (const key of COLUMN_KEYS) bytes += cols[key].byteLength;
  return bytes;
}
