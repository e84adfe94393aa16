/**
 * Integer columns: a sequence of safe integers packed as residuals after prediction by the
 * previous values (none, delta or delta-of-delta, whichever is smallest), divided by their
 * greatest common divisor and bit-packed in blocks of 64 at the block's width above the block's
 * minimum ("frame of reference" packing, as in Goldstein, Ramakrishnan and Shaft, ICDE 1998, and
 * the FastPFor family). A counter's growing values cost the bits of its increments' spread; a
 * regular timestamp series costs a few bytes per column, whatever its length.
 *
 * Bit layout (most significant bit first, inside a BitWriter stream):
 * - 2 bits order (0: raw, 1: delta, 2: delta-of-delta);
 * - order >= 1: the first value; order 2 with n >= 2: the first delta (each as "varbits": 6 bits
 *   length L, then L bits of the zig-zag encoded number);
 * - when residuals remain: varbits gcd (0 means every residual is 0 and nothing follows);
 * - per block of 64 residuals: varbits zig-zag(minimum of residual / gcd), 6 bits width, then
 *   each (residual / gcd - minimum) in `width` bits.
 */
import type { BitWriter } from './bits.js';

/** Largest magnitude writeIntColumn accepts (2^51): deltas of deltas then stay exact. */
export const MAX_COLUMN_INT = 2 ** 51;

const BLOCK = 64;
const TWO_32 = 4294967296;
// Residual bound for delta-of-delta: zig-zag of 2^52 is still a safe integer.
const MAX_RESIDUAL = 2 ** 52;

/** Bits needed for the non-negative integer `v` (0 for 0). */
function bitLength(v: number): number {
  if (v < TWO_32) return 32 - Math.clz32(v);
  return 64 - Math.clz32(Math.floor(v / TWO_32));
}

function zigzag(v: number): number {
  return v >= 0 ? 2 * v : -2 * v - 1;
}

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

function writeWide(w: BitWriter, v: number, bits: number): void {
  if (bits > 32) w.writeBits64(Math.floor(v / TWO_32), v % TWO_32, bits);
  else w.writeBits(v, bits);
}

function writeVarbits(w: BitWriter, v: number): void {
  const bits = bitLength(v);
  w.writeBits(bits, 6);
  writeWide(w, v, bits);
}

function gcd(a: number, b: number): number {
  if (a <= 0x7fffffff && b <= 0x7fffffff) {
    // Small integers: int32 remainders are much faster than float ones.
    let x = a | 0;
    let y = b | 0;
    while (y !== 0) {
      const t = (x % y) | 0;
      x = y;
      y = t;
    }
    return x;
  }
  let x = a;
  let y = b;
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

// Residuals of orders 0, 1 and 2, grown as needed (encoding is synchronous).
const scratch = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];

/** Fills scratch[order] with the residuals of `order`; returns their count, or -1 when too wide. */
function residuals(xs: ArrayLike<number>, n: number, order: number): number {
  if ((scratch[order] as Float64Array).length < n) scratch[order] = new Float64Array(n * 2);
  const out = scratch[order] as Float64Array;
  let m = 0;
  let prev = 0;
  let prevDelta = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    const delta = x - prev;
    let r: number;
    if (order === 0) r = x;
    else if (order === 1) r = delta;
    else r = delta - prevDelta;
    if (i >= order) {
      if (r > MAX_RESIDUAL || r < -MAX_RESIDUAL) return -1;
      out[m++] = r;
    }
    if (i >= 1) prevDelta = delta;
    prev = x;
  }
  return m;
}

/** Greatest common divisor of the first `m` residuals' magnitudes (0 when all are 0). */
function residualGcd(r: Float64Array, m: number): number {
  let g = 0;
  let i = 0;
  // Small magnitudes: int32 remainders, much faster than float ones.
  for (; i < m; i++) {
    const a = Math.abs(r[i] as number);
    if (a > 0x7fffffff || g > 0x7fffffff) break;
    let x = a | 0;
    let y = g | 0;
    while (y !== 0) {
      const t = (x % y) | 0;
      x = y;
      y = t;
    }
    g = x;
    if (g === 1) return 1;
  }
  for (; i < m; i++) {
    g = gcd(Math.abs(r[i] as number), g);
    if (g === 1) return 1;
  }
  return g;
}

// Smallest and largest quotient of the block blockRange measured last.
const range = new Float64Array(2);

/**
 * Puts the smallest and largest of r[start..end) / g in `range`. Every residual is a multiple
 * of g > 0, so the extremes of the quotients are the quotients of the extremes: one division
 * each, not one per residual.
 */
function blockRange(r: Float64Array, start: number, end: number, g: number): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const v = r[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  range[0] = min / g;
  range[1] = max / g;
}

/**
 * Packed size in bits of the first `m` residuals divided by `g`: 0 when all are 0 (the gcd is
 * then written as 0 and nothing follows).
 */
function packedBits(r: Float64Array, m: number, g: number): number {
  let bits = 0;
  let nonZero = false;
  for (let start = 0; start < m; start += BLOCK) {
    const end = Math.min(m, start + BLOCK);
    blockRange(r, start, end, g);
    const min = range[0] as number;
    const max = range[1] as number;
    if (min !== 0 || max !== 0) nonZero = true;
    bits += 12 + bitLength(zigzag(min)) + bitLength(max - min) * (end - start);
  }
  return nonZero ? bits : 0;
}

/**
 * Appends `n` integers to `w` (layout in the file comment). Every value must be an integer of
 * magnitude at most MAX_COLUMN_INT (the caller checks; others would be written wrongly).
 */
export function writeIntColumn(w: BitWriter, xs: ArrayLike<number>, n: number): void {
  let bestOrder = 0;
  let bestBits = Infinity;
  let bestCount = 0;
  let bestGcd = 1;
  for (let order = 0; order <= 2; order++) {
    const m = residuals(xs, n, order);
    if (m < 0) continue;
    const r = scratch[order] as Float64Array;
    // The divisor of raw values (order 0) is slow to find for large ones (timestamps) and
    // rarely pays: that order is compared without it.
    const g = order === 0 ? 1 : residualGcd(r, m);
    let bits = packedBits(r, m, g === 0 ? 1 : g) + (m > 0 ? 6 + bitLength(g) : 0);
    if (order >= 1 && n >= 1) bits += 6 + bitLength(zigzag(xs[0] as number));
    if (order === 2 && n >= 2) bits += 6 + bitLength(zigzag((xs[1] as number) - (xs[0] as number)));
    if (bits < bestBits) {
      bestBits = bits;
      bestOrder = order;
      bestCount = m;
      bestGcd = g;
    }
  }

  w.writeBits(bestOrder, 2);
  if (bestOrder >= 1 && n >= 1) writeVarbits(w, zigzag(xs[0] as number));
  if (bestOrder === 2 && n >= 2) writeVarbits(w, zigzag((xs[1] as number) - (xs[0] as number)));
  const m = bestCount;
  if (m <= 0) return;
  const r = scratch[bestOrder] as Float64Array;
  const g = bestOrder === 0 ? residualGcd(r, m) : bestGcd;
  writeVarbits(w, g);
  if (g === 0) return;
  for (let start = 0; start < m; start += BLOCK) {
    const end = Math.min(m, start + BLOCK);
    blockRange(r, start, end, g);
    const min = range[0] as number;
    const max = range[1] as number;
    const width = bitLength(max - min);
    writeVarbits(w, zigzag(min));
    w.writeBits(width, 6);
    if (width === 0) continue;
    if (width > 24) {
      for (let i = start; i < end; i++) writeWide(w, (r[i] as number) / g - min, width);
      continue;
    }
    // Gathers up to 32 bits per write: one BitWriter call per few values.
    let acc = 0;
    let accBits = 0;
    for (let i = start; i < end; i++) {
      if (accBits + width > 32) {
        w.writeBits(acc, accBits);
        acc = 0;
        accBits = 0;
      }
      acc = acc * (1 << width) + ((r[i] as number) / g - min);
      accBits += width;
    }
    if (accBits > 0) w.writeBits(acc, accBits);
  }
}

/**
 * Reads bits from a byte array, most significant first, at any bit position. Reading past the
 * end yields zero bits, so corrupt input decodes to garbage, never to an exception.
 */
export class BitCursor {
  constructor(
    private readonly bytes: Uint8Array,
    /** Position in bits from the start of `bytes`. */
    public pos: number,
  ) {}

  /** Reads `width` bits (0..53) as an unsigned number. */
  read(width: number): number {
    if (width <= 25) return this.read25(width);
    let v = 0;
    let left = width;
    while (left > 25) {
      v = v * 33554432 + this.read25(25);
      left -= 25;
    }
    return v * 2 ** left + this.read25(left);
  }

  private read25(width: number): number {
    if (width === 0) return 0;
    const b = this.bytes;
    const p = this.pos >>> 3;
    // Indexing past the end gives undefined, which the bitwise operators read as 0.
    const word =
      ((b[p] as number) << 24) |
      ((b[p + 1] as number) << 16) |
      ((b[p + 2] as number) << 8) |
      (b[p + 3] as number);
    const v = (word << (this.pos & 7)) >>> (32 - width);
    this.pos += width;
    return v;
  }

  /** Writes (min + next `width`-bit number) * g into out[from..to); width at most 25. */
  private unpack(
    out: Float64Array,
    from: number,
    to: number,
    width: number,
    min: number,
    g: number,
  ): void {
    const b = this.bytes;
    let pos = this.pos;
    if (width === 0) {
      out.fill(min * g, from, to);
      return;
    }
    const shift = 32 - width;
    // Whole 4-byte reads only while they stay inside the array (no out-of-range loads).
    const safeBits = (b.length - 4) * 8 - pos;
    const safeEnd = Math.min(to, from + Math.max(0, Math.floor(safeBits / width)));
    let i = from;
    for (; i < safeEnd; i++) {
      const p = pos >>> 3;
      const word =
        ((b[p] as number) << 24) |
        ((b[p + 1] as number) << 16) |
        ((b[p + 2] as number) << 8) |
        (b[p + 3] as number);
      out[i] = (min + ((word << (pos & 7)) >>> shift)) * g;
      pos += width;
    }
    this.pos = pos;
    for (; i < to; i++) out[i] = (min + this.read25(width)) * g;
  }

  /** Moves to the next byte boundary (no move when already on one). */
  alignToByte(): void {
    this.pos = (this.pos + 7) & ~7;
  }

  private readVarbits(): number {
    return this.read(this.read25(6));
  }

  /**
   * Reads the header of a column of `n` values written by writeIntColumn and, when the values
   * are evenly spaced (delta-of-delta with every residual 0, as regular scrape timestamps are),
   * puts the first value and the step into into[0] and into[1] and returns true: value i is
   * then exactly first + i * step, and the cursor is past the column. Otherwise returns false
   * with the cursor anywhere in the column.
   */
  readEvenColumn(n: number, into: Float64Array): boolean {
    if (n < 2 || this.read25(2) !== 2) return false;
    into[0] = unzigzag(this.readVarbits());
    into[1] = unzigzag(this.readVarbits());
    // Two values have no residuals (and no divisor); more have the divisor 0 when all are 0.
    return n === 2 || this.readVarbits() === 0;
  }

  /** Reads a column written by writeIntColumn into out[0..n). */
  readIntColumn(n: number, out: Float64Array): void {
    const order = this.read25(2);
    let i = 0;
    let x = 0;
    let delta = 0;
    if (order >= 1 && n >= 1) {
      x = unzigzag(this.readVarbits());
      out[i++] = x;
    }
    if (order === 2 && n >= 2) {
      delta = unzigzag(this.readVarbits());
      x += delta;
      out[i++] = x;
    }
    if (i >= n) return;
    const g = this.readVarbits();
    if (g === 0) {
      // Every residual is 0: raw zeros, a constant, or a constant step.
      for (; i < n; i++) {
        if (order === 0) x = 0;
        else x += delta;
        out[i] = x;
      }
      return;
    }
    while (i < n) {
      const end = Math.min(n, i + BLOCK);
      const min = unzigzag(this.readVarbits());
      const width = this.read25(6);
      if (width > 25) {
        for (; i < end; i++) {
          const r = (min + this.read(width)) * g;
          if (order === 0) x = r;
          else if (order === 1) x += r;
          else {
            delta += r;
            x += delta;
          }
          out[i] = x;
        }
        continue;
      }
      // The block's residuals, unpacked in place, then summed up per order: two simple loops
      // that V8 optimises far better than one with a bit reader call and an order switch.
      this.unpack(out, i, end, width, min, g);
      if (order === 0) {
        i = end;
        x = out[end - 1] as number;
      } else if (order === 1) {
        for (; i < end; i++) {
          x += out[i] as number;
          out[i] = x;
        }
      } else {
        for (; i < end; i++) {
          delta += out[i] as number;
          x += delta;
          out[i] = x;
        }
      }
    }
  }
}
