/**
 * The stored layout of rollup blocks (one row of `rollups`: consecutive 5-minute buckets of one
 * series). Version 3, written now: a 0 byte, the version byte 3, a varint bucket count, then one
 * bit stream of ten value columns (value-column.ts: integer or few-decimal columns bit-packed,
 * anything else Gorilla XOR), each written relative to a prediction the reader can compute
 * from the columns before it:
 * starts; counts; first and last timestamps (by the bucket start); lasts; firsts (by the
 * previous bucket's last); increases (by last - first: exact for a counter without reset);
 * mins (by min(first, last)); maxs (by max(first, last)); sums (by count × (first + last) / 2).
 * A counter's bucket then costs a few bits beyond its last value's change. Blocks of versions
 * 1 and 2 (rollup-legacy.ts) are still read.
 */
import { BitWriter } from './bits.js';
import { BitCursor } from './int-column.js';
import { decodeRollupBlockV1, decodeRollupBlockV2 } from './rollup-legacy.js';
import type { RollupColumns } from './rollup.js';
import { readValueColumn, writeValueColumn } from './value-column.js';

const VERSION = 3;

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

/** Encodes buckets (sorted by start) as one version 3 block. */
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

/** Decodes a block of any version (1 to 3), appending its buckets to `out`. */
export function decodeRollupBlock(block: Uint8Array, out: RollupColumns): void {
  if (block[0] !== 0) decodeRollupBlockV1(block, out);
  else if (block[1] === 2) decodeRollupBlockV2(block, out);
  else decodeV3(block, 0, out);
}

/** Decodes the version 3 block at byte `start`; returns the byte after it. */
function decodeV3(block: Uint8Array, start: number, out: RollupColumns): number {
  let pos = start + 2;
  let n = 0;
  let scale = 1;
  for (;;) {
    const byte = block[pos++] ?? 0;
    n += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 0x80;
  }
  const c = new BitCursor(block, pos * 8);
  const column = (predicted?: Float64Array): Float64Array => {
    const col = new Float64Array(n);
    readValueColumn(block, c, n, col, predicted);
    return col;
  };
  const starts = column();
  const counts = column();
  const firstTs = column(starts);
  const lastTs = column(starts);
  const lasts = column();
  const firsts = column(predictions(n, counts, null, lasts).prevLast);
  const p = predictions(n, counts, firsts, lasts);
  const increases = column(p.change);
  const mins = column(p.low);
  const maxs = column(p.high);
  const sums = column(p.mean);
  for (let i = 0; i < n; i++) {
    out.startsMs.push(starts[i] as number);
    out.counts.push(counts[i] as number);
    out.sums.push(sums[i] as number);
    out.mins.push(mins[i] as number);
    out.maxs.push(maxs[i] as number);
    out.firsts.push(firsts[i] as number);
    out.firstTimestampsMs.push(firstTs[i] as number);
    out.lasts.push(lasts[i] as number);
    out.lastTimestampsMs.push(lastTs[i] as number);
    out.increases.push(increases[i] as number);
  }
  c.alignToByte();
  return c.pos >>> 3;
}
