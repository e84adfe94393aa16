/**
 * Background compaction: merges a series' small chunks (one per head cut, about 120 samples)
 * and rollup blocks into fewer, bigger rows once their time window is complete, like
 * Prometheus compacting its blocks. Fewer rows cost fewer keys and page slots on disk, and
 * longer columns pack tighter (a block's fixed costs are paid once per row).
 *
 * Levels: rows whose max_ts falls in an aligned window of `windowMs` are merged once the newest
 * stored sample is `delayMs` past the window's end; each level keeps a cursor (window start and
 * the last series done) in `meta`, so work resumes after a restart and each window is visited
 * once. The default levels are 2 h (after 30 min; chunks joined without decoding, as segments
 * of one row) and 6 h (after 1 h; chunks decoded and encoded again as longer columns). The 2 h
 * window that ends a 6 h window is left to the 6 h level, due half an hour later, instead of
 * being merged twice (its rows stay as cut for that half hour).
 *
 * A merge keeps reads exact: it only happens when no other row of the series overlaps the
 * merged span (so "the latest write wins" cannot change), and the merged samples are read the
 * way queries read them (overlaps within the window resolved). The new rows take new ids (the
 * next block ids), so their bytes are appended to the `blobs` table, whose pages then fill
 * completely, and the sources' bytes, written together at earlier cuts, free whole pages. A
 * window's rows that cannot be merged into fewer are written again unchanged (in their write
 * order), so that no row stays behind in the pages its neighbours left. A write after the merge
 * still gets a higher id. Rows are split so that each stays under
 * maxRowBytes() (a short row leaves little unused space at the end of a page).
 *
 * Limitations: only column-format chunks are encoded again (Gorilla chunks, full-precision floats
 * or NaN payloads, are only joined, which keeps every bit); windows before the
 * oldest chunk written since this version first opened the store (and more than two days
 * before the newest), and backfills behind a level's cursor, are never compacted.
 */
import type Database from 'better-sqlite3';
import type { BlockStore } from './blocks.js';
import {
  ascending,
  joinGroups,
  maxRowBytes,
  mergeableSpan,
  spanOf,
  splitEncode,
} from './compaction-rows.js';
import {
  CHUNK_FORMAT_TAGGED,
  encodeStoredChunk,
  isColumnChunk,
  joinStoredChunks,
} from './chunk-codec.js';
import { encodeRollupBlock, rollupBlockResolution } from './rollup-codec.js';
import {
  ROLLUP_BASE_MS,
  coarsenRollups,
  sampleBucket,
  sliceColumns,
  type RollupColumns,
} from './rollup.js';
import { writeHourlyRollups } from './rollup-hourly.js';
import { SampleBuffer } from './sample-buffer.js';
import { isDecimalColumn } from './value-column.js';
import type { BlockRow, Statements } from './statements.js';

/** One compaction level. */
export interface CompactionLevel {
  /** Window length, ms (windows are aligned to multiples of it). */
  windowMs: number;
  /** How far the newest stored sample must be past a window's end before it is merged, ms. */
  delayMs: number;
  /**
   * true: chunks are decoded and encoded again as longer columns (smaller, costs CPU); false:
   * their bytes are joined as they are (saves the per-row costs only, nearly free). Rollup
   * blocks are always encoded again: they are short, and their per-block costs are large.
   */
  reencodeChunks: boolean;
  /**
   * true: also writes each series' 1-hour rollup row of the day (rollup-hourly.ts) when a window
   * ends a UTC day; windows must then divide a day into whole hours. Default false.
   */
  hourlyRollups?: boolean;
}

/**
 * Default levels: 2 h windows after 30 minutes, chunks joined as they are; then 6 h windows
 * after an hour, chunks encoded again (and, at the end of each day, 1-hour rollup rows
 * written). Each sample is decoded and encoded once by compaction.
 */
export const DEFAULT_LEVELS: readonly CompactionLevel[] = [
  { windowMs: 7_200_000, delayMs: 1_800_000, reencodeChunks: false },
  { windowMs: 21_600_000, delayMs: 3_600_000, reencodeChunks: true, hourlyRollups: true },
];

/**
 * A window whose rows the next level merges at most this long after it was due is left to
 * that level (see Compactor.superseded): 1 hour.
 */
const SUPERSEDED_WITHIN_MS = 3_600_000;

/** How far behind the newest data a level without a cursor starts at most: 2 days. */
const MAX_START_BEHIND_MS = 172_800_000;

/** Arguments of the window statements: ws, we (data of rows ending in [ws, we)), id, from, we. */
type WindowArgs = [number, number, number, number, number];

interface Cursor {
  windowStart: number;
  afterSeriesId: number;
}

/** Merges complete windows of chunks and rollups; see the file comment. */
export class Compactor {
  private readonly cursors: Array<Cursor | null>;
  /** Oldest timestamp written as a chunk since compaction began (meta key ORIGIN_KEY). */
  private originMs: number;
  private readonly seriesAfter: Database.Statement<[number], number>;
  /** Rows of a series around a window; data only for those ending in the window (see below). */
  private readonly chunksAround: Database.Statement<WindowArgs, BlockRow>;
  private readonly rollupsAround: Database.Statement<WindowArgs, BlockRow>;
  private readonly maxRowBytes: number;
  /** The samples of the window being encoded again, reused from series to series. */
  private readonly mergeScratch = new SampleBuffer();

  constructor(
    private readonly db: Database.Database,
    private readonly stmts: Statements,
    private readonly blocks: BlockStore,
    private readonly levels: readonly CompactionLevel[] = DEFAULT_LEVELS,
  ) {
    this.cursors = levels.map((level) => readCursor(stmts.readMeta.get(metaKey(level))));
    const origin = Number(stmts.readMeta.get(ORIGIN_KEY));
    this.originMs = Number.isSafeInteger(origin) ? origin : Infinity;
    this.maxRowBytes = maxRowBytes(db.pragma('page_size', { simple: true }) as number);
    this.seriesAfter = db
      .prepare<[number], number>('SELECT id FROM series WHERE id > ? ORDER BY id LIMIT 256')
      .pluck();
    // Rows before the window are read only to check overlaps: their data stays in SQLite.
    const around = (table: string, count: string, format: string) =>
      db
        .prepare<WindowArgs, BlockRow>(
          `SELECT id, min_ts, max_ts, ${count}, CASE WHEN max_ts >= ? AND max_ts < ? THEN data END,
             ${format} FROM ${table} WHERE series_id = ? AND max_ts >= ? AND min_ts < ?`,
        )
        .raw();
    this.chunksAround = around('chunks', 'count', 'format');
    this.rollupsAround = around('rollups', '0', '0');
  }

  /**
   * Merges ready windows for about `budgetMs` (checked after each series). The arguments are
   * the newest and oldest timestamps written as chunks since opening (BlockStore.newestTs and
   * oldestTs, which leave out future-dated chunks); a level without a cursor starts at the
   * window holding the oldest chunk seen since compaction began (kept across restarts), or two
   * days before the newest if that is later.
   */
  run(newestMs: number, oldestWrittenMs: number, budgetMs: number): void {
    if (!Number.isFinite(newestMs)) return;
    // The oldest chunk ever seen is kept in meta, so a level that gets its first cursor after a
    // restart still starts there (not at the oldest chunk of the new process).
    if (oldestWrittenMs < this.originMs) {
      this.originMs = oldestWrittenMs;
      this.stmts.writeMeta.run(ORIGIN_KEY, String(oldestWrittenMs));
    }
    const oldestMs = this.originMs;
    const deadline = performance.now() + budgetMs;
    for (let k = 0; k < this.levels.length; k++) {
      const level = this.levels[k] as CompactionLevel;
      // A level without a cursor gets one only when a window is ready: until then, older data
      // written later can still move its start back.
      let cursor = this.cursors[k] ?? {
        windowStart: alignDown(Math.max(oldestMs, newestMs - MAX_START_BEHIND_MS), level.windowMs),
        afterSeriesId: 0,
      };
      while (cursor.windowStart + level.windowMs + level.delayMs <= newestMs) {
        if (performance.now() > deadline) return;
        if (this.superseded(k, cursor.windowStart)) {
          cursor = { windowStart: cursor.windowStart + level.windowMs, afterSeriesId: 0 };
          this.stmts.writeMeta.run(metaKey(level), JSON.stringify(cursor));
        } else {
          cursor = this.db
            .transaction((c: Cursor) => this.step(level, c, deadline))
            .immediate(cursor);
        }
        this.cursors[k] = cursor;
      }
    }
  }

  /**
   * True when level `k`'s window at `windowStart` is the last one of the next level's window and
   * that one is due soon after (within SUPERSEDED_WITHIN_MS) and not passed by its cursor: the
   * next level merges the same rows then, so merging them now would be thrown away. (The default
   * 2 h window ending a 6 h window would be merged half an hour before the 6 h one.)
   */
  private superseded(k: number, windowStart: number): boolean {
    const level = this.levels[k] as CompactionLevel;
    const next = this.levels[k + 1];
    const nextCursor = this.cursors[k + 1];
    if (next === undefined || nextCursor === null || nextCursor === undefined) return false;
    const end = windowStart + level.windowMs;
    return (
      end % next.windowMs === 0 &&
      next.delayMs - level.delayMs <= SUPERSEDED_WITHIN_MS &&
      nextCursor.windowStart <= end - next.windowMs
    );
  }

  /** Merges up to 256 series of the cursor's window; returns the cursor after them. */
  private step(level: CompactionLevel, cursor: Cursor, deadline: number): Cursor {
    const ws = cursor.windowStart;
    const we = ws + level.windowMs;
    let next: Cursor = { windowStart: we, afterSeriesId: 0 };
    for (const id of this.seriesAfter.all(cursor.afterSeriesId)) {
      this.mergeChunks(ws, we, id, level.reencodeChunks);
      this.mergeRollups(id, ws, we);
      if (level.hourlyRollups === true) writeHourlyRollups(this.stmts, this.blocks, id, ws, we);
      next = { windowStart: ws, afterSeriesId: id };
      if (performance.now() > deadline) break;
    }
    if (next.afterSeriesId !== 0 && this.seriesAfter.all(next.afterSeriesId).length === 0) {
      next = { windowStart: we, afterSeriesId: 0 };
    }
    this.stmts.writeMeta.run(metaKey(level), JSON.stringify(next));
    this.blocks.saveNextId();
    return next;
  }

  /**
   * The rows of series `id` in `table` ending in [ws, we), and their span, when there are at
   * least two and no other row overlaps that span; else null.
   */
  private windowRows(
    table: 'chunks' | 'rollups',
    id: number,
    ws: number,
    we: number,
  ): { rows: BlockRow[]; span: [number, number] } | null {
    const chunks = table === 'chunks';
    const lookBehind = ws - (we - ws);
    const around = (chunks ? this.chunksAround : this.rollupsAround).all(
      ws,
      we,
      id,
      lookBehind,
      we,
    );
    const rows = around.filter((r) => r[2] >= ws && r[2] < we);
    if (rows.length < 2) return null;
    const [min, max] = spanOf(rows);
    // `around` holds every row that can overlap unless the span reaches further back.
    const overlapping =
      min >= lookBehind
        ? around.filter((r) => r[2] >= min && r[1] <= max)
        : (chunks ? this.stmts.chunksInRange : this.stmts.rollupsInRange).all(id, min, max);
    const span = mergeableSpan(rows, overlapping);
    return span === null ? null : { rows, span };
  }

  /**
   * Chunk windows are left-open, last samples in (ws, we], like rollup buckets: heads are cut
   * after the sample that ends a 5-minute bucket, so a chunk can end exactly on `we`. (Rollup
   * rows are keyed by bucket start, so their windows stay [ws, we).)
   */
  private mergeChunks(windowStart: number, windowEnd: number, id: number, reencode: boolean): void {
    const [ws, we] = [windowStart + 1, windowEnd + 1];
    const found = this.windowRows('chunks', id, ws, we);
    if (found === null) return;
    const { rows, span } = found;
    if (!reencode || !rows.every((r) => isColumnChunk(r[5], r[4]))) {
      // Joined as they are: Gorilla chunks keep every bit, and joining costs no decoding.
      const groups = joinGroups(rows, this.maxRowBytes);
      if (groups.length >= rows.length) {
        this.moveRows('chunks', id, ws, we, rows);
        return;
      }
      this.stmts.deleteChunksEndingIn.run(id, ws, we);
      for (const group of groups) {
        const [minTs, maxTs] = spanOf(group);
        const first = group[0] as BlockRow;
        const bytes =
          group.length === 1
            ? first[4]
            : joinStoredChunks(group.map((r) => ({ format: r[5], bytes: r[4], count: r[3] })));
        const format = group.length === 1 ? first[5] : CHUNK_FORMAT_TAGGED;
        const count = group.reduce((n, r) => n + r[3], 0);
        this.stmts.insertChunk.run(id, maxTs, this.blocks.nextId++, minTs, count, bytes, format);
      }
      return;
    }
    const merged = this.mergeScratch;
    merged.clear();
    this.blocks.columnsOfRows(rows, span[0], span[1], [], merged);
    if (merged.hasStale()) {
      this.moveRows('chunks', id, ws, we, rows);
      return;
    }
    const ts = merged.timestampsMs;
    const values = merged.values;
    const pieces = splitEncode(merged.length, this.maxRowBytes, (from, to) =>
      encodeStoredChunk(ts.subarray(from, to), values.subarray(from, to), to - from),
    );
    if (pieces.length >= rows.length) {
      this.moveRows('chunks', id, ws, we, rows);
      return;
    }
    this.stmts.deleteChunksEndingIn.run(id, ws, we);
    for (const { from, to, bytes } of pieces) {
      const minTs = ts[from] as number;
      const maxTs = ts[to - 1] as number;
      const rowId = this.blocks.nextId++;
      this.stmts.insertChunk.run(id, maxTs, rowId, minTs, to - from, bytes, CHUNK_FORMAT_TAGGED);
    }
  }

  /**
   * Rollup rows of full-precision float series (and rows already hourly) are merged into 1-hour
   * buckets (see hourlyRollups). A row's min_ts and max_ts stay the 5-minute buckets of its
   * first and last sample, whatever the width of its buckets, so that readers see which rows
   * overlap.
   */
  private mergeRollups(id: number, ws: number, we: number): void {
    const found = this.windowRows('rollups', id, ws, we);
    if (found === null) return;
    const { rows, span } = found;
    const hourlyRows = rows.filter((r) => rollupBlockResolution(r[4]) !== ROLLUP_BASE_MS).length;
    // Partial hours of two rows share a bucket start: merged only where rows do not overlap.
    if (hourlyRows > 0 && !ascending(rows)) {
      this.moveRows('rollups', id, ws, we, rows);
      return;
    }
    const read = this.blocks.rollupsOfRows(rows, alignDown(span[0], HOUR_MS), span[1]);
    const hourly = hourlyRows > 0 || hasFloatValues(read);
    const cols = hourly ? coarsenRollups(read, HOUR_MS, -Infinity, Infinity) : read;
    const resolutionMs = hourly ? HOUR_MS : ROLLUP_BASE_MS;
    const pieces = splitEncode(cols.startsMs.length, this.maxRowBytes, (from, to) =>
      encodeRollupBlock(sliceColumns(cols, from, to), resolutionMs),
    );
    if (pieces.length >= rows.length && hourlyRows === (hourly ? rows.length : 0)) {
      this.moveRows('rollups', id, ws, we, rows);
      return;
    }
    this.stmts.deleteRollupsEndingIn.run(id, ws, we);
    for (const { from, to, bytes } of pieces) {
      const first = sampleBucket(cols.firstTimestampsMs[from] as number, ROLLUP_BASE_MS);
      const last = sampleBucket(cols.lastTimestampsMs[to - 1] as number, ROLLUP_BASE_MS);
      this.stmts.insertRollup.run(id, last, this.blocks.nextId++, first, bytes);
    }
  }

  /**
   * Writes a window's rows again unchanged under new ids when merging cannot make fewer of
   * them. Every row of a window is then replaced, so the pages the level before wrote (or the
   * cuts, for the first level) empty completely and go back to the file system; rows left in
   * place stayed behind as holes in otherwise freed pages (about 2% of the file for the bench
   * fleet, whose full-precision float chunks cannot be joined past the 2 h level).
   */
  private moveRows(
    table: 'chunks' | 'rollups',
    id: number,
    ws: number,
    we: number,
    rows: readonly BlockRow[],
  ): void {
    const chunks = table === 'chunks';
    (chunks ? this.stmts.deleteChunksEndingIn : this.stmts.deleteRollupsEndingIn).run(id, ws, we);
    for (const [, minTs, maxTs, count, bytes, format] of [...rows].sort((a, b) => a[0] - b[0])) {
      const rowId = this.blocks.nextId++;
      if (chunks) this.stmts.insertChunk.run(id, maxTs, rowId, minTs, count, bytes, format);
      else this.stmts.insertRollup.run(id, maxTs, rowId, minTs, bytes);
    }
  }
}

/** One hour, ms: the bucket width of hourly rollup rows. */
const HOUR_MS = 3_600_000;

/**
 * True when the buckets' sample values (firsts, lasts, mins, maxs) are not all few-decimal
 * numbers: full-precision floats (latency sums, ratios), whose 5-minute buckets cost some 20
 * bytes each where a counter's cost 4. Such series keep 1-hour buckets only once compacted: the
 * store computes their 5-minute buckets from raw samples when asked (reader.ts).
 */
function hasFloatValues(cols: RollupColumns): boolean {
  const n = cols.startsMs.length;
  return ![cols.firsts, cols.lasts, cols.mins, cols.maxs].every((c) => isDecimalColumn(c, n));
}

/** A stored cursor, or null when absent or unreadable (the level then starts afresh). */
function readCursor(raw: string | undefined): Cursor | null {
  if (raw === undefined) return null;
  try {
    const c = JSON.parse(raw) as Partial<Cursor>;
    if (Number.isSafeInteger(c.windowStart) && Number.isSafeInteger(c.afterSeriesId)) {
      return c as Cursor;
    }
  } catch {
    // Unreadable: start afresh.
  }
  return null;
}

/** Meta key of the oldest chunk timestamp compaction has seen. */
const ORIGIN_KEY = 'compaction_origin';

function metaKey(level: CompactionLevel): string {
  return `compaction_cursor_${level.windowMs}`;
}

function alignDown(ms: number, windowMs: number): number {
  return Math.floor(ms / windowMs) * windowMs;
}
