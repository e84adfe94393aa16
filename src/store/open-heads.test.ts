import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BitReader } from './bits.js';
import { ChunkEncoder } from './gorilla.js';
import { OpenHeads } from './open-heads.js';
import { PAGE_BYTES } from './page-pool.js';
import { SampleBuffer } from './sample-buffer.js';
import { STALE_MARKER } from './rollup.js';

/** A float64 from its two 32-bit halves (any NaN payload). */
function bits(hi: number, lo: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}

// A typed array: a plain array may rewrite NaN payloads.
const ADVERSARIAL_VALUES = new Float64Array([
  0,
  -0,
  1,
  1,
  Infinity,
  -Infinity,
  STALE_MARKER,
  bits(0x7ff80000, 1), // quiet NaN with a payload
  bits(0xfff00000, 0x12345), // negative signalling NaN
  Number.NaN,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MAX_SAFE_INTEGER,
  2 ** 53 + 2,
  1e-300,
  0.1,
  0.30000000000000004,
  123456.789,
  -5,
]);
// Index of STALE_MARKER above.
const MARKER_INDEX = 6;

/** Timestamps: regular, jittered, each delta-of-delta bucket, beyond ±2^52, negative. */
function adversarialTimestamps(): number[] {
  const out: number[] = [];
  let t = -9_007_199_254_740_000;
  out.push(t, t + 1);
  t = -1000;
  for (const step of [15_000, 15_000, 15_001, 14_999, 8191, 70_000, 600_000, 5_000_000, 1, 2]) {
    t += step;
    out.push(t);
  }
  t = 1_700_000_000_000;
  for (let i = 0; i < 300; i++) {
    t += 15_000 + ((i * 7919) % 13) - 6;
    out.push(t);
  }
  // A regular run (delta of delta 0: its bit is written together with the value's).
  for (let i = 0; i < 200; i++) {
    t += 15_000;
    out.push(t);
  }
  out.push(2 ** 52, 2 ** 53 - 3, Number.MAX_SAFE_INTEGER);
  return out;
}

describe('open heads', () => {
  it('write exactly the bytes ChunkEncoder writes, across page boundaries', () => {
    const heads = new OpenHeads();
    heads.reserve(4);
    const timestamps = adversarialTimestamps();
    const encoders = [0, 1, 2, 3].map(() => new ChunkEncoder());
    // Values that change a few bits at a time (short XOR windows, new and reused).
    const gauge = (i: number) => [0.5, 1, 1.5, 1000, 1001, 0.25, 3][i % 7] as number;
    for (let i = 0; i < timestamps.length; i++) {
      // Four heads interleaved, so their pages interleave in the pool.
      for (let slot = 0; slot < 4; slot++) {
        const value = ADVERSARIAL_VALUES[(i * (slot + 1)) % ADVERSARIAL_VALUES.length] as number;
        // A plain counter and a gauge too.
        const v = slot === 2 ? i * 3 : slot === 3 ? gauge(i) : value;
        heads.add(slot, timestamps[i] as number, v);
        (encoders[slot] as ChunkEncoder).append(timestamps[i] as number, v);
      }
    }
    for (let slot = 0; slot < 4; slot++) {
      const expected = (encoders[slot] as ChunkEncoder).writer.toBytes();
      assert.ok(expected.length > PAGE_BYTES * 3, 'spans several pages');
      assert.deepEqual(heads.toBytes(slot), expected);
      assert.equal(heads.count[slot], timestamps.length);
      assert.equal(heads.minTs[slot], timestamps[0]);
      assert.equal(heads.maxTs[slot], timestamps.at(-1));
    }
  });

  it('read back every value bit for bit, with staleness markers flagged', () => {
    const heads = new OpenHeads();
    heads.reserve(1);
    const ts = Array.from(ADVERSARIAL_VALUES, (_, i) => 1000 + i * 1000);
    for (let i = 0; i < ts.length; i++)
      heads.add(0, ts[i] as number, ADVERSARIAL_VALUES[i] as number);
    const out = new SampleBuffer();
    heads.readInto(0, -Infinity, Infinity, out);
    const { timestampsMs: outTs, values: outValues, staleIndices: outStale } = out.toArrays();
    assert.deepEqual(outTs, ts);
    assert.deepEqual(outStale, [MARKER_INDEX]);
    // The buffer itself keeps every value's bits, NaN payloads included.
    const want = new Float64Array(ADVERSARIAL_VALUES.length);
    const wantWords = new Uint32Array(want.buffer);
    for (let i = 0; i < want.length; i++) {
      const one = new Float64Array([ADVERSARIAL_VALUES[i] as number]);
      wantWords.set(new Uint32Array(one.buffer), 2 * i);
    }
    assert.deepEqual(out.valueWords.subarray(0, 2 * want.length), wantWords);
    // Plain arrays may rewrite NaN payloads: compare the non-NaN values exactly, NaNs as NaN.
    outValues.forEach((v, i) => {
      const want = ADVERSARIAL_VALUES[i] as number;
      if (Number.isNaN(want)) assert.ok(Number.isNaN(v));
      else assert.ok(Object.is(v, want), `value ${i}`);
    });
    // The bytes themselves keep every payload.
    const chunk = heads.toBytes(0);
    const enc = new ChunkEncoder();
    for (let i = 0; i < ts.length; i++)
      enc.append(ts[i] as number, ADVERSARIAL_VALUES[i] as number);
    assert.deepEqual(chunk, enc.writer.toBytes());
    // A NaN with a payload: its own bits, not the canonical NaN's (0x7ff8000000000000).
    const nanPayload = new Float64Array([ADVERSARIAL_VALUES[7] as number]);
    assert.deepEqual(new Uint32Array(nanPayload.buffer)[0], 1);
  });

  it('replace equal timestamps and insert earlier ones in order, keeping markers', () => {
    const heads = new OpenHeads();
    heads.reserve(1);
    heads.add(0, 3000, 3);
    heads.add(0, 1000, STALE_MARKER); // before the first
    heads.add(0, 5000, 5);
    heads.add(0, 2000, 2); // in between
    heads.add(0, 5000, 50); // replaces the last
    heads.add(0, 3000, STALE_MARKER); // replaces a value by a marker
    heads.add(0, 1000, -0); // replaces a marker by a value
    heads.add(0, 6000, 6); // appends after re-encoding
    const out = new SampleBuffer();
    heads.readInto(0, -Infinity, Infinity, out);
    const { timestampsMs: outTs, values: outValues, staleIndices: outStale } = out.toArrays();
    assert.deepEqual(outTs, [1000, 2000, 3000, 5000, 6000]);
    assert.deepEqual(outStale, [2]);
    assert.ok(Object.is(outValues[0], -0));
    assert.deepEqual(outValues.slice(3), [50, 6]);
    assert.equal(heads.minTs[0], 1000);
    assert.equal(heads.maxTs[0], 6000);
    const enc = new ChunkEncoder();
    // Not through a plain array: that may rewrite the marker's payload.
    enc.append(1000, -0);
    enc.append(2000, 2);
    enc.append(3000, STALE_MARKER);
    enc.append(5000, 50);
    enc.append(6000, 6);
    assert.deepEqual(heads.toBytes(0), enc.writer.toBytes());
  });

  it('reads only the asked range and nothing from an empty head', () => {
    const heads = new OpenHeads();
    heads.reserve(2);
    for (let i = 0; i < 10; i++) heads.add(0, i * 10, i);
    const out = new SampleBuffer();
    heads.readInto(0, 25, 55, out);
    assert.deepEqual(out.toArrays().timestampsMs, [30, 40, 50]);
    assert.deepEqual(out.toArrays().values, [3, 4, 5]);
    heads.readInto(1, -Infinity, Infinity, out);
    heads.readInto(0, 100, 200, out);
    assert.equal(out.length, 3);
  });

  it('return pages to the pool on clear and reuse them zeroed', () => {
    const heads = new OpenHeads();
    heads.reserve(2);
    const fill = (slot: number, seed: number) => {
      for (let i = 0; i < 200; i++) heads.add(slot, i * 15_000, Math.sin(i + seed));
    };
    fill(0, 1);
    const used = heads.pageBytes().inUse;
    assert.equal(used, Math.ceil(heads.byteLength(0) / PAGE_BYTES) * PAGE_BYTES);
    heads.clear(0);
    assert.equal(heads.count[0], 0);
    assert.equal(heads.pageBytes().inUse, 0);
    fill(1, 2); // takes the freed (dirty) pages
    const enc = new ChunkEncoder();
    for (let i = 0; i < 200; i++) enc.append(i * 15_000, Math.sin(i + 2));
    assert.deepEqual(heads.toBytes(1), enc.writer.toBytes());
    assert.equal(heads.pageBytes().reserved, 64 * 1024);
  });

  it('keep the exact bits of a NaN payload and of -0', () => {
    const heads = new OpenHeads();
    heads.reserve(1);
    heads.add(0, 0, bits(0x7ff80000, 1));
    heads.add(0, 1, -0);
    const r = new BitReader(heads.toBytes(0));
    r.readBits(22); // sign and high magnitude bits of the first timestamp
    r.readBits(32);
    assert.equal(r.readBits(32), 0x7ff80000);
    assert.equal(r.readBits(32), 1);
    const out = new SampleBuffer();
    heads.readInto(0, 1, 1, out);
    assert.ok(Object.is(out.values[0], -0));
  });
});
