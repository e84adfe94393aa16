import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BitWriter } from './bits.js';
import { BitCursor } from './int-column.js';
import { readValueColumn, writeValueColumn } from './value-column.js';

const fromBits = (hex: string) => Buffer.from(hex, 'hex').readDoubleBE(0);
const STALE = fromBits('7ff0000000000002');

function bitsOf(value: number): string {
  const buf = Buffer.alloc(8);
  buf.writeDoubleBE(value, 0);
  return buf.toString('hex');
}

/** Writes a value column, reads it back and compares every bit; returns the mode and size. */
function roundTrip(values: number[], predictions?: number[]): { mode: number; bytes: number } {
  const w = new BitWriter();
  writeValueColumn(w, values, values.length, predictions);
  const bytes = w.toBytes();
  const out = new Float64Array(values.length);
  readValueColumn(bytes, new BitCursor(bytes, 0), values.length, out, predictions);
  assert.deepEqual([...out].map(bitsOf), values.map(bitsOf));
  return { mode: (bytes[0] as number) >>> 4, bytes: bytes.length };
}

const BINARY = 14;
const XOR = 15;

describe('binary-scaled float columns', () => {
  it('writes a full-precision counter as exact differences, smaller than XOR', () => {
    let sum = 1e6;
    const sums = Array.from({ length: 500 }, (_, i) => (sum += Math.sqrt(i + 2) * 97.3));
    const { mode, bytes } = roundTrip(sums);
    assert.equal(mode, BINARY);
    // Increments up to about 2^11 over a last bit of 2^-33: 44 bits each, plus headers.
    assert.ok(bytes <= 500 * 5.6, String(bytes));
  });

  it('round-trips tiny, huge, subnormal-adjacent and mixed-sign values', () => {
    const cases: number[][] = [
      [1.5, -2.25, 3.125, 0, -1e-3 * 2 ** -10],
      [2 ** -1000, 3 * 2 ** -1000, 2 ** -999],
      [1e15 + 0.5, 1e15 + 1.5, 1e15 - 0.25],
      [0.1, 0.2, 0.30000000000000004, 0.1 + 0.7],
      [1024.5, 1024.25, 1023.75, 2047.875, 2048.125, 4096.0625],
      [Number.MAX_VALUE, Number.MAX_VALUE / 2],
      [7.25],
    ];
    for (const values of cases) roundTrip(values);
    assert.equal(roundTrip([1e15 + 0.5, 1e15 + 1.5, 1e15 - 0.25]).mode, BINARY);
    assert.equal(roundTrip([2 ** -1000, 3 * 2 ** -1000, 2 ** -999]).mode, BINARY);
  });

  it('falls back to XOR for NaN payloads, ±Infinity, -0, subnormals and wide differences', () => {
    const cases: number[][] = [
      [1.5, STALE, 2.5],
      [fromBits('7ff8000000000001'), 0.5],
      [Infinity, 0.5],
      [-Infinity, 0.5],
      [0.5, -0, 0.25],
      [5e-324, 1e-320],
      [Math.PI, Math.E, 1 / 3], // differences of about 2^53 last bits
      [0.1, 0.2, 0.30000000000000004], // differences of 2^51.7 last bits
      [2 ** 60, 1.5],
    ];
    for (const values of cases) assert.equal(roundTrip(values).mode, XOR, String(values));
  });

  it('writes differences from predictions, exactly, also when predictions are not finite', () => {
    let v = 5e5;
    const values = Array.from({ length: 100 }, (_, i) => (v += 13.7 * Math.sin(i) + 20.01));
    const near = values.map((x, i) => x + (i % 3) * 1e-6);
    assert.equal(roundTrip(values, near).mode, BINARY);
    const wild = values.map((x, i) => (i === 5 ? Infinity : i === 6 ? Number.NaN : x));
    roundTrip(values, wild);
    roundTrip(
      values,
      values.map(() => 0),
    );
  });

  it('keeps neighbouring columns readable after a binary one', () => {
    const w = new BitWriter();
    const a = [0.1, 0.2, 0.30000000000000004];
    const b = [1, 2, 3];
    writeValueColumn(w, a, 3);
    writeValueColumn(w, b, 3);
    const bytes = w.toBytes();
    const cursor = new BitCursor(bytes, 0);
    const outA = new Float64Array(3);
    const outB = new Float64Array(3);
    readValueColumn(bytes, cursor, 3, outA);
    readValueColumn(bytes, cursor, 3, outB);
    assert.deepEqual([...outA], a);
    assert.deepEqual([...outB], b);
  });
});
