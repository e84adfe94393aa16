/**
 * Binary-scaled float columns: full-precision floats (a counter summing measured latencies,
 * say) written losslessly as exact integer differences. Every finite double is m × 2^e with an
 * integer m; with E the lowest set bit's exponent over the column, each value is the integer
 * v / 2^E, and two neighbouring values of a counter differ by an integer of about the bits of
 * the increment over the counter's last bit: some 40 bits for latency sums of a day, where
 * Gorilla's XOR spends 52 or more (the XOR of two values sharing an exponent keeps every
 * mantissa bit below the highest one that changed).
 *
 * Written (after value-column.ts's 4-bit mode) as: 12 bits E + 1100; without predictions the
 * first value's 64 raw bits, then an integer column (int-column.ts) of the n - 1 differences
 * between neighbours; with predictions (computed by the reader from columns it has already
 * decoded), an integer column of the n differences from round(prediction / 2^E).
 * A column is written this way only when it comes back bit for bit (checked while encoding):
 * NaN, ±Infinity and -0 never are, nor columns whose differences exceed 2^51.
 */
import type { BitWriter } from './bits.js';
import { type BitCursor, MAX_COLUMN_INT, writeIntColumn } from './int-column.js';

const E_OFFSET = 1100;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

// Differences, grown as needed (encoding is synchronous).
let diffs = new Float64Array(256);

/** Exponent of the lowest set bit of finite non-zero `v` (v = odd integer × 2^result). */
function lowestBitExponent(v: number): number {
  f64[0] = v;
  const hi = u32[HI] as number;
  const lo = u32[LO] as number;
  const biased = (hi >>> 20) & 0x7ff;
  const mantissaHigh = hi & 0xfffff;
  let zeros: number;
  if (lo !== 0) zeros = 31 - Math.clz32(lo & -lo);
  else if (mantissaHigh !== 0) zeros = 32 + 31 - Math.clz32(mantissaHigh & -mantissaHigh);
  else zeros = 52;
  // Normal numbers carry an implicit leading bit at position 52; subnormals have exponent -1074.
  return biased === 0 ? -1074 + zeros : biased - 1075 + zeros;
}

/**
 * Appends the 4 bits `mode` (value-column.ts's mode number) and `n` finite values as a
 * binary-scaled column when they come back bit for bit; otherwise writes nothing and returns
 * false. `predictions` as in value-column.ts.
 */
export function writeBinaryColumn(
  w: BitWriter,
  mode: number,
  values: ArrayLike<number>,
  n: number,
  predictions?: ArrayLike<number>,
): boolean {
  if (n === 0) return false;
  let e = Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v) || Object.is(v, -0)) return false;
    if (v !== 0) e = Math.min(e, lowestBitExponent(v));
  }
  // All zeros are a decimal column; 2^-e must stay a normal finite number.
  if (e === Infinity || e < -1022 || e > 1023) return false;
  const down = 2 ** -e;
  const up = 2 ** e;

  const m = predictions === undefined ? n - 1 : n;
  if (diffs.length < m) diffs = new Float64Array(m * 2);
  let prev = (values[0] as number) * down;
  for (let k = 0; k < m; k++) {
    const i = predictions === undefined ? k + 1 : k;
    const scaled = (values[i] as number) * down;
    const base = predictions === undefined ? prev : Math.round((predictions[i] as number) * down);
    const d = scaled - base;
    if (!(d <= MAX_COLUMN_INT && d >= -MAX_COLUMN_INT)) return false;
    // The reader adds d back to base: check that gives the value's exact bits.
    if (!Object.is((base + d) * up, values[i])) return false;
    diffs[k] = d;
    prev = scaled;
  }

  w.writeBits(mode, 4);
  w.writeBits(e + E_OFFSET, 12);
  if (predictions === undefined) {
    f64[0] = values[0] as number;
    w.writeBits64(u32[HI] as number, u32[LO] as number, 64);
  }
  writeIntColumn(w, diffs, m);
  return true;
}

/** Reads a column written by writeBinaryColumn (after its mode bits) into out[0..n). */
export function readBinaryColumn(
  cursor: BitCursor,
  n: number,
  out: Float64Array,
  predictions?: ArrayLike<number>,
): void {
  const e = cursor.read(12) - E_OFFSET;
  const down = 2 ** -e;
  const up = 2 ** e;
  if (predictions === undefined) {
    u32[HI] = cursor.read(32);
    u32[LO] = cursor.read(32);
    const first = f64[0] as number;
    if (n === 0) return;
    // The differences land in out[1..n), then become values in place.
    cursor.readIntColumn(n - 1, out.subarray(1, n));
    out[0] = first;
    let scaled = first * down;
    for (let i = 1; i < n; i++) {
      scaled += out[i] as number;
      out[i] = scaled * up;
    }
    return;
  }
  cursor.readIntColumn(n, out);
  for (let i = 0; i < n; i++) {
    out[i] = ((out[i] as number) + Math.round((predictions[i] as number) * down)) * up;
  }
}
