/**
 * Float value columns that usually hold integers or few-decimal numbers. A column whose values
 * all become integers m when scaled by 10^k (k = 0..MAX_SCALE) AND come back bit for bit as
 * m / 10^k is written as an integer column (int-column.ts) of m, optionally minus a prediction
 * (also scaled and rounded); a column of other finite floats whose exact binary differences fit
 * (binary-column.ts: full-precision counters) as those differences; any other column (NaN,
 * ±Infinity, -0, full-precision gauges) as a Gorilla XOR stream (gorilla.ts), which keeps
 * every bit.
 *
 * Layout: 4 bits mode (k = 0..MAX_SCALE: decimal; BINARY_MODE: binary-scaled; XOR_MODE: XOR),
 * then the integer column, or the binary-scaled column, or (XOR) padding to a byte boundary, the
 * XOR stream, padding to a byte boundary. Schema version 5 added BINARY_MODE.
 */
import { readBinaryColumn, writeBinaryColumn } from './binary-column.js';
import { BitReader, type BitWriter } from './bits.js';
import { XorDecoder, XorEncoder } from './gorilla.js';
import { BitCursor, MAX_COLUMN_INT, writeIntColumn } from './int-column.js';

/** Largest decimal scale tried: values with up to 9 decimals. */
export const MAX_SCALE = 9;
const BINARY_MODE = 14;
const XOR_MODE = 15;
/** Largest scaled magnitude (2^50): minus a prediction of the same bound it stays in range. */
const MAX_SCALED = MAX_COLUMN_INT / 2;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

// Scaled values, reused (encoding and decoding are synchronous).
let scaled = new Float64Array(256);
let predictedScaled = new Float64Array(256);

function grow(n: number): void {
  if (scaled.length < n) {
    scaled = new Float64Array(n * 2);
    predictedScaled = new Float64Array(n * 2);
  }
}

/**
 * The smallest k in 0..MAX_SCALE for which every value is m / 10^k exactly with m an integer of
 * magnitude at most 2^50 (and, with `predictions`, every prediction scales into range too), or
 * -1. Fills `scaled` (and `predictedScaled`) for that k.
 */
function decimalScale(values: ArrayLike<number>, n: number, predictions?: ArrayLike<number>) {
  grow(n);
  for (let k = 0; k <= MAX_SCALE; k++) {
    const p = POW10[k] as number;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const v = values[i] as number;
      const m = Math.round(v * p);
      // m / p === v fails for NaN and ±Infinity; -0 would come back as +0.
      if (m / p !== v || Object.is(v, -0) || m > MAX_SCALED || m < -MAX_SCALED) ok = false;
      scaled[i] = m;
      if (predictions !== undefined) {
        const q = Math.round((predictions[i] as number) * p);
        if (!(q <= MAX_SCALED && q >= -MAX_SCALED)) ok = false;
        predictedScaled[i] = q;
        scaled[i] = m - q;
      }
    }
    if (ok) return k;
    // NaN and ±Infinity fail every scale.
    if (k === 0 && !Number.isFinite(values[0] as number)) return -1;
  }
  return -1;
}

/**
 * True when every one of the `n` values is a few-decimal number (writeDecimalColumn would write
 * them); false for full-precision floats, NaN, ±Infinity and -0.
 */
export function isDecimalColumn(values: ArrayLike<number>, n: number): boolean {
  return decimalScale(values, n) >= 0;
}

/**
 * Appends `n` values to `w`. With `predictions` (same length; computed by the reader from
 * values it has already decoded), each value is written relative to its prediction.
 */
export function writeValueColumn(
  w: BitWriter,
  values: ArrayLike<number>,
  n: number,
  predictions?: ArrayLike<number>,
): void {
  if (writeDecimalColumn(w, values, n, predictions)) return;
  if (writeFloatColumn(w, values, n, predictions)) return;
  w.writeBits(XOR_MODE, 4);
  alignWriter(w);
  const xor = new XorEncoder(w);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (predictions === undefined) xor.append(v);
    else xor.appendPredicted(v, predictions[i] as number);
  }
  alignWriter(w);
}

/**
 * Appends the values as a decimal column (as writeValueColumn does) when they all are decimal
 * numbers; otherwise writes nothing and returns false.
 */
export function writeDecimalColumn(
  w: BitWriter,
  values: ArrayLike<number>,
  n: number,
  predictions?: ArrayLike<number>,
): boolean {
  const k = decimalScale(values, n, predictions);
  if (k < 0) return false;
  w.writeBits(k, 4);
  writeIntColumn(w, scaled, n);
  return true;
}

/**
 * Appends the values as a binary-scaled column (binary-column.ts) when they come back bit for
 * bit that way; otherwise writes nothing and returns false. Call after writeDecimalColumn
 * failed: decimal columns are smaller where both fit.
 */
export function writeFloatColumn(
  w: BitWriter,
  values: ArrayLike<number>,
  n: number,
  predictions?: ArrayLike<number>,
): boolean {
  return writeBinaryColumn(w, BINARY_MODE, values, n, predictions);
}

function alignWriter(w: BitWriter): void {
  const pad = (8 - (w.bitLength & 7)) & 7;
  if (pad > 0) w.writeBits(0, pad);
}

/**
 * Reads a column written by writeValueColumn (with the same predictions) into out[0..n).
 * `bytes` is the array `cursor` reads from. Returns true when it was a XOR column (the only
 * kind that can hold NaN payloads such as staleness markers).
 */
export function readValueColumn(
  bytes: Uint8Array,
  cursor: BitCursor,
  n: number,
  out: Float64Array,
  predictions?: ArrayLike<number>,
): boolean {
  const mode = cursor.read(4);
  if (mode <= MAX_SCALE) {
    cursor.readIntColumn(n, out);
    const p = POW10[mode] as number;
    if (predictions !== undefined) {
      for (let i = 0; i < n; i++) {
        out[i] = ((out[i] as number) + Math.round((predictions[i] as number) * p)) / p;
      }
    } else if (mode > 0) {
      for (let i = 0; i < n; i++) out[i] = (out[i] as number) / p;
    }
    return false;
  }
  if (mode === BINARY_MODE) {
    readBinaryColumn(cursor, n, out, predictions);
    return false;
  }
  cursor.alignToByte();
  const start = cursor.pos >>> 3;
  const reader = new BitReader(bytes.subarray(start));
  const xor = new XorDecoder(reader);
  for (let i = 0; i < n; i++) {
    out[i] = predictions === undefined ? xor.next() : xor.nextPredicted(predictions[i] as number);
  }
  cursor.pos = start * 8 + reader.position();
  cursor.alignToByte();
  return true;
}
