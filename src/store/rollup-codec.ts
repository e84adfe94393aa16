/**
 * The stored layout of rollup blocks (one row of `rollups`: consecutive 5-minute buckets of one
 * series). Version 4, written now: a 0 byte, the version byte 4, a varint bucket count, then one
 * bit stream of ten value columns (value-column.ts: integer or few-decimal columns bit-packed,
 * anything else Gorilla XOR), each written relative to a prediction the reader can compute
 * from the columns before it:
 * starts; counts; first and last timestamps (by the bucket start); lasts; firsts (by the
 * previous bucket's last); increases (by last - first: exact for a counter without reset);
 * mins (by min(first, last)); maxs (by max(first, last)); sums (by count × (first + last) / 2).
 * A counter's bucket then costs a few bits beyond its last value's change. Version 4 has the
 * layout of version 3; the new number marks left-open buckets (s, s + R] (rollup.ts). Blocks
 * of versions 1 to 3 held [s, s + R) buckets: schema version 4 deletes and rebuilds them, and
 * the decoder refuses them.
 *
 * Version 5 (schema version 6) has the layout of version 4 with the bucket width after the
 * bucket count (varint, in 5-minute units), for blocks of coarser buckets: compaction.ts keeps
 * full-precision float series as 1-hour buckets, each aggregating the 5-minute buckets of its
 * hour that one row held (two rows may each hold part of an hour; readers merge them). Blocks
 * of 5-minute buckets were still written as version 4.
 *
 * Version 6 (schema version 8), written now for every block: the header of version 5 (the
 * bucket width always present), then the columns of version 4 with one more after the last
 * timestamps: lastPointTimestampsMs (the bucket's last point, staleness markers included),
 * predicted by lastTimestampsMs, so it costs a few bits per block when no marker followed a
 * bucket's last sample. Blocks of versions 4 and 5 lack it: the decoder fills it with NaN
 * (unknown), and readers that need it read raw samples instead.
 */
import { BitWriter } from './bits.js';
import { BitCursor } from './int-column.js';
import { LlmwatchError } from '../core/errors.js';
import { ROLLUP_BASE_MS, allocColumns, type RollupColumns } from './rollup.js';
import { readValueColumn, writeValueColumn } from './value-column.js';

const VERSION = 4;
/** Version 4 plus the bucket width: see the file comment. */
const VERSION_WIDTH = 5;
/** Version 5 plus lastPointTimestampsMs: see the file comment. */
const VERSION_LAST_POINT = 6;

/** Scratch space for the decoder's predictions (decoding is synchronous, so one suffices). */
let scratch = new Float64Array(1024);
/** The same for the encoder (an encode never runs inside a decode, but kept apart anyway). */
let encodeScratch = new Float64Array(1024);

/**
 * Per-bucket predictions of the columns that follow `lasts` (see the file comment), as views of
 * `space` (5n values; reused by the decoder).
 */
function predictions(
  n: number,
  counts: ArrayLike<number>,
  firsts: ArrayLike<number> | null,
  lasts: ArrayLike<number>,
  space: Float64Array = new Float64Array(5 * n),
) {
  const prevLast = space.subarray(0, n);
  prevLast[0] = 0;
  for (let i = 1; i < n; i++) prevLast[i] = lasts[i - 1] as number;
  if (firsts === null) return { prevLast };
  const change = space.subarray(n, 2 * n);
  const low = space.subarray(2 * n, 3 * n);
  const high = space.subarray(3 * n, 4 * n);
  const mean = space.subarray(4 * n, 5 * n);
  for (let i = 0; i < n; i++) {
    const f = firsts[i] as number;
    const l = lasts[i] as number;
    change[i] = l - f;
    low[i] = Math.min(f, l);
    high[i] = Math.max(f, l);
    mean[i] = ((counts[i] as number) * (f + l)) / 2;
  }
  return { prevLast, change, low, high, mean };
}

/**
 * Encodes buckets (sorted by start) of `resolutionMs` (a multiple of 5 minutes; default 5
 * minutes) as one block of version 6. `legacyLayout` writes version 4 or 5 instead, without
 * lastPointTimestampsMs, as stores before schema version 8 did (for tests of such stores).
 */
export function encodeRollupBlock(
  cols: RollupColumns,
  resolutionMs: number = ROLLUP_BASE_MS,
  legacyLayout = false,
): Uint8Array {
  const n = cols.startsMs.length;
  const w = new BitWriter(16 + n * 4);
  w.writeBits(0, 8);
  const base = resolutionMs === ROLLUP_BASE_MS;
  w.writeBits(legacyLayout ? (base ? VERSION : VERSION_WIDTH) : VERSION_LAST_POINT, 8);
  writeVarint(w, n);
  if (!legacyLayout || !base) writeVarint(w, resolutionMs / ROLLUP_BASE_MS);

  writeValueColumn(w, cols.startsMs, n);
  writeValueColumn(w, cols.counts, n);
  writeValueColumn(w, cols.firstTimestampsMs, n, cols.startsMs);
  writeValueColumn(w, cols.lastTimestampsMs, n, cols.startsMs);
  if (!legacyLayout) writeValueColumn(w, cols.lastPointTimestampsMs, n, cols.lastTimestampsMs);
  writeValueColumn(w, cols.lasts, n);
  if (encodeScratch.length < 5 * n) encodeScratch = new Float64Array(10 * n);
  const space = encodeScratch.subarray(0, 5 * n);
  writeValueColumn(
    w,
    cols.firsts,
    n,
    predictions(n, cols.counts, null, cols.lasts, space).prevLast,
  );
  const p = predictions(n, cols.counts, cols.firsts, cols.lasts, space);
  writeValueColumn(w, cols.increases, n, p.change);
  writeValueColumn(w, cols.mins, n, p.low);
  writeValueColumn(w, cols.maxs, n, p.high);
  writeValueColumn(w, cols.sums, n, p.mean);
  return w.toBytes();
}

function writeVarint(w: BitWriter, value: number): void {
  let v = value;
  while (v >= 0x80) {
    w.writeBits((v % 0x80) | 0x80, 8);
    v = Math.floor(v / 0x80);
  }
  w.writeBits(v, 8);
}

/**
 * Byte offset of the bucket columns, the bucket count and the bucket width (ms) of a version 4,
 * 5 or 6 block.
 */
function header(block: Uint8Array): { pos: number; n: number; resolutionMs: number } {
  const known =
    block[1] === VERSION || block[1] === VERSION_WIDTH || block[1] === VERSION_LAST_POINT;
  if (block[0] !== 0 || !known) {
    const version = block[0] !== 0 ? 1 : (block[1] ?? 0);
    if (version > VERSION_LAST_POINT) {
      throw new LlmwatchError(
        'store_rollup_layout',
        `store: rollup block of layout version ${version} was written by a newer llmwatch; upgrade llmwatch to read this store`,
      );
    }
    throw new LlmwatchError(
      'store_rollup_layout',
      `store: rollup block of layout version ${version} holds [s, s + R) buckets, which this llmwatch no longer reads; schema version 4 rebuilds them on open, so the store was changed after migrating: delete its rollups table rows and reopen`,
    );
  }
  // Two varints: the bucket count, then (versions 5 and 6) the width in 5-minute units.
  let pos = 2;
  let n = 0;
  for (let scale = 1; ; scale *= 0x80) {
    const byte = block[pos++] ?? 0;
    n += (byte & 0x7f) * scale;
    if (byte < 0x80 || pos >= block.length) break;
  }
  if (block[1] === VERSION) return { pos, n, resolutionMs: ROLLUP_BASE_MS };
  let units = 0;
  for (let scale = 1; ; scale *= 0x80) {
    const byte = block[pos++] ?? 0;
    units += (byte & 0x7f) * scale;
    if (byte < 0x80 || pos >= block.length) break;
  }
  return { pos, n, resolutionMs: units * ROLLUP_BASE_MS };
}

/** Number of buckets in a block (read from its header). */
export function rollupBlockLength(block: Uint8Array): number {
  return header(block).n;
}

/** Width of a block's buckets, ms (read from its header): 5 minutes, or 1 hour. */
export function rollupBlockResolution(block: Uint8Array): number {
  if (block[0] === 0 && block[1] === VERSION) return ROLLUP_BASE_MS;
  return header(block).resolutionMs;
}

/**
 * The columns of a block in stored order: each is decoded from the bytes after those before it
 * (and predicted from them), so a reader can stop after the last column it needs.
 */
export const BLOCK_COLUMN_ORDER = [
  'startsMs',
  'counts',
  'firstTimestampsMs',
  'lastTimestampsMs',
  'lastPointTimestampsMs',
  'lasts',
  'firsts',
  'increases',
  'mins',
  'maxs',
  'sums',
] as const;

/** How many leading columns of BLOCK_COLUMN_ORDER hold every one of `names` (at least 1). */
export function columnsToDecode(names: readonly string[]): number {
  let count = 1;
  for (const name of names) {
    const index = (BLOCK_COLUMN_ORDER as readonly string[]).indexOf(name);
    count = Math.max(count, index < 0 ? BLOCK_COLUMN_ORDER.length : index + 1);
  }
  return count;
}

const NOT_DECODED = new Float64Array(0);

/**
 * Columns for `n` buckets of which only the first `columns` of BLOCK_COLUMN_ORDER will be
 * decoded: those are zero-filled views of one buffer, the others empty (not read, not
 * allocated).
 */
export function allocDecodedColumns(
  n: number,
  columns: number = BLOCK_COLUMN_ORDER.length,
): RollupColumns {
  if (columns >= BLOCK_COLUMN_ORDER.length) return allocColumns(n);
  const buffer = new Float64Array(columns * n);
  const out = {} as Record<keyof RollupColumns, Float64Array>;
  BLOCK_COLUMN_ORDER.forEach((key, k) => {
    out[key] = k < columns ? buffer.subarray(k * n, (k + 1) * n) : NOT_DECODED;
  });
  return out;
}

/**
 * Decodes a block into `out` from bucket index `at` on; returns the number of buckets. Only the
 * first `columns` columns of BLOCK_COLUMN_ORDER are decoded (default all); the others of `out`
 * are left as they were. A block of version 4 or 5 has no lastPointTimestampsMs: it is filled
 * with NaN (unknown).
 */
export function decodeRollupBlockInto(
  block: Uint8Array,
  out: RollupColumns,
  at: number,
  columns: number = BLOCK_COLUMN_ORDER.length,
): number {
  const { pos, n } = header(block);
  if (scratch.length < 5 * n) scratch = new Float64Array(10 * n);
  const space = scratch;
  const c = new BitCursor(block, pos * 8);
  const end = at + n;
  const starts = out.startsMs.subarray(at, end);
  const counts = out.counts.subarray(at, end);
  const lasts = out.lasts.subarray(at, end);
  const firsts = out.firsts.subarray(at, end);
  readValueColumn(block, c, n, starts);
  if (columns < 2) return n;
  readValueColumn(block, c, n, counts);
  if (columns < 3) return n;
  readValueColumn(block, c, n, out.firstTimestampsMs.subarray(at, end), starts);
  if (columns < 4) return n;
  const lastTimestamps = out.lastTimestampsMs.subarray(at, end);
  readValueColumn(block, c, n, lastTimestamps, starts);
  if (columns < 5) return n;
  const lastPoints = out.lastPointTimestampsMs.subarray(at, end);
  if (block[1] === VERSION_LAST_POINT) readValueColumn(block, c, n, lastPoints, lastTimestamps);
  else lastPoints.fill(Number.NaN);
  if (columns < 6) return n;
  readValueColumn(block, c, n, lasts);
  if (columns < 7) return n;
  readValueColumn(block, c, n, firsts, predictions(n, counts, null, lasts, space).prevLast);
  if (columns < 8) return n;
  const p = predictions(n, counts, firsts, lasts, space);
  readValueColumn(block, c, n, out.increases.subarray(at, end), p.change);
  if (columns < 9) return n;
  readValueColumn(block, c, n, out.mins.subarray(at, end), p.low);
  if (columns < 10) return n;
  readValueColumn(block, c, n, out.maxs.subarray(at, end), p.high);
  if (columns < 11) return n;
  readValueColumn(block, c, n, out.sums.subarray(at, end), p.mean);
  return n;
}

/** Decodes one block into new columns. */
export function decodeRollupBlock(block: Uint8Array): RollupColumns {
  const out = allocColumns(rollupBlockLength(block));
  decodeRollupBlockInto(block, out, 0);
  return out;
}
