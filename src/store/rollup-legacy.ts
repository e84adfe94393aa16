/**
 * Decoders of the rollup block layouts written by earlier llmwatch versions (read-only; new
 * blocks are written by rollup-codec.ts). Stores keep such blocks until retention deletes them.
 */
import { BitReader } from './bits.js';
import { XorDecoder, decodeChunk } from './gorilla.js';
import { COLUMN_KEYS, type RollupColumns } from './rollup.js';

/** Reads varints from `block` starting at `pos`; returns the reader and its position getter. */
function varintReader(block: Uint8Array, start: number) {
  let pos = start;
  return {
    next(): number {
      let v = 0;
      let scale = 1;
      for (;;) {
        const byte = block[pos++] ?? 0;
        v += (byte & 0x7f) * scale;
        if (byte < 0x80) return v;
        scale *= 0x80;
      }
    },
    get pos(): number {
      return pos;
    },
  };
}

/**
 * Decodes a version 2 block: a 0 byte and the version byte 2, varint bucket count, varint byte
 * length of the starts and counts as a Gorilla chunk, that chunk, then one bit stream holding
 * per bucket, each as the XOR with a prediction from the same bucket's columns: first (by the
 * previous bucket's last), last (by first), increase (by last - first), min (by min(first,
 * last)), max (by max(first, last)), sum (by count × (first + last) / 2), then the first and
 * last timestamps as offsets from the bucket start, each XORed with the previous bucket's.
 */
export function decodeRollupBlockV2(block: Uint8Array, out: RollupColumns): void {
  const sizes = varintReader(block, 2);
  const n = sizes.next();
  const headSize = sizes.next();
  let pos = sizes.pos;
  const head = decodeChunk(block.subarray(pos, pos + headSize), n);
  pos += headSize;
  const r = new BitReader(block.subarray(pos));
  const [first, last, increase, min, max, sum, firstTs, lastTs] = Array.from(
    { length: 8 },
    () => new XorDecoder(r),
  ) as [
    XorDecoder,
    XorDecoder,
    XorDecoder,
    XorDecoder,
    XorDecoder,
    XorDecoder,
    XorDecoder,
    XorDecoder,
  ];
  let prevLast = 0;
  for (let i = 0; i < n; i++) {
    const start = head.timestampsMs[i] as number;
    const count = head.values[i] as number;
    const f = first.nextPredicted(prevLast);
    const l = last.nextPredicted(f);
    out.startsMs.push(start);
    out.counts.push(count);
    out.firsts.push(f);
    out.lasts.push(l);
    out.increases.push(increase.nextPredicted(l - f));
    out.mins.push(min.nextPredicted(Math.min(f, l)));
    out.maxs.push(max.nextPredicted(Math.max(f, l)));
    out.sums.push(sum.nextPredicted((count * (f + l)) / 2));
    out.firstTimestampsMs.push(firstTs.next() + start);
    out.lastTimestampsMs.push(lastTs.next() + start);
    prevLast = l;
  }
}

/**
 * Decodes a version 1 block: varint bucket count, varint byte lengths of each part, the starts
 * and counts as a Gorilla chunk, then one XOR stream per other column (COLUMN_KEYS order,
 * timestamps as offsets from the bucket start).
 */
export function decodeRollupBlockV1(block: Uint8Array, out: RollupColumns): void {
  const sizes = varintReader(block, 0);
  const n = sizes.next();
  const lengths = Array.from({ length: COLUMN_KEYS.length }, () => sizes.next());
  let pos = sizes.pos;
  const head = decodeChunk(block.subarray(pos, pos + (lengths[0] as number)), n);
  pos += lengths[0] as number;
  const base = out.startsMs.length;
  out.startsMs.push(...head.timestampsMs);
  out.counts.push(...head.values);
  let k = 1;
  for (const key of COLUMN_KEYS) {
    if (key === 'counts') continue;
    const size = lengths[k++] as number;
    const stream = new XorDecoder(new BitReader(block.subarray(pos, pos + size)));
    pos += size;
    const offset = key === 'firstTimestampsMs' || key === 'lastTimestampsMs';
    for (let i = 0; i < n; i++) {
      const v = stream.next();
      out[key].push(offset ? v + (out.startsMs[base + i] as number) : v);
    }
  }
}
