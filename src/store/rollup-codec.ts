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
 */
import { BitWriter } from './bits.js';
import { BitCursor } from './int-column.js';
import { LlmwatchError } from '../core/errors.js';
import { allocColumns, type RollupColumns } from './rollup.js';
import { readValueColumn, writeValueColumn } from './value-column.js';

const VERSION = 4;

/** Per-bucket predictions of the columns that follow `lasts` (see the file comment). */
function predictions(
  n: number,
  counts: ArrayLike<number>,
  firsts: ArrayLike<number> | null,
  lasts: ArrayLike<number>,
) {
  const prevLast = new Float64Array(n);
  for (let i = 1; i < n; i++) prevLast[i] = lasts[i - 1] as number;
  if (firsts === null) return { prevLast };
  const change = new Float64Array(n);
  const low = new Float64Array(n);
  const high = new Float64Array(n);
  const mean = new Float64Array(n);
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

/** Encodes buckets (sorted by start) as one version 4 block. */
export function encodeRollupBlock(cols: RollupColumns): Uint8Array {
  const n = cols.startsMs.length;
  const w = new BitWriter(16 + n * 4);
  w.writeBits(0, 8);
  w.writeBits(VERSION, 8);
  let v = n;
  while (v >= 0x80) {
    w.writeBits((v % 0x80) | 0x80, 8);
    v = Math.floor(v / 0x80);
  }
  w.writeBits(v, 8);

  writeValueColumn(w, cols.startsMs, n);
  writeValueColumn(w, cols.counts, n);
  writeValueColumn(w, cols.firstTimestampsMs, n, cols.startsMs);
  writeValueColumn(w, cols.lastTimestampsMs, n, cols.startsMs);
  writeValueColumn(w, cols.lasts, n);
  writeValueColumn(w, cols.firsts, n, predictions(n, cols.counts, null, cols.lasts).prevLast);
  const p = predictions(n, cols.counts, cols.firsts, cols.lasts);
  writeValueColumn(w, cols.increases, n, p.change);
  writeValueColumn(w, cols.mins, n, p.low);
  writeValueColumn(w, cols.maxs, n, p.high);
  writeValueColumn(w, cols.sums, n, p.mean);
  return w.toBytes();
}

/** Byte offset of the bucket columns, and the bucket count, of a version 4 block. */
function header(block: Uint8Array): { pos: number; n: number } {
  if (block[0] !== 0 || block[1] !== VERSION) {
    const version = block[0] !== 0 ? 1 : (block[1] ?? 0);
    throw new LlmwatchError(
      'store_rollup_layout',
      `store: rollup block of layout version ${version} holds [s, s + R) buckets, which this llmwatch no longer reads; schema version 4 rebuilds them on open, so the store was changed after migrating: delete its rollups table rows and reopen`,
    );
  }
  let pos = 2;
  let n = 0;
  let scale = 1;
  for (;;) {
    const byte = block[pos++] ?? 0;
    n += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 0x80;
  }
  return { pos, n };
}

/** Number of buckets in a block (read from its header). */
export function rollupBlockLength(block: Uint8Array): number {
  return header(block).n;
}

/** Decodes a block into `out` from bucket index `at` on; returns the number of buckets. */
export function decodeRollupBlockInto(block: Uint8Array, out: RollupColumns, at: number): number {
  const { pos, n } = header(block);
  const c = new BitCursor(block, pos * 8);
  const column = (col: Float64Array, predicted?: Float64Array): Float64Array => {
    const view = col.subarray(at, at + n);
    readValueColumn(block, c, n, view, predicted);
    return view;
  };
  const starts = column(out.startsMs);
  const counts = column(out.counts);
  column(out.firstTimestampsMs, starts);
  column(out.lastTimestampsMs, starts);
  const lasts = column(out.lasts);
  const firsts = column(out.firsts, predictions(n, counts, null, lasts).prevLast);
  const p = predictions(n, counts, firsts, lasts);
  column(out.increases, p.change);
  column(out.mins, p.low);
  column(out.maxs, p.high);
  column(out.sums, p.mean);
  return n;
}

/** Decodes one block into new columns. */
export function decodeRollupBlock(block: Uint8Array): RollupColumns {
  const out = allocColumns(rollupBlockLength(block));
  decodeRollupBlockInto(block, out, 0);
  return out;
}
