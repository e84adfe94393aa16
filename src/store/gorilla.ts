/**
 * Gorilla-style chunk codec (Pelkonen et al., VLDB 2015; the layout Prometheus's XOR chunks use):
 * timestamps as delta-of-delta in variable-width buckets, values as the XOR with the previous
 * value, storing only the meaningful bits. Bits are kept exactly, so every NaN bit pattern
 * (Prometheus's staleness marker 0x7ff0000000000002 included), ±Infinity and -0 round-trip.
 *
 * Layout of one chunk (the sample count is kept beside it, not inside):
 * - first timestamp: sign bit + 53-bit magnitude; first value: 64 raw bits;
 * - then per sample: timestamp, value.
 *   Timestamp delta-of-delta `d` (delta minus the previous delta, the first delta counted from
 *   0): `0` for d = 0; `10` + 14 bits, `110` + 17 bits, `1110` + 20 bits (two's complement);
 *   else `1111` + the absolute timestamp (sign + 53 bits), which keeps any safe integer exact.
 *   Value: `0` when equal to the previous; else `1` then `0` + the bits inside the previous
 *   leading/trailing-zero window, or `1` + 5 bits leading zeros + 6 bits length (0 means 64) +
 *   the meaningful bits.
 */
import { BitReader, BitWriter } from './bits.js';
import { SampleBuffer } from './sample-buffer.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Index of the high and low 32-bit words of a float64 in `u32` on this machine.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;
const TWO_32 = 4294967296;
// Width of the delta-of-delta after a prefix of 1, 2 or 3 one bits.
const DOD_BITS = [0, 14, 17, 20];

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function writeAbsolute(w: BitWriter, ts: number): void {
  const magnitude = Math.abs(ts);
  w.writeBit(ts < 0 ? 1 : 0);
  w.writeBits(Math.floor(magnitude / TWO_32), 21);
  w.writeBits(magnitude % TWO_32, 32);
}

function readAbsolute(r: BitReader): number {
  const negative = r.readBit() === 1;
  const magnitude = r.readBits(21) * TWO_32 + r.readBits(32);
  return negative ? -magnitude : magnitude;
}

/** Appends samples to one chunk. Timestamps must strictly increase (the caller ensures it). */
export class ChunkEncoder {
  /** The encoded bits; a chunk's bytes are `writer.toBytes()`. */
  readonly writer: BitWriter;
  /** Samples appended. */
  count = 0;
  /** First and last timestamp appended (ms); meaningful once count > 0. */
  firstTs = 0;
  lastTs = 0;
  private lastDelta = 0;
  private readonly xor: XorEncoder;

  /** `initialBytes` sizes the first buffer (it grows by doubling). */
  constructor(initialBytes = 16) {
    this.writer = new BitWriter(initialBytes);
    this.xor = new XorEncoder(this.writer);
  }

  /** Appends one sample; `timestampMs` must be greater than lastTs (not checked). */
  append(timestampMs: number, value: number): void {
    const w = this.writer;
    if (this.count === 0) {
      writeAbsolute(w, timestampMs);
      this.firstTs = timestampMs;
    } else {
      this.appendTimestamp(w, timestampMs);
    }
    this.xor.append(value);
    this.lastTs = timestampMs;
    this.count += 1;
  }

  private appendTimestamp(w: BitWriter, ts: number): void {
    const delta = ts - this.lastTs;
    const dod = delta - this.lastDelta;
    // The decoder rebuilds ts as lastTs + (lastDelta + dod); beyond 2^53 that can round.
    const exact = this.lastTs + (this.lastDelta + dod) === ts;
    if (exact && dod === 0) {
      w.writeBit(0);
    } else if (exact && dod >= -8192 && dod <= 8191) {
      w.writeBits(0b10, 2);
      w.writeBits(dod, 14);
    } else if (exact && dod >= -65536 && dod <= 65535) {
      w.writeBits(0b110, 3);
      w.writeBits(dod, 17);
    } else if (exact && dod >= -524288 && dod <= 524287) {
      w.writeBits(0b1110, 4);
      w.writeBits(dod, 20);
    } else {
      w.writeBits(0b1111, 4);
      writeAbsolute(w, ts);
    }
    this.lastDelta = delta;
  }
}

/**
 * Encodes a stream of float values as XORs with the previous value (the value half of a chunk),
 * writing into `writer`. Used alone for the columns of rollup blocks.
 */
export class XorEncoder {
  /** Values appended. */
  count = 0;
  private prevHi = 0;
  private prevLo = 0;
  private leading = -1;
  private trailing = 0;

  constructor(readonly writer: BitWriter) {}

  /** Appends one value (its exact bits). */
  append(value: number): void {
    f64[0] = value;
    const hi = u32[HI] as number;
    const lo = u32[LO] as number;
    if (this.count === 0) {
      this.writer.writeBits(hi, 32);
      this.writer.writeBits(lo, 32);
    } else {
      this.appendXor(this.writer, hi, lo);
    }
    this.prevHi = hi;
    this.prevLo = lo;
    this.count += 1;
  }

  /**
   * Appends `value` as its XOR with `predicted` (instead of the previous value), for columns
   * that another column predicts well; read back with XorDecoder.nextPredicted.
   */
  appendPredicted(value: number, predicted: number): void {
    f64[0] = predicted;
    this.prevHi = u32[HI] as number;
    this.prevLo = u32[LO] as number;
    f64[0] = value;
    const hi = u32[HI] as number;
    const lo = u32[LO] as number;
    this.appendXor(this.writer, hi, lo);
    this.prevHi = hi;
    this.prevLo = lo;
    this.count += 1;
  }

  private appendXor(w: BitWriter, hi: number, lo: number): void {
    const xorHi = (hi ^ this.prevHi) >>> 0;
    const xorLo = (lo ^ this.prevLo) >>> 0;
    if (xorHi === 0 && xorLo === 0) {
      w.writeBit(0);
      return;
    }
    let leading = xorHi !== 0 ? Math.clz32(xorHi) : 32 + Math.clz32(xorLo);
    const trailing = xorLo !== 0 ? ctz32(xorLo) : 32 + ctz32(xorHi);
    if (leading > 31) leading = 31;
    if (this.leading >= 0 && leading >= this.leading && trailing >= this.trailing) {
      w.writeBits(0b10, 2);
      writeShifted(w, xorHi, xorLo, this.trailing, 64 - this.leading - this.trailing);
      return;
    }
    const significant = 64 - leading - trailing;
    w.writeBits(0b11, 2);
    w.writeBits(leading, 5);
    w.writeBits(significant & 63, 6);
    writeShifted(w, xorHi, xorLo, trailing, significant);
    this.leading = leading;
    this.trailing = trailing;
  }
}

/** Writes `count` bits of (hi:lo >>> shift). */
function writeShifted(w: BitWriter, hi: number, lo: number, shift: number, count: number): void {
  let h = hi;
  let l = lo;
  if (shift >= 32) {
    l = hi >>> (shift - 32);
    h = 0;
  } else if (shift > 0) {
    l = ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
    h = hi >>> shift;
  }
  w.writeBits64(h, l, count);
}

/** Encodes samples (timestamps strictly increasing) into one chunk's bytes. */
export function encodeChunk(
  timestampsMs: ArrayLike<number>,
  values: ArrayLike<number>,
): Uint8Array {
  const encoder = new ChunkEncoder(Math.max(16, timestampsMs.length * 2));
  for (let i = 0; i < timestampsMs.length; i++) {
    encoder.append(timestampsMs[i] as number, values[i] as number);
  }
  return encoder.writer.toBytes();
}

/**
 * Decodes the `count` samples of a chunk, appending those with timestamps in [startMs, endMs]
 * to `out` with their values' exact bits, and flagging staleness markers (recognised from the
 * decoded bits) in `out.stale`. Stops early once past endMs. Corrupt bytes decode to garbage
 * samples, never to an exception or an endless loop (reads past the end yield zeros).
 */
export function decodeChunkInto(
  bytes: Uint8Array,
  count: number,
  startMs: number,
  endMs: number,
  out: SampleBuffer,
): void {
  if (count <= 0) return;
  out.reserve(count);
  const r = new BitReader(bytes);
  let ts = readAbsolute(r);
  const xor = new XorDecoder(r);
  let delta = 0;
  for (let i = 0; ;) {
    xor.advance();
    if (ts > endMs) return;
    if (ts >= startMs) out.pushBits(ts, xor.hi, xor.lo, xor.isStale());
    if (++i >= count) return;

    // Count the prefix's one bits (at most 4): 0 -> same delta, 1..3 -> dod width, 4 -> absolute.
    let ones = 0;
    while (ones < 4 && r.readBit() === 1) ones++;
    if (ones < 4) {
      if (ones > 0)
        delta += signExtend(r.readBits(DOD_BITS[ones] as number), DOD_BITS[ones] as number);
      ts += delta;
    } else {
      const next = readAbsolute(r);
      delta = next - ts;
      ts = next;
    }
  }
}

/** Reads a value stream written by XorEncoder, one value per next() call. */
export class XorDecoder {
  /** High and low 32 bits of the value last decoded. */
  hi = 0;
  lo = 0;
  private leading = 0;
  private trailing = 0;
  private started = false;

  constructor(private readonly r: BitReader) {}

  /** True when the value last returned is Prometheus's staleness marker (quiet bit ignored). */
  isStale(): boolean {
    return this.lo === 2 && (this.hi & 0xfff7ffff) === 0x7ff00000;
  }

  /** The next value written by XorEncoder.appendPredicted with the same `predicted`. */
  nextPredicted(predicted: number): number {
    f64[0] = predicted;
    this.hi = u32[HI] as number;
    this.lo = u32[LO] as number;
    this.started = true;
    return this.next();
  }

  /** The next value (exact bits). */
  next(): number {
    this.advance();
    u32[HI] = this.hi;
    u32[LO] = this.lo;
    return f64[0] as number;
  }

  /** Decodes the next value into `hi` and `lo` only. */
  advance(): void {
    const r = this.r;
    if (!this.started) {
      this.started = true;
      this.hi = r.readBits(32);
      this.lo = r.readBits(32);
    } else if (r.readBit() === 1) {
      if (r.readBit() === 1) {
        this.leading = r.readBits(5);
        const significant = r.readBits(6) || 64;
        this.trailing = 64 - this.leading - significant;
      }
      const trailing = this.trailing;
      const significant = 64 - this.leading - trailing;
      let xh = 0;
      let xl: number;
      if (significant > 32) {
        xh = r.readBits(significant - 32);
        xl = r.readBits(32);
      } else {
        xl = r.readBits(significant);
      }
      if (trailing >= 32) {
        xh = (xl << (trailing - 32)) >>> 0;
        xl = 0;
      } else if (trailing > 0) {
        xh = ((xh << trailing) | (xl >>> (32 - trailing))) >>> 0;
        xl = (xl << trailing) >>> 0;
      }
      this.hi = (this.hi ^ xh) >>> 0;
      this.lo = (this.lo ^ xl) >>> 0;
    }
  }
}

/** Decodes every sample of a chunk; `staleIndices` lists the staleness markers, ascending. */
export function decodeChunk(
  bytes: Uint8Array,
  count: number,
): { timestampsMs: number[]; values: number[]; staleIndices: number[] } {
  const out = new SampleBuffer(count);
  decodeChunkInto(bytes, count, -Infinity, Infinity, out);
  return out.toArrays();
}

function signExtend(value: number, bits: number): number {
  return value >= 2 ** (bits - 1) ? value - 2 ** bits : value;
}
