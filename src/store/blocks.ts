/**
 * Reading and writing one series' stored chunks and rollup blocks, merging overlapping data
 * (out-of-order writes) so that the most recently written sample for a timestamp wins.
 */
import {
  CHUNK_FORMAT_TAGGED,
  decodeStoredChunkInto,
  encodeStoredChunk,
  storedChunkBound,
} from './chunk-codec.js';
import { decodeChunkInto } from './gorilla.js';
import type { SeriesHead } from './head.js';
import {
  BLOCK_COLUMN_ORDER,
  allocDecodedColumns,
  decodeRollupBlockInto,
  encodeRollupBlock,
  rollupBlockLength,
  rollupBlockResolution,
} from './rollup-codec.js';
import { BlockCache, type BlockKindStats } from './block-cache.js';
import type { ChunkCacheCounts } from './chunk-read.js';
import {
  ROLLUP_BASE_MS,
  computeRollups,
  sampleBucket,
  sliceColumns,
  type RollupColumns,
} from './rollup.js';
import {
  decodedBlocks,
  hourlyRowsUsable,
  latestPerTimestamp,
  latestRollups,
  readRollupBlocks,
  type DecodedBlock,
  type RollupSpan,
} from './rollup-read.js';
import {
  HOURLY_UNTIL_KEY,
  HOUR_MS,
  readWithHourlyRows,
  rewriteHourlyRollups,
} from './rollup-hourly.js';
import { SampleBuffer } from './sample-buffer.js';
import { dropStaleEntry, readCachedRollups } from './series-rollups.js';
import type { BlockRow, Statements } from './statements.js';

/** How far past the wall clock a chunk may end and still count for compaction, ms. */
const FUTURE_SLACK_MS = 3_600_000;

/** Reads and writes chunks and rollups through prepared statements. */
export class BlockStore {
  /** Id of the next chunk or rollup block; persisted by the caller (meta next_chunk_id). */
  nextId: number;
  /**
   * Newest and oldest timestamps written as chunks since opening (∓Infinity before the first),
   * for compaction. Chunks ending more than an hour past the wall clock are left out: one
   * future-dated sample (a skewed clock upstream) must not make every window look complete.
   */
  newestTs = -Infinity;
  oldestTs = Infinity;

  /**
   * End of the newest day with 1-hour rollup rows (rollup-hourly.ts; -Infinity when none): a
   * chunk written into buckets before it has the 1-hour rows it reaches into written again.
   */
  hourlyUntilMs: number;

  /**
   * Decoded blocks by id for queries (rollup-read.ts, and raw chunks of selects, chunk-read.ts);
   * writes and compaction bypass it.
   */
  readonly cache: BlockCache<DecodedBlock>;
  /** Hits and misses of the chunk lookups in `cache` (its own counts mix both kinds). */
  readonly chunkCounts: ChunkCacheCounts = { hits: 0, misses: 0 };
  /** The samples of the head being written by writeChunk, reused from cut to cut. */
  private readonly cutScratch = new SampleBuffer();

  /**
   * `cacheBytes`: bound of the decoded block cache, in bytes; 0 (default) turns it off.
   * `protectMs`: how long after its last read an entry is not evicted for a new one (see
   * SqliteStoreOptions.blockCacheProtectMs).
   */
  constructor(
    private readonly stmts: Statements,
    cacheBytes = 0,
    protectMs = 60_000,
  ) {
    this.cache = new BlockCache(cacheBytes, protectMs);
    // A series' assembled rollups (series-rollups.ts) go stale when its rollup rows change.
    stmts.rollupRowsChanged.add((id, span) => dropStaleEntry(this.cache, id, span));
    // Never below an existing block id: a block's bytes are keyed by its id (table blobs).
    const saved = Number(stmts.readMeta.get('next_chunk_id') ?? '1');
    this.nextId = Math.max(saved, (stmts.maxBlockId.get() ?? 0) + 1);
    const hourlyUntil = Number(stmts.readMeta.get(HOURLY_UNTIL_KEY));
    this.hourlyUntilMs = Number.isFinite(hourlyUntil) ? hourlyUntil : -Infinity;
  }

  /** Hits, misses, entries and bytes of the raw chunks in the cache (walks every entry). */
  chunkCacheStats(): BlockKindStats {
    return { ...this.chunkCounts, ...this.cache.sizeOf((block) => block.kind === 'chunk') };
  }

  /** Persists nextId; call inside the transaction that wrote blocks. */
  saveNextId(): void {
    this.stmts.writeMeta.run('next_chunk_id', String(this.nextId));
  }

  /**
   * Appends the samples of series `id` in [startMs, endMs] from its chunks and then `heads` (in
   * write order) to `out`, sorted by time, the latest write winning per timestamp.
   */
  readSamples(
    id: number,
    startMs: number,
    endMs: number,
    heads: readonly SeriesHead[],
    out: SampleBuffer,
  ): void {
    const rows = this.stmts.chunksInRange.all(id, startMs, endMs);
    this.columnsOfRows(rows, startMs, endMs, heads, out);
  }

  /** The chunk rows of series `id` that may hold samples in [startMs, endMs], (max_ts, id) order. */
  chunkRows(id: number, startMs: number, endMs: number): BlockRow[] {
    return this.stmts.chunksInRange.all(id, startMs, endMs);
  }

  /**
   * The chunk rows of each series in `ids` that may hold samples in [startMs, endMs], in
   * (max_ts, id) order, from one query; series without any are left out.
   */
  chunkRowsOf(ids: readonly number[], startMs: number, endMs: number): Map<number, BlockRow[]> {
    const rowsOf = new Map<number, BlockRow[]>();
    if (ids.length === 0) return rowsOf;
    let seriesId = NaN;
    let rows: BlockRow[] = [];
    for (const row of this.stmts.chunksOfSeriesInRange.all(JSON.stringify(ids), startMs, endMs)) {
      if (row[6] !== seriesId) {
        seriesId = row[6];
        rows = [];
        rowsOf.set(seriesId, rows);
      }
      // A BlockRow with the series id after it, which the readers do not look at.
      rows.push(row as unknown as BlockRow);
    }
    return rowsOf;
  }

  /**
   * As readSamples, from the given chunk rows (in (max_ts, id) order; sorted in place when they
   * overlap) instead of those read from the database.
   */
  columnsOfRows(
    rows: BlockRow[],
    startMs: number,
    endMs: number,
    heads: readonly SeriesHead[],
    out: SampleBuffer,
  ): void {
    // Rows come in (max_ts, id) order. Fast path: every source strictly after the previous one.
    // The outputs are sized once (see samplesBound).
    let disjoint = true;
    let lastMax = -Infinity;
    let total = 0;
    for (const row of rows) {
      if (row[1] <= lastMax) disjoint = false;
      lastMax = row[2];
      total += row[3];
    }
    for (const head of heads) {
      if (head.count === 0) continue;
      if (head.minTs <= lastMax) disjoint = false;
      lastMax = head.maxTs;
      total += head.count;
    }
    if (disjoint) {
      out.reserve(samplesBound(rows, heads, startMs, endMs));
      for (const row of rows) decodeStoredChunkInto(row[5], row[4], row[3], startMs, endMs, out);
      for (const head of heads) head.readInto(startMs, endMs, out);
      return;
    }

    const all = new SampleBuffer(total);
    rows.sort((a, b) => a[0] - b[0]);
    for (const row of rows) decodeStoredChunkInto(row[5], row[4], row[3], startMs, endMs, all);
    for (const head of heads) head.readInto(startMs, endMs, all);
    const keep = latestPerTimestamp(all.timestampsMs.subarray(0, all.length));
    out.reserve(keep.length);
    for (const i of keep) out.pushFrom(all, i);
  }

  /**
   * Writes `head` as a chunk of series `id`, with the rollups of the buckets it touches. When
   * older chunks reach into those buckets (out-of-order data), the buckets are recomputed from
   * every stored sample in them. `newestStoredTs`, when known, is at least the newest max_ts of
   * the series' stored chunks (it spares a query). Returns true when older chunks reached into
   * the head's buckets. Call inside a transaction.
   */
  writeChunk(id: number, head: SeriesHead, newestStoredTs?: number): boolean {
    const gorilla = head.toBytes();
    // Decoded into reused typed columns: no plain arrays per cut (writes are synchronous).
    const decoded = this.cutScratch;
    decoded.clear();
    decodeChunkInto(gorilla, head.count, -Infinity, Infinity, decoded);
    const n = decoded.length;
    const timestampsMs = decoded.timestampsMs.subarray(0, n);
    const values = decoded.values.subarray(0, n);
    const bytes = encodeStoredChunk(timestampsMs, values, n, gorilla);
    if (head.maxTs <= Date.now() + FUTURE_SLACK_MS) {
      if (head.maxTs > this.newestTs) this.newestTs = head.maxTs;
      if (head.minTs < this.oldestTs) this.oldestTs = head.minTs;
    }
    // Buckets are left-open, (s, s + R]: a chunk reaches into the first bucket when it ends after s.
    const firstBucket = sampleBucket(head.minTs, ROLLUP_BASE_MS);
    const overlaps =
      newestStoredTs !== undefined
        ? newestStoredTs > firstBucket
        : this.stmts.hasChunkFrom.get(id, firstBucket + 1) !== 0;
    this.stmts.insertChunk.run(
      id,
      head.maxTs,
      this.nextId++,
      head.minTs,
      head.count,
      bytes,
      CHUNK_FORMAT_TAGGED,
    );

    let rollups: RollupColumns;
    if (overlaps) {
      const lastBucketEnd = sampleBucket(head.maxTs, ROLLUP_BASE_MS) + ROLLUP_BASE_MS;
      const buffer = new SampleBuffer();
      this.readSamples(id, firstBucket + 1, lastBucketEnd, [], buffer);
      const { timestampsMs, values, staleIndices } = buffer.toArrays();
      rollups = computeRollups(timestampsMs, values, ROLLUP_BASE_MS, staleIndices);
    } else {
      rollups = computeRollups(timestampsMs, values, ROLLUP_BASE_MS, staleIndicesOf(decoded));
    }
    const buckets = rollups.startsMs.length;
    if (buckets > 0) {
      this.stmts.insertRollup.run(
        id,
        rollups.startsMs[buckets - 1] as number,
        this.nextId++,
        rollups.startsMs[0] as number,
        encodeRollupBlock(rollups),
      );
    }
    // 1-hour rows of these buckets must hold what their 5-minute rows now give.
    if (firstBucket < this.hourlyUntilMs) {
      const lastBucket = sampleBucket(head.maxTs, ROLLUP_BASE_MS);
      rewriteHourlyRollups(this.stmts, this, id, firstBucket, lastBucket);
    }
    return overlaps;
  }

  /**
   * The stored rollups of series `id` with bucket starts in [fromMs, toMs], to be merged into
   * buckets of `resolutionMs` (default 5 minutes): 5-minute buckets, and 1-hour ones where
   * compaction kept only those (full-precision floats) or, for a resolution of whole hours,
   * where it kept them beside the 5-minute ones (rollup-hourly.ts). Null when the 1-hour buckets
   * cannot give those exactly; read raw samples instead (see hourlyRowsUsable). Only the first
   * `columns` columns of the block order are decoded (see decodeRollupBlockInto).
   */
  readRollups(
    id: number,
    fromMs: number,
    toMs: number,
    resolutionMs: number = ROLLUP_BASE_MS,
    columns?: number,
  ): RollupColumns | null {
    if (resolutionMs % HOUR_MS === 0 && fromMs < this.hourlyUntilMs) {
      const index = this.stmts.hourlyRollupIndexInRange.all(id, fromMs, toMs);
      if (index.length > 0) {
        const wanted = Math.max(1, Math.min(columns ?? Infinity, BLOCK_COLUMN_ORDER.length));
        const ids = index.map((row) => row[0]);
        const decoded = decodedBlocks(this.stmts, this.cache, ids, wanted);
        // The pieces between 1-hour rows are read block by block: several pieces of one series
        // would keep replacing each other as its one whole-series entry (series-rollups.ts).
        return readWithHourlyRows(index, decoded, fromMs, toMs, wanted, (from, to) =>
          this.readStoredRollups(id, from, to, resolutionMs, wanted, false),
        );
      }
    }
    return this.readStoredRollups(id, fromMs, toMs, resolutionMs, columns, true);
  }

  /**
   * As readRollups from the `rollups` rows only (no 1-hour rows of rollup-hourly.ts); through
   * the series' cached entry when `wholeSeries`, else through the cache block by block.
   */
  private readStoredRollups(
    id: number,
    fromMs: number,
    toMs: number,
    resolutionMs: number,
    columns: number | undefined,
    wholeSeries: boolean,
  ): RollupColumns | null {
    if (this.cache.enabled) {
      const { stmts, cache } = this;
      if (wholeSeries) {
        return readCachedRollups(stmts, cache, id, fromMs, toMs, resolutionMs, columns);
      }
      return readRollupBlocks(stmts, cache, id, fromMs, toMs, resolutionMs, columns)?.cols ?? null;
    }
    const rows = this.stmts.rollupsInRange.all(id, fromMs, toMs);
    const spans = rows.map((row): RollupSpan => [row[1], row[2], rollupBlockResolution(row[4])]);
    if (!hourlyRowsUsable(spans, toMs, resolutionMs)) return null;
    return this.rollupsOfRows(rows, fromMs, toMs, columns);
  }

  /**
   * As readRollups, from the given rollup rows (in (max_ts, id) order). The blocks are decoded
   * straight into columns sized from their headers; the result views the buckets in range.
   */
  rollupsOfRows(rows: BlockRow[], fromMs: number, toMs: number, columns?: number): RollupColumns {
    let disjoint = true;
    let lastMax = -Infinity;
    let total = 0;
    for (const row of rows) {
      if (row[1] <= lastMax) disjoint = false;
      lastMax = row[2];
      total += rollupBlockLength(row[4]);
    }
    if (!disjoint) rows.sort((a: BlockRow, b: BlockRow) => a[0] - b[0]);
    const all = allocDecodedColumns(total, columns);
    let at = 0;
    for (const row of rows) at += decodeRollupBlockInto(row[4], all, at, columns);
    if (disjoint) {
      const starts = all.startsMs;
      let from = 0;
      while (from < total && (starts[from] as number) < fromMs) from++;
      let to = total;
      while (to > from && (starts[to - 1] as number) > toMs) to--;
      return sliceColumns(all, from, to);
    }
    return latestRollups(all, fromMs, toMs);
  }
}

/** Indices of the staleness markers among the filled samples of `buffer`, ascending. */
function staleIndicesOf(buffer: SampleBuffer): number[] {
  const indices: number[] = [];
  if (buffer.stale === null) return indices;
  for (let i = 0; i < buffer.length; i++) if (buffer.stale[i] === 1) indices.push(i);
  return indices;
}

/**
 * Most samples in [startMs, endMs] that the chunk rows and heads of one series can give: a
 * row inside the range gives all of its samples, one across an edge what its header says
 * (storedChunkBound), a head all of its samples.
 */
export function samplesBound(
  rows: readonly BlockRow[],
  heads: readonly SeriesHead[],
  startMs: number,
  endMs: number,
): number {
  let total = 0;
  for (const row of rows) {
    const inside = row[1] >= startMs && row[2] <= endMs;
    total += inside ? row[3] : storedChunkBound(row[5], row[4], row[3], startMs, endMs);
  }
  for (const head of heads) total += head.count;
  return total;
}
