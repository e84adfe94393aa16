import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHUNK_FORMAT_LEGACY,
  CHUNK_FORMAT_TAGGED,
  decodeStoredChunk,
  decodeStoredChunkInto,
  encodeStoredChunk,
  isColumnChunk,
  joinStoredChunks,
  storedChunkBound,
} from './chunk-codec.js';
import { encodeChunk } from './gorilla.js';
import { SampleBuffer } from './sample-buffer.js';

const T0 = 1_700_000_000_000;
const fromBits = (hex: string) => Buffer.from(hex, 'hex').readDoubleBE(0);
const STALE = fromBits('7ff0000000000002');

/** The 64 bits of a float as hex, with V8's quiet bit (set when NaNs enter arrays) cleared. */
function bitsOf(value: number): string {
  const buf = Buffer.alloc(8);
  buf.writeDoubleBE(value, 0);
  if (Number.isNaN(value)) buf[1] = (buf[1] as number) & ~0x08;
  return buf.toString('hex');
}

function regular(n: number, stepMs = 15_000): number[] {
  return Array.from({ length: n }, (_, i) => T0 + i * stepMs);
}

/** Encodes, checks the chosen encoding, decodes and compares every bit; returns the size. */
function roundTrip(ts: number[], values: number[], columns: boolean): number {
  const bytes = encodeStoredChunk(ts, values, ts.length);
  assert.equal(isColumnChunk(CHUNK_FORMAT_TAGGED, bytes), columns);
  const got = decodeStoredChunk(CHUNK_FORMAT_TAGGED, bytes, ts.length);
  assert.deepEqual(got.timestampsMs, ts);
  assert.deepEqual(got.values.map(bitsOf), values.map(bitsOf));
  return bytes.length;
}

describe('stored chunk codec', () => {
  it('stores integer counters and gauges as columns, bit-exactly', () => {
    let c = 0;
    const counter = regular(120).map((_, i) => (c += (i * 7919) % 97));
    // 7 bits per increment (0 to 96) plus the headers; Gorilla takes about 2.5 times that.
    assert.ok(roundTrip(regular(120), counter, true) <= 130);
    assert.ok(
      roundTrip(
        regular(120),
        regular(120).map(() => 3),
        true,
      ) <= 16,
    );
    const negatives = regular(120).map((_, i) => -1e12 + i * ((i % 5) - 2));
    roundTrip(regular(120), negatives, true);
    roundTrip([T0], [42], true);
  });

  it('stores few-decimal numbers as scaled integers, bit-exactly', () => {
    const watts = regular(120).map((_, i) => Math.round((150 + ((i * 7919) % 250)) * 100) / 100);
    roundTrip(regular(120), watts, true);
    const ratios = regular(120).map((_, i) => ((i * 37) % 101) / 100);
    roundTrip(regular(120), ratios, true);
    roundTrip(regular(3), [0.1, 0.2, 0.30000000000000004], false); // 17 decimals
    roundTrip(regular(4), [1e-9, 2e-9, -3e-9, 0], true);
    roundTrip(regular(2), [123456.789, 0.001], true);
  });

  it('stores a full-precision float counter as exact binary differences', () => {
    // A latency sum: increments of full-precision floats, about 2^19 after a day.
    let sum = 400_000;
    const sums = regular(1440).map((_, i) => (sum += 150 * (0.9 + ((i * 7919) % 1000) / 5000)));
    const size = roundTrip(regular(1440), sums, true);
    const gorilla = encodeChunk(regular(1440), sums).length;
    // About 42 bits per sample where Gorilla's XOR takes about 53.
    assert.ok(size < gorilla * 0.82, `${size} vs Gorilla ${gorilla}`);
    // Crossing a power of two (2048: the last bit's weight doubles).
    let x = 1000;
    const crossing = regular(300).map((_, i) => (x += Math.PI * (i % 7)));
    roundTrip(regular(300), crossing, true);
    // From 0, the first increments' last bits are too fine for the later values: Gorilla.
    let y = 0;
    roundTrip(
      regular(300),
      regular(300).map((_, i) => (y += Math.PI * (i % 7))),
      false,
    );
  });

  it('keeps adversarial values bit-exact through the Gorilla encoding', () => {
    const cases: number[][] = [
      [1, STALE, 2],
      [fromBits('7ff8000000000001'), fromBits('fff0000000000001'), 0],
      [Infinity, -Infinity, 5],
      [0, -0, 0],
      [Math.PI, Math.E, 1 / 3],
      [1e300, 5e-324, -1.7976931348623157e308],
      [2 ** 53, 2 ** 60, 1], // integers beyond the column range
    ];
    for (const values of cases) roundTrip(regular(values.length), values, false);
  });

  it('reports staleness markers with their output index, also within a range', () => {
    const ts = regular(5);
    const bytes = encodeStoredChunk(ts, [1, 2, STALE, 4, STALE], 5);
    const out = new SampleBuffer();
    decodeStoredChunkInto(CHUNK_FORMAT_TAGGED, bytes, 5, ts[1]!, ts[4]!, out);
    const { timestampsMs: outTs, staleIndices: stale } = out.toArrays();
    assert.deepEqual(outTs, ts.slice(1));
    assert.deepEqual(stale, [1, 3]);
    // The buffer keeps the marker's bits (0x7ff0000000000002; the test's own plain array may
    // have set the quiet bit before encoding).
    const words = [...out.valueWords.subarray(2, 4)].map((w) => w & 0xfff7ffff);
    assert.deepEqual(words.sort(), [2, 0x7ff00000].sort());
  });

  it('keeps a given Gorilla chunk byte for byte when values are not decimal', () => {
    const ts = regular(3);
    const gorilla = encodeChunk(ts, [0.5, STALE, 0.25]);
    const bytes = encodeStoredChunk(ts, [0.5, Number.NaN, 0.25], 3, gorilla);
    assert.deepEqual(bytes.subarray(1), gorilla);
  });

  it('stores irregular and out-of-range timestamps exactly', () => {
    const jitter = regular(200).map((t, i) => t + ((i * 7919) % 61) - 30);
    roundTrip(
      jitter,
      jitter.map((_, i) => i),
      true,
    );
    roundTrip([-5000, -1, 0, 7], [1, 2, 3, 4], true);
    roundTrip([2 ** 52, 2 ** 52 + 1, 2 ** 53 - 1], [1, 2, 3], false);
  });

  it('selects a time range with both ends inclusive', () => {
    const ts = regular(10);
    const bytes = encodeStoredChunk(
      ts,
      ts.map((_, i) => i),
      10,
    );
    const out = new SampleBuffer();
    decodeStoredChunkInto(CHUNK_FORMAT_TAGGED, bytes, 10, ts[2]!, ts[5]!, out);
    assert.deepEqual(out.toArrays().values, [2, 3, 4, 5]);
    assert.deepEqual(out.toArrays().timestampsMs, ts.slice(2, 6));
    // Ranges before, after and between samples give nothing; appending keeps earlier samples.
    decodeStoredChunkInto(CHUNK_FORMAT_TAGGED, bytes, 10, ts[9]! + 1, ts[9]! + 5, out);
    decodeStoredChunkInto(CHUNK_FORMAT_TAGGED, bytes, 10, ts[0]! - 5, ts[0]! - 1, out);
    decodeStoredChunkInto(CHUNK_FORMAT_TAGGED, bytes, 10, ts[3]! + 1, ts[4]! - 1, out);
    assert.equal(out.length, 4);
    decodeStoredChunkInto(CHUNK_FORMAT_TAGGED, bytes, 10, ts[9]!, Infinity, out);
    assert.deepEqual(out.toArrays().values, [2, 3, 4, 5, 9]);
  });

  it('decodes rows of the format before tags (a bare Gorilla chunk), markers included', () => {
    // encodeChunk output of llmwatch before schema version 3, for the samples below.
    const legacy = Buffer.from(
      '00062f3f95a000ffe00000000000030ea630fd000000000000000bfc2000000036003ffe00000000000040',
      'hex',
    );
    const got = decodeStoredChunk(CHUNK_FORMAT_LEGACY, legacy, 4);
    assert.deepEqual(got.timestampsMs, [T0, T0 + 15_000, T0 + 30_000, T0 + 45_000]);
    assert.deepEqual(got.staleIndices, [1]);
    assert.equal(got.values[0], 1.5);
    assert.ok(Number.isNaN(got.values[2]));
    assert.ok(Object.is(got.values[3], -0));
  });

  it('joins chunks of every kind as segments that decode bit for bit, markers included', () => {
    const ts = regular(12);
    const a = encodeStoredChunk(ts.slice(0, 4), [1, 2, 3, 5], 4);
    const gorillaValues = [0.5, STALE, fromBits('7ff8000000000001'), -0];
    const b = encodeStoredChunk(ts.slice(4, 8), gorillaValues, 4);
    const legacy = encodeChunk(ts.slice(8, 12), [Infinity, 7, STALE, 1e300]);
    const ab = joinStoredChunks([
      { format: CHUNK_FORMAT_TAGGED, bytes: a, count: 4 },
      { format: CHUNK_FORMAT_TAGGED, bytes: b, count: 4 },
    ]);
    assert.equal(isColumnChunk(CHUNK_FORMAT_TAGGED, ab), false);
    // Nested segments are flattened.
    const all = joinStoredChunks([
      { format: CHUNK_FORMAT_TAGGED, bytes: ab, count: 8 },
      { format: CHUNK_FORMAT_LEGACY, bytes: legacy, count: 4 },
    ]);
    const got = decodeStoredChunk(CHUNK_FORMAT_TAGGED, all, 12);
    assert.deepEqual(got.timestampsMs, ts);
    const want = [1, 2, 3, 5, ...gorillaValues, Infinity, 7, STALE, 1e300];
    assert.deepEqual(got.values.map(bitsOf), want.map(bitsOf));
    assert.deepEqual(got.staleIndices, [5, 10]);

    // A range across segment borders, with marker indices counted in the output.
    const out = new SampleBuffer();
    decodeStoredChunkInto(CHUNK_FORMAT_TAGGED, all, 12, ts[3]!, ts[10]!, out);
    const { timestampsMs: outTs, staleIndices: stale } = out.toArrays();
    assert.deepEqual(outTs, ts.slice(3, 11));
    assert.deepEqual(stale, [2, 7]);

    const columns = joinStoredChunks([
      { format: CHUNK_FORMAT_TAGGED, bytes: a, count: 4 },
      {
        format: CHUNK_FORMAT_TAGGED,
        bytes: encodeStoredChunk(ts.slice(4, 6), [8, 9], 2),
        count: 2,
      },
    ]);
    assert.equal(isColumnChunk(CHUNK_FORMAT_TAGGED, columns), true);
    assert.deepEqual(decodeStoredChunk(CHUNK_FORMAT_TAGGED, columns, 6).values, [1, 2, 3, 5, 8, 9]);
  });

  it('cuts any window out of regular, irregular and joined chunks, as written', () => {
    const step = 15_000;
    let c = 0;
    const counter = (n: number) => Array.from({ length: n }, (_, i) => (c += (i * 7919) % 97));
    type Written = { name: string; ts: number[]; values: number[]; exact: boolean };
    const chunks: Array<Written & { bytes: Uint8Array }> = [];
    const add = (w: Written) => {
      chunks.push({ ...w, bytes: encodeStoredChunk(w.ts, w.values, w.ts.length) });
    };
    // Over 256 samples: the decoder's scratch grows; then smaller chunks reuse it.
    for (const n of [1, 2, 3, 64, 65, 300, 130, 1440]) {
      add({ name: `regular ${n}`, ts: regular(n), values: counter(n), exact: n >= 2 });
    }
    const far = Array.from({ length: 70 }, (_, i) => 2 ** 51 - 70 * 7 + i * 7);
    add({ name: 'near 2^51', ts: far, values: counter(70), exact: true });
    const jitter = regular(100).map((t, i) => t + ((i * 7919) % 61) - 30);
    add({ name: 'jitter', ts: jitter, values: counter(100), exact: false });
    const parts: Written[] = [
      { name: 'a', ts: regular(50), values: counter(50), exact: true },
      {
        name: 'b',
        ts: regular(30).map((t) => t + 50 * step),
        values: counter(30).map((v) => v + 1e-12),
        exact: false,
      },
      { name: 'c', ts: regular(400).map((t) => t + 100 * step), values: counter(400), exact: true },
    ];
    const joined = joinStoredChunks(
      parts.map((p) => ({
        format: CHUNK_FORMAT_TAGGED,
        bytes: encodeStoredChunk(p.ts, p.values, p.ts.length),
        count: p.ts.length,
      })),
    );
    chunks.push({
      name: 'segments',
      bytes: joined,
      ts: parts.flatMap((p) => p.ts),
      values: parts.flatMap((p) => p.values),
      exact: false,
    });

    for (const { name, bytes, ts, values, exact } of chunks) {
      const count = ts.length;
      const first = ts[0] as number;
      const last = ts[count - 1] as number;
      const edges = [-Infinity, first - 1, first, first + 0.5, last - 1, last, last + 1, Infinity];
      const every = Math.max(7, Math.floor(count / 12));
      for (const t of ts.filter((_, i) => i % every === 3)) edges.push(t - 1, t - 0.5, t, t + 1);
      for (const startMs of edges) {
        for (const endMs of edges) {
          const out = new SampleBuffer();
          out.reserve(1);
          out.pushBits(1, 0, 7, false); // something before: the chunk is appended after it
          decodeStoredChunkInto(CHUNK_FORMAT_TAGGED, bytes, count, startMs, endMs, out);
          const got = out.toArrays();
          const keep = ts.flatMap((t, i) => (t >= startMs && t <= endMs ? [i] : []));
          const at = `${name} [${startMs}, ${endMs}]`;
          assert.deepEqual(
            got.timestampsMs.slice(1),
            keep.map((i) => ts[i]),
            at,
          );
          assert.deepEqual(
            got.values.slice(1),
            keep.map((i) => values[i]),
            at,
          );
          assert.equal(got.values[0], 3.5e-323); // the bits 0x7 pushed first
          const bound = storedChunkBound(CHUNK_FORMAT_TAGGED, bytes, count, startMs, endMs);
          if (exact) assert.equal(bound, keep.length, at);
          else assert.ok(bound >= keep.length, at);
        }
      }
    }
  });
});
