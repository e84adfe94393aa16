/**
 * 1-hour rollup rows kept beside the 5-minute ones (schema version 9, table
 * `hourly_rollup_index`, bytes in `blobs`), so that a read at 1 hour (or any multiple) decodes
 * 12 times fewer buckets. Compaction's 6-hour level writes one row per series and UTC day once
 * it has merged the day's last window (writeHourlyRollups); reads at 5 minutes never see them.
 *
 * Exactness: a row holds the day's 5-minute buckets as a query reads them (overlapping rows
 * resolved, the latest write winning), merged per hour by coarsenRollups, the very function
 * readers merge 5-minute buckets with; so reading an hour from the row gives the same bits as
 * merging its 5-minute buckets on read. A row stands for a whole day: it is used for the
 * hours whose 5-minute buckets all lie within the range read (and before the oldest sample
 * still in memory), and 5-minute rows are read for every other part of the range.
 *
 * Staying exact after later writes: a chunk written into buckets before `hourlyUntilMs` (the
 * end of the newest day with 1-hour rows, meta key HOURLY_UNTIL_KEY) has the 1-hour rows of
 * its series it reaches into written again from the 5-minute rows (rewriteHourlyRollups, from
 * BlockStore.writeChunk). Retention deletes a row once its day starts before the cutoff, so
 * that the rest of a day it cuts is read from the 5-minute rows that remain, as before.
 *
 * Limitations: the current day (and the first 7 hours of the next, until the day's last window
 * is compacted) is read from 5-minute rows. Days compacted before this version (stores written
 * by older versions) keep 5-minute rows only and are merged on read as before: nothing builds
 * their 1-hour rows. Series whose rollups compaction already keeps as 1-hour buckets only
 * (full-precision floats, rollup-codec.ts layout 5) get no row here.
 */
import type { BlockStore } from './blocks.js';
import {
  BLOCK_COLUMN_ORDER,
  allocDecodedColumns,
  encodeRollupBlock,
  rollupBlockResolution,
} from './rollup-codec.js';
import { copyColumns, type DecodedRollups } from './rollup-read.js';
import { ROLLUP_BASE_MS, coarsenRollups, type RollupColumns } from './rollup.js';
import type { Statements } from './statements.js';

/** One hour, ms: the bucket width of the rows kept here. */
export const HOUR_MS = 3_600_000;

/** Meta key: end (ms) of the newest window that has 1-hour rows; absent when none. */
export const HOURLY_UNTIL_KEY = 'hourly_rollups_until';

/** Longest span one 1-hour row stands for, ms (retention seeks up to cutoff + this): 1 day. */
export const MAX_HOURLY_WINDOW_MS = 86_400_000;

/** Length of the UTC day, ms: 1-hour rows hold one day of one series each. */
const DAY_MS = 86_400_000;

/**
 * When the window [ws, we) that compaction just merged ends a UTC day, writes the 1-hour row of
 * series `id` for that day (its 5-minute bucket starts [we - 1 day, we)), replacing an older one;
 * else does nothing. One row a day and series, written once: a month-long read decodes 30 blocks
 * per series, and no row is rewritten as the day fills (a deleted row's bytes would stay behind
 * in the `blobs` pages around it, which are never rewritten). Nothing is written for a series
 * whose rollup rows there hold 1-hour buckets already, or that has no bucket that day. Call
 * inside the transaction that compacted the window's rollup rows.
 */
export function writeHourlyRollups(
  stmts: Statements,
  blocks: BlockStore,
  id: number,
  ws: number,
  we: number,
): void {
  if (we % DAY_MS !== 0 || ws < we - DAY_MS) return;
  const first = we - DAY_MS;
  const last = we - ROLLUP_BASE_MS;
  stmts.deleteHourlyRollupsInRange.run(id, first, last);
  const hourly = hourlyBuckets(stmts, blocks, id, first, last);
  if (hourly === null || hourly.startsMs.length === 0) return;
  if (we > blocks.hourlyUntilMs) {
    blocks.hourlyUntilMs = we;
    stmts.writeMeta.run(HOURLY_UNTIL_KEY, String(we));
  }
  const bytes = encodeRollupBlock(hourly, HOUR_MS);
  stmts.insertHourlyRollup.run(id, last, blocks.nextId++, first, bytes);
}

/**
 * Writes again, from the 5-minute rows as they are now, each 1-hour row of series `id` that
 * reaches into 5-minute buckets [fromMs, toMs], whose 5-minute buckets a chunk just written
 * changed (BlockStore.writeChunk, after writing its rollups). A head cut after its window was
 * compacted (a series scraped once a minute fills its 120 samples in 2 hours) lands here, as
 * does a late write. A row left without buckets is deleted.
 */
export function rewriteHourlyRollups(
  stmts: Statements,
  blocks: BlockStore,
  id: number,
  fromMs: number,
  toMs: number,
): void {
  for (const [rowId, minTs, maxTs] of stmts.hourlyRollupIndexInRange.all(id, fromMs, toMs)) {
    stmts.deleteHourlyRollup.run(id, maxTs, rowId);
    const hourly = hourlyBuckets(stmts, blocks, id, minTs, maxTs);
    if (hourly === null || hourly.startsMs.length === 0) continue;
    const bytes = encodeRollupBlock(hourly, HOUR_MS);
    stmts.insertHourlyRollup.run(id, maxTs, blocks.nextId++, minTs, bytes);
  }
}

/**
 * The 5-minute buckets of series `id` starting in [fromMs, toMs] (whole hours) as a query
 * reads them from the `rollups` rows, merged per hour the way readers merge them; null when
 * some row there holds 1-hour buckets already (full-precision floats).
 */
function hourlyBuckets(
  stmts: Statements,
  blocks: BlockStore,
  id: number,
  fromMs: number,
  toMs: number,
): RollupColumns | null {
  const rows = stmts.rollupsInRange.all(id, fromMs, toMs);
  if (rows.some((r) => rollupBlockResolution(r[4]) !== ROLLUP_BASE_MS)) return null;
  return coarsenRollups(blocks.rollupsOfRows(rows, fromMs, toMs), HOUR_MS, fromMs, toMs);
}

/** Buckets of one part of a read: a cached block's buckets [from, to), or read columns. */
type Piece = { block: DecodedRollups; from: number; to: number } | { cols: RollupColumns };

/**
 * Buckets with starts in [fromMs, toMs] (5-minute bucket starts) for a resolution of whole
 * hours: from the 1-hour rows `index` ([id, min_ts, max_ts], by max_ts, decoded as `blocks`)
 * for the whole hours they cover within the range, and from `readBase` (5-minute rows, as
 * BlockStore.readRollups reads them) for the rest, in time order. Only the first `columns`
 * columns of BLOCK_COLUMN_ORDER are filled. Null when `readBase` gives null for a part.
 */
export function readWithHourlyRows(
  index: ReadonlyArray<[number, number, number]>,
  blocks: ReadonlyArray<DecodedRollups | undefined>,
  fromMs: number,
  toMs: number,
  columns: number,
  readBase: (fromMs: number, toMs: number) => RollupColumns | null,
): RollupColumns | null {
  const pieces: Piece[] = [];
  let cursor = fromMs;
  const lastHourEnd = alignDown(toMs + ROLLUP_BASE_MS, HOUR_MS);
  for (let k = 0; k < index.length; k++) {
    const [, minTs, maxTs] = index[k] as [number, number, number];
    const block = blocks[k];
    if (block === undefined) continue;
    // Whole hours of the row's window within the range, after what is read already.
    const a = Math.max(alignUp(Math.max(minTs, fromMs), HOUR_MS), cursor);
    const b = Math.min(alignDown(maxTs + ROLLUP_BASE_MS, HOUR_MS), lastHourEnd);
    if (b <= a) continue;
    if (a > cursor) {
      const cols = readBase(cursor, a - 1);
      if (cols === null) return null;
      pieces.push({ cols: coarsenRollups(cols, HOUR_MS, -Infinity, Infinity) });
    }
    const starts = block.data; // startsMs is the first column
    let from = 0;
    while (from < block.n && (starts[from] as number) < a) from++;
    let to = from;
    while (to < block.n && (starts[to] as number) < b) to++;
    if (to > from) pieces.push({ block, from, to });
    cursor = b;
  }
  if (cursor === fromMs) return readBase(fromMs, toMs);
  if (cursor <= toMs) {
    const cols = readBase(cursor, toMs);
    if (cols === null) return null;
    pieces.push({ cols: coarsenRollups(cols, HOUR_MS, -Infinity, Infinity) });
  }
  return joinPieces(pieces, columns);
}

/** The pieces' buckets one after the other in new columns (the first `columns` filled). */
function joinPieces(pieces: readonly Piece[], columns: number): RollupColumns {
  let total = 0;
  for (const p of pieces) total += 'cols' in p ? p.cols.startsMs.length : p.to - p.from;
  const out = allocDecodedColumns(total, columns);
  let at = 0;
  for (const p of pieces) {
    if ('block' in p) {
      copyColumns(p.block, p.from, p.to, out, at, columns);
      at += p.to - p.from;
      continue;
    }
    for (let c = 0; c < columns; c++) {
      const key = BLOCK_COLUMN_ORDER[c] as (typeof BLOCK_COLUMN_ORDER)[number];
      out[key].set(p.cols[key], at);
    }
    at += p.cols.startsMs.length;
  }
  return out;
}

function alignDown(ms: number, widthMs: number): number {
  return Math.floor(ms / widthMs) * widthMs;
}

function alignUp(ms: number, widthMs: number): number {
  return Math.ceil(ms / widthMs) * widthMs;
}
