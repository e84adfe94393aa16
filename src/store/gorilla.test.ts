import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BitReader, BitWriter } from './bits.js';
import { decodeChunk, decodeChunkInto, encodeChunk } from './gorilla.js';
import { SampleBuffer } from './sample-buffer.js';

/** The 64 bits of a float as hex, with V8's quiet bit (set when NaNs enter arrays) cleared. */
function bitsOf(value: number): string {
  const buf = Buffer.alloc(8);
  buf.writeDoubleBE(value, 0);
  if (Number.isNaN(value)) buf[1] = (buf[1] as number) & ~0x08;
  return buf.toString('hex');
}

function fromBits(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

function roundTrip(timestampsMs: number[], values: number[]): void {
  const bytes = encodeChunk(timestampsMs, values);
  const got = decodeChunk(bytes, timestampsMs.length);
  assert.deepEqual(got.timestampsMs, timestampsMs);
  assert.deepEqual(got.values.map(bitsOf), values.map(bitsOf));
}

describe('bit writer and reader', () => {
  it('round-trips fields of 1 to 32 bits across byte borders', () => {
    const w = new BitWriter(1);
    const fields: Array<[number, number]> = [];
    for (let n = 1; n <= 32; n++) fields.push([((2 ** n - 1) * 0.37) >>> 0, n]);
    for (const [v, n] of fields) w.writeBits(v, n);
    assert.equal(w.bitLength, (32 * 33) / 2);
    const r = new BitReader(w.toBytes());
    for (const [v, n] of fields) assert.equal(r.readBits(n), v % 2 ** n);
  });
});

describe('gorilla chunk codec', () => {
  it('encodes a regular 15 s series with constant values in 2 bits per sample', () => {
    const ts = Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const values = ts.map(() => 0.75);
    const bytes = encodeChunk(ts, values);
    // 54 + 64 bits for the first sample, 20 + 1 for the second (first delta), 2 per later one.
    assert.equal(bytes.length, Math.ceil((54 + 64 + 21 + 118 * 2) / 8));
    roundTrip(ts, values);
  });

  it('keeps NaN bit patterns, the staleness marker, ±Inf, -0 and extremes exactly', () => {
    const stale = fromBits('7ff0000000000002');
    const values = [
      1.5,
      stale,
      Number.NaN,
      fromBits('7ff00000deadbeef'),
      Infinity,
      -Infinity,
      -0,
      0,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
      42,
      stale,
    ];
    const ts = values.map((_, i) => 1000 + i * 1000);
    roundTrip(ts, values);
    const got = decodeChunk(encodeChunk(ts, values), ts.length).values;
    assert.equal(bitsOf(got[1] as number), '7ff0000000000002');
    assert.equal(bitsOf(got[6] as number), '8000000000000000');
  });

  it('round-trips irregular timestamps in every delta-of-delta bucket and large jumps', () => {
    const deltas = [1, 15_000, 15_001, 14_999, 8191, -0, 70_000, 600_000, 86_400_000, 3, 1];
    const ts = [-5_000];
    for (const d of deltas) ts.push((ts[ts.length - 1] as number) + Math.max(1, d));
    ts.push(Number.MAX_SAFE_INTEGER - 10, Number.MAX_SAFE_INTEGER);
    const values = ts.map((_, i) => (i % 3 === 0 ? i * 1e6 : Math.sin(i) * 1e-3));
    roundTrip(ts, values);
    roundTrip([Number.MIN_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER], [1, 2, 3]);
  });

  it('round-trips random walks, counters and single samples', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 20; run++) {
      const n = 1 + Math.floor(rand() * 300);
      const ts: number[] = [];
      const values: number[] = [];
      let t = 1_700_000_000_000;
      let v = rand() * 1000;
      for (let i = 0; i < n; i++) {
        t += 1 + Math.floor(rand() * (run % 2 === 0 ? 30_000 : 3));
        v = run % 3 === 0 ? v + Math.floor(rand() * 10) : v + rand() - 0.5;
        ts.push(t);
        values.push(v);
      }
      roundTrip(ts, values);
    }
  });

  it('decodes only the requested range and stops at its end', () => {
    const ts = [10, 20, 30, 40, 50];
    const bytes = encodeChunk(ts, [1, 2, 3, 4, 5]);
    const out = new SampleBuffer();
    decodeChunkInto(bytes, 5, 20, 40, out);
    assert.deepEqual(out.toArrays().timestampsMs, [20, 30, 40]);
    assert.deepEqual(out.toArrays().values, [2, 3, 4]);
  });
});
