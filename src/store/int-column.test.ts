import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BitWriter } from './bits.js';
import { BitCursor, MAX_COLUMN_INT, writeIntColumn } from './int-column.js';

function roundTrip(xs: number[]): number {
  const w = new BitWriter(4);
  w.writeBits(5, 3); // an unaligned start, as inside a chunk
  writeIntColumn(w, xs, xs.length);
  w.writeBits(0b1011, 4); // a field after the column must still be found
  const bytes = w.toBytes();
  const c = new BitCursor(bytes, 3);
  const out = new Float64Array(xs.length);
  c.readIntColumn(xs.length, out);
  assert.deepEqual(Array.from(out), xs);
  assert.equal(c.read(4), 0b1011);
  return bytes.length;
}

/** Deterministic pseudo-random integers in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

describe('integer columns', () => {
  it('round-trip empty, single and block-border lengths', () => {
    const rand = rng(1);
    for (const n of [0, 1, 2, 3, 63, 64, 65, 66, 127, 128, 129, 300]) {
      roundTrip(Array.from({ length: n }, () => Math.floor(rand() * 1000) - 500));
    }
  });

  it('round-trip every packed width, raw, as deltas and as deltas of deltas, to the last byte', () => {
    const rand = rng(7);
    for (let width = 1; width <= 30; width++) {
      for (const n of [1, 5, 64, 65, 130]) {
        const spread = 2 ** width;
        const raw = Array.from({ length: n }, () => Math.floor(rand() * spread) - spread / 2);
        let x = 0;
        const deltas = raw.map((r) => (x += r));
        let d = 0;
        let y = 0;
        const dods = raw.map((r) => (y += d += r));
        for (const xs of [raw, deltas, dods]) {
          roundTrip(xs);
          // Without a field after it, the column's last bits are the array's last bits.
          const w = new BitWriter(4);
          writeIntColumn(w, xs, n);
          const out = new Float64Array(n);
          new BitCursor(w.toBytes(), 0).readIntColumn(n, out);
          assert.deepEqual(Array.from(out), xs, `width ${width}, n ${n}`);
        }
      }
    }
  });

  it('cost a few bytes for a regular timestamp column, however long', () => {
    const ts = (n: number) => Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
    assert.equal(roundTrip(ts(120)), 11);
    assert.equal(roundTrip(ts(1440)), 11);
  });

  it('pack a counter by the spread of its increments', () => {
    const rand = rng(2);
    let v = 1e9;
    const xs = Array.from({ length: 640 }, () => (v += 100 + Math.floor(rand() * 16)));
    // 4 bits per increment plus 10 block headers.
    assert.ok(roundTrip(xs) <= 640 / 2 + 40);
  });

  it('round-trip extremes, resets, constants and common divisors', () => {
    const rand = rng(3);
    const cases: number[][] = [
      [MAX_COLUMN_INT, -MAX_COLUMN_INT, MAX_COLUMN_INT, 0, -MAX_COLUMN_INT],
      Array.from({ length: 100 }, (_, i) => (i % 37 === 36 ? 0 : i * 1_000_003)),
      Array.from({ length: 100 }, () => 7),
      Array.from({ length: 100 }, () => 0),
      Array.from({ length: 100 }, () => Math.floor(rand() * 16_000) * 1_048_576),
      Array.from({ length: 100 }, () => Math.floor((rand() - 0.5) * 2 * MAX_COLUMN_INT)),
      [0, -1, 1, -2, 2, -(2 ** 40), 2 ** 40],
    ];
    for (const xs of cases) roundTrip(xs);
  });

  it('reads past the end of corrupt input as zeros without throwing', () => {
    const w = new BitWriter(4);
    writeIntColumn(w, [1, 5, 9, 1000, 3], 5);
    const bytes = w.toBytes().subarray(0, 2);
    const out = new Float64Array(5);
    new BitCursor(bytes, 0).readIntColumn(5, out);
    assert.equal(out.length, 5);
  });
});
