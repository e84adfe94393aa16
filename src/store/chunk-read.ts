/**
 * Reading raw chunks through the block cache (block-cache.ts), for selects: the index rows of a
 * batch of series first (no bytes), decoded chunks from the cache by block id, and only the
 * chunks missing there fetched (one statement for the batch) and decoded, whole, then cut to
 * the asked window on every read. A dashboard refreshing its last hour thus reads each 30-minute
 * chunk's bytes once, and afterwards only the small index rows.
 *
 * Limitation: a chunk is decoded whole even when the window needs a few of its samples (the
 * samples just before a 1-hour range), so a miss costs a little more than reading the window
 * only; and chunks share the cache's bound and eviction order with rollup blocks, so raw reads
 * (up to a quarter of the bound per select) can evict rollup blocks that longer ranges reuse
 * once nobody has read those for a minute (block-cache.ts).
 */
import type { BlockCache } from './block-cache.js';
import { decodeStoredChunkInto } from './chunk-codec.js';
import type { SeriesHead } from './head.js';
import { latestPerTimestamp, type DecodedBlock } from './rollup-read.js';
import { SampleBuffer } from './sample-buffer.js';
import type { ChunkIndexRow, Statements } from './statements.js';

/**
 * A stored chunk decoded whole, as cached: `n` samples, timestamps strictly increasing, values
 * with their exact bits. Evenly spaced timestamps (regular scrapes, most chunks) are kept as
 * their first timestamp and step only, halving the entry.
 */
export interface DecodedChunk {
  kind: 'chunk';
  n: number;
  /** The timestamps, ms; null when they are firstMs + i * stepMs. */
  timestampsMs: Float64Array | null;
  firstMs: number;
  stepMs: number;
  /** The values' bytes as 32-bit words (as SampleBuffer.valueWords): two per sample. */
  valueWords: Uint32Array;
  /** 1 at i when sample i is a staleness marker; null when none is. */
  stale: Uint8Array | null;
}

/** One chunk of a series as read: its block id (write order), time span and decoded samples. */
export interface ChunkRead {
  id: number;
  minTs: number;
  maxTs: number;
  chunk: DecodedChunk;
}

/** Chunks found in the block cache and chunks read from the database, since opening. */
export interface ChunkCacheCounts {
  hits: number;
  misses: number;
}

/**
 * Share of the cache's bound that one select (of chunks or of rollups) may fill with blocks it
 * decoded (BlockCache.withAdmission): one long read cannot flush the blocks every dashboard
 * refresh reuses.
 */
export const SELECT_CACHE_SHARE = 0.25;

/**
 * The chunks of each series in `seriesIds` that may hold samples in [startMs, endMs], in
 * (max_ts, id) order, decoded, from the cache where it holds them; series without any are left
 * out. Every chunk read from the database is decoded once and offered to the cache (callers
 * bound what it keeps with withAdmission and SELECT_CACHE_SHARE). `counts` counts hits and
 * misses.
 */
export function readCachedChunks(
  stmts: Statements,
  cache: BlockCache<DecodedBlock>,
  counts: ChunkCacheCounts,
  seriesIds: readonly number[],
  startMs: number,
  endMs: number,
): Map<number, ChunkRead[]> {
  const result = new Map<number, ChunkRead[]>();
  if (seriesIds.length === 0) return result;
  const index = stmts.chunkIndexOfSeriesInRange.all(JSON.stringify(seriesIds), startMs, endMs);

  // Cached chunks first; the others are fetched together and decoded.
  const found: Array<DecodedChunk | undefined> = new Array(index.length);
  let missing: number[] | undefined;
  for (let k = 0; k < index.length; k++) {
    const hit = cache.get((index[k] as ChunkIndexRow)[0]);
    if (hit !== undefined && hit.kind === 'chunk') found[k] = hit;
    else (missing ??= []).push(k);
  }
  const misses = missing?.length ?? 0;
  counts.hits += index.length - misses;
  counts.misses += misses;
  if (missing !== undefined) fetchMissing(stmts, cache, index, missing, found);

  let seriesId = NaN;
  let reads: ChunkRead[] = [];
  for (let k = 0; k < index.length; k++) {
    const row = index[k] as ChunkIndexRow;
    const chunk = found[k];
    // A chunk whose bytes are gone is left out, as the `chunks` view's join would.
    if (chunk === undefined) continue;
    if (row[5] !== seriesId) {
      seriesId = row[5];
      reads = [];
      result.set(seriesId, reads);
    }
    reads.push({ id: row[0], minTs: row[1], maxTs: row[2], chunk });
  }
  return result;
}

/**
 * Fetches and decodes the chunks of `index` at positions `missing` into `found`, and offers them
 * to the cache.
 */
function fetchMissing(
  stmts: Statements,
  cache: BlockCache<DecodedBlock>,
  index: readonly ChunkIndexRow[],
  missing: readonly number[],
  found: Array<DecodedChunk | undefined>,
): void {
  const ids = missing.map((k) => (index[k] as ChunkIndexRow)[0]);
  const bytesOf = new Map<number, Uint8Array>();
  for (const [blockId, bytes] of stmts.blobsOfIds.all(JSON.stringify(ids))) {
    bytesOf.set(blockId, bytes);
  }
  for (const k of missing) {
    const row = index[k] as ChunkIndexRow;
    const bytes = bytesOf.get(row[0]);
    if (bytes === undefined) continue;
    const chunk = decodeWhole(row[4], bytes, row[3]);
    found[k] = chunk;
    cache.set(row[0], chunk, chunkBytes(chunk));
  }
}

/** Decodes every sample of a stored chunk (`format` and `count` from its row). */
export function decodeWhole(format: number, bytes: Uint8Array, count: number): DecodedChunk {
  const buffer = new SampleBuffer(count);
  decodeStoredChunkInto(format, bytes, count, -Infinity, Infinity, buffer);
  const n = buffer.length;
  const ts = buffer.timestampsMs;
  const firstMs = n > 0 ? (ts[0] as number) : 0;
  const stepMs = n > 1 ? (ts[1] as number) - firstMs : 0;
  let even = stepMs > 0;
  for (let i = 2; even && i < n; i++) even = ts[i] === firstMs + i * stepMs;
  return {
    kind: 'chunk',
    n,
    timestampsMs: even || n <= 1 ? null : ts.slice(0, n),
    firstMs,
    stepMs,
    valueWords: buffer.valueWords.slice(0, 2 * n),
    stale: buffer.hasStale() ? (buffer.stale as Uint8Array).slice(0, n) : null,
  };
}

/** Bytes a decoded chunk holds (its typed arrays). */
function chunkBytes(chunk: DecodedChunk): number {
  return (
    chunk.valueWords.byteLength +
    (chunk.timestampsMs?.byteLength ?? 0) +
    (chunk.stale?.byteLength ?? 0)
  );
}

/** Timestamp of sample `i` of `chunk`. */
function timestampAt(chunk: DecodedChunk, i: number): number {
  const ts = chunk.timestampsMs;
  return ts === null ? chunk.firstMs + i * chunk.stepMs : (ts[i] as number);
}

/** The first index of `chunk` whose timestamp is at least `ms`, or (`after`) greater. */
function indexFrom(chunk: DecodedChunk, ms: number, after: boolean): number {
  let lo = 0;
  let hi = chunk.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = timestampAt(chunk, mid);
    if (after ? t <= ms : t < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Most samples in [startMs, endMs] the chunks and heads of one series can give (exact for the
 * chunks; a head counts all of its samples).
 */
export function chunkReadsBound(
  reads: readonly ChunkRead[],
  heads: readonly SeriesHead[],
  startMs: number,
  endMs: number,
): number {
  let total = 0;
  for (const { chunk } of reads) {
    total += indexFrom(chunk, endMs, true) - indexFrom(chunk, startMs, false);
  }
  for (const head of heads) total += head.count;
  return total;
}

/** Appends samples [from, to) of `chunk` to `out` (exact bits, markers flagged). */
function copyWindow(chunk: DecodedChunk, from: number, to: number, out: SampleBuffer): void {
  if (to <= from) return;
  out.reserve(to - from);
  const at = out.length;
  const ts = out.timestampsMs;
  // Values as bytes (exact bits), timestamps counted up from the first or copied.
  out.valueWords.set(chunk.valueWords.subarray(2 * from, 2 * to), 2 * at);
  if (chunk.timestampsMs === null) {
    const { firstMs, stepMs } = chunk;
    for (let i = from, k = at; i < to; i++, k++) ts[k] = firstMs + i * stepMs;
  } else {
    ts.set(chunk.timestampsMs.subarray(from, to), at);
  }
  out.length = at + (to - from);
  const stale = chunk.stale;
  if (stale === null) return;
  for (let i = from; i < to; i++) if (stale[i] === 1) out.markStale(at + i - from);
}

/**
 * As BlockStore.columnsOfRows, from decoded chunks: appends the samples of one series in
 * [startMs, endMs] from `reads` (in (max_ts, id) order; sorted in place when they overlap) and
 * then `heads` to `out`, sorted by time, the latest write winning per timestamp.
 */
export function columnsOfChunks(
  reads: ChunkRead[],
  startMs: number,
  endMs: number,
  heads: readonly SeriesHead[],
  out: SampleBuffer,
): void {
  let disjoint = true;
  let lastMax = -Infinity;
  let total = 0;
  for (const read of reads) {
    if (read.minTs <= lastMax) disjoint = false;
    lastMax = read.maxTs;
    total += read.chunk.n;
  }
  for (const head of heads) {
    if (head.count === 0) continue;
    if (head.minTs <= lastMax) disjoint = false;
    lastMax = head.maxTs;
    total += head.count;
  }
  const window = (chunk: DecodedChunk, into: SampleBuffer): void =>
    copyWindow(chunk, indexFrom(chunk, startMs, false), indexFrom(chunk, endMs, true), into);
  if (disjoint) {
    for (const { chunk } of reads) window(chunk, out);
    for (const head of heads) head.readInto(startMs, endMs, out);
    return;
  }

  // Overlapping writes: everything in write order, then the last write per timestamp.
  const all = new SampleBuffer(total);
  reads.sort((a, b) => a.id - b.id);
  for (const { chunk } of reads) window(chunk, all);
  for (const head of heads) head.readInto(startMs, endMs, all);
  const keep = latestPerTimestamp(all.timestampsMs.subarray(0, all.length));
  out.reserve(keep.length);
  for (const i of keep) out.pushFrom(all, i);
}
