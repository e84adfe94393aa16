/**
 * The open heads of all series, one numbered slot each, held as columns of typed arrays (no
 * object per series) with their bytes in shared pages (page-pool.ts). Each head is an open
 * Gorilla chunk in exactly the format ChunkEncoder writes (gorilla.ts; tested byte for byte),
 * so its bytes are stored as a chunk unchanged. The encoder's state lives in the columns: last
 * timestamp and delta, last value's bits, the current leading/trailing-zero window.
 *
 * A slot costs about 70 bytes of columns plus its bytes (rounded up to a 64-byte page, and a
 * 4-byte link per page), against about 1,000 bytes for the object-per-head layout it replaces.
 */
import { firstAtOrAfter } from '../core/sorted.js';
import { decodeChunk, decodeChunkInto } from './gorilla.js';
import { NO_PAGE, PAGE_BITS, PAGE_BYTES, PagePool } from './page-pool.js';
import { STALE_MARKER, isStaleMarker } from './rollup.js';
import type { SampleBuffer } from './sample-buffer.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Index of the high and low 32-bit words of a float64 in `u32` on this machine.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;
const TWO_32 = 4294967296;

/** Open heads by slot; slots are handed out by the caller (head-set.ts). */
export class OpenHeads {
  private readonly pool = new PagePool();
  /** Samples in the head of each slot (0: no open head). */
  count = new Int32Array(0);
  /** Smallest and largest timestamp held (ms); meaningful when count > 0. */
  minTs = new Float64Array(0);
  maxTs = new Float64Array(0);
  /** Oldest write-ahead log row whose samples the head may hold; see head.ts. */
  firstWalId = new Float64Array(0);
  // Encoder state per slot.
  private lastDelta = new Float64Array(0);
  private prevHi = new Int32Array(0);
  private prevLo = new Int32Array(0);
  /** Leading zeros of the current XOR window; -1 before the first window. */
  private leading = new Int8Array(0);
  private trailing = new Int8Array(0);
  private bitLength = new Int32Array(0);
  private firstPage = new Int32Array(0);
  private lastPage = new Int32Array(0);
  private scratch = new Uint8Array(1024);

  /** Slots the columns hold. */
  get capacity(): number {
    return this.count.length;
  }

  /** Grows every column to at least `slots` slots (new slots are empty). */
  reserve(slots: number): void {
    if (slots <= this.count.length) return;
    const size = Math.max(64, slots, Math.ceil(this.count.length * 1.5));
    const grow = <T extends Int32Array | Float64Array | Int8Array>(a: T, fill = 0): T => {
      const grown = new (a.constructor as new (n: number) => T)(size);
      grown.set(a);
      if (fill !== 0) grown.fill(fill, a.length);
      return grown;
    };
    this.count = grow(this.count);
    this.minTs = grow(this.minTs);
    this.maxTs = grow(this.maxTs);
    this.firstWalId = grow(this.firstWalId);
    this.lastDelta = grow(this.lastDelta);
    this.prevHi = grow(this.prevHi);
    this.prevLo = grow(this.prevLo);
    this.leading = grow(this.leading, -1);
    this.trailing = grow(this.trailing);
    this.bitLength = grow(this.bitLength);
    this.firstPage = grow(this.firstPage, NO_PAGE);
    this.lastPage = grow(this.lastPage, NO_PAGE);
  }

  /** Encoded size of a head in bytes. */
  byteLength(slot: number): number {
    return ((this.bitLength[slot] as number) + 7) >>> 3;
  }

  /** The head's chunk bytes (a copy). */
  toBytes(slot: number): Uint8Array {
    const bytes = new Uint8Array(this.byteLength(slot));
    this.pool.copyChain(this.firstPage[slot] as number, bytes.length, bytes);
    return bytes;
  }

  /** Bytes held in pages by all heads, and reserved in total. */
  pageBytes(): { inUse: number; reserved: number } {
    return { inUse: this.pool.pagesInUse * PAGE_BYTES, reserved: this.pool.reservedBytes() };
  }

  /** Empties the head of `slot` (its pages go back to the pool). */
  clear(slot: number): void {
    this.pool.freeChain(this.firstPage[slot] as number);
    this.count[slot] = 0;
    this.lastDelta[slot] = 0;
    this.leading[slot] = -1;
    this.trailing[slot] = 0;
    this.bitLength[slot] = 0;
    this.firstPage[slot] = NO_PAGE;
    this.lastPage[slot] = NO_PAGE;
  }

  /**
   * Adds a sample. A timestamp after maxTs is appended in O(1); an equal or earlier one
   * replaces or is inserted by re-encoding the head (O(count)).
   */
  add(slot: number, timestampMs: number, value: number): void {
    const n = this.count[slot] as number;
    if (n === 0 || timestampMs > (this.maxTs[slot] as number))
      this.append(slot, timestampMs, value);
    else this.insert(slot, timestampMs, value);
  }

  /** Appends the head's samples in [startMs, endMs] to `out` (see gorilla.ts decodeChunkInto). */
  readInto(slot: number, startMs: number, endMs: number, out: SampleBuffer): void {
    const n = this.count[slot] as number;
    if (n === 0 || (this.maxTs[slot] as number) < startMs || (this.minTs[slot] as number) > endMs)
      return;
    const bytes = this.bytesInScratch(slot);
    decodeChunkInto(bytes, n, startMs, endMs, out);
  }

  private bytesInScratch(slot: number): Uint8Array {
    const length = this.byteLength(slot);
    if (this.scratch.length < length) this.scratch = new Uint8Array(length * 2);
    this.pool.copyChain(this.firstPage[slot] as number, length, this.scratch);
    return this.scratch.subarray(0, length);
  }

  /** Appends a sample whose timestamp is after maxTs (or to an empty head). */
  private append(slot: number, ts: number, value: number): void {
    const n = this.count[slot] as number;
    f64[0] = value;
    const hi = u32[HI] as number;
    const lo = u32[LO] as number;
    if (n === 0) {
      this.writeAbsolute(slot, ts);
      this.minTs[slot] = ts;
      this.writeBits(slot, hi, 32);
      this.writeBits(slot, lo, 32);
    } else if (this.regularInterval(slot, ts)) {
      // The usual case: its single 0 bit is written together with the value's first bits.
      this.appendXor(slot, hi, lo, 1);
    } else {
      this.appendTimestamp(slot, ts);
      this.appendXor(slot, hi, lo, 0);
    }
    this.prevHi[slot] = hi;
    this.prevLo[slot] = lo;
    this.maxTs[slot] = ts;
    this.count[slot] = n + 1;
  }

  /** True when `ts` is written as a delta of delta of 0 (see appendTimestamp). */
  private regularInterval(slot: number, ts: number): boolean {
    const lastTs = this.maxTs[slot] as number;
    const delta = ts - lastTs;
    return delta === (this.lastDelta[slot] as number) && lastTs + delta === ts;
  }

  /** Timestamp as in ChunkEncoder: delta-of-delta buckets, or absolute when out of range. */
  private appendTimestamp(slot: number, ts: number): void {
    const lastTs = this.maxTs[slot] as number;
    const lastDelta = this.lastDelta[slot] as number;
    const delta = ts - lastTs;
    const dod = delta - lastDelta;
    // The decoder rebuilds ts as lastTs + (lastDelta + dod); beyond 2^53 that can round.
    const exact = lastTs + (lastDelta + dod) === ts;
    if (exact && dod === 0) {
      this.writeBits(slot, 0, 1);
    } else if (exact && dod >= -8192 && dod <= 8191) {
      this.writeBits(slot, 0b10, 2);
      this.writeBits(slot, dod & 0x3fff, 14);
    } else if (exact && dod >= -65536 && dod <= 65535) {
      this.writeBits(slot, 0b110, 3);
      this.writeBits(slot, dod & 0x1ffff, 17);
    } else if (exact && dod >= -524288 && dod <= 524287) {
      this.writeBits(slot, 0b1110, 4);
      this.writeBits(slot, dod & 0xfffff, 20);
    } else {
      this.writeBits(slot, 0b1111, 4);
      this.writeAbsolute(slot, ts);
    }
    this.lastDelta[slot] = delta;
  }

  /** Sign bit and 53-bit magnitude. */
  private writeAbsolute(slot: number, ts: number): void {
    const magnitude = Math.abs(ts);
    this.writeBits(slot, ts < 0 ? 1 : 0, 1);
    this.writeBits(slot, Math.floor(magnitude / TWO_32) & 0x1fffff, 21);
    this.writeBits(slot, magnitude % TWO_32, 32);
  }

  /**
   * The value's XOR with the previous one, as XorEncoder writes it, after `zeros` (0 or 1) zero
   * bits (a regular timestamp's). Control bits and short values go in one writeBits call.
   */
  private appendXor(slot: number, hi: number, lo: number, zeros: number): void {
    const xorHi = (hi ^ (this.prevHi[slot] as number)) >>> 0;
    const xorLo = (lo ^ (this.prevLo[slot] as number)) >>> 0;
    if (xorHi === 0 && xorLo === 0) {
      this.writeBits(slot, 0, 1 + zeros);
      return;
    }
    let leading = xorHi !== 0 ? Math.clz32(xorHi) : 32 + Math.clz32(xorLo);
    const trailing = xorLo !== 0 ? ctz32(xorLo) : 32 + ctz32(xorHi);
    if (leading > 31) leading = 31;
    const windowLeading = this.leading[slot] as number;
    const windowTrailing = this.trailing[slot] as number;
    if (windowLeading >= 0 && leading >= windowLeading && trailing >= windowTrailing) {
      const significant = 64 - windowLeading - windowTrailing;
      const control = 2 + zeros;
      if (control + significant <= 32) {
        // "10", then the significant bits (at most 30, so they sit in the low word).
        const bits = shiftedLow(xorHi, xorLo, windowTrailing) & ((1 << significant) - 1);
        this.writeBits(slot, ((0b10 << significant) | bits) >>> 0, control + significant);
        return;
      }
      this.writeBits(slot, 0b10, control);
      this.writeShifted(slot, xorHi, xorLo, windowTrailing, significant);
      return;
    }
    const significant = 64 - leading - trailing;
    // "11", 5 bits of leading zeros, 6 bits of significant bits (64 written as 0).
    const header = (0b11 << 11) | (leading << 6) | (significant & 63);
    const control = 13 + zeros;
    if (control + significant <= 32) {
      const bits = shiftedLow(xorHi, xorLo, trailing) & ((1 << significant) - 1);
      this.writeBits(slot, ((header << significant) | bits) >>> 0, control + significant);
    } else {
      this.writeBits(slot, header, control);
      this.writeShifted(slot, xorHi, xorLo, trailing, significant);
    }
    this.leading[slot] = leading;
    this.trailing[slot] = trailing;
  }

  /** Writes `count` (1..64) bits of (hi:lo >>> shift). */
  private writeShifted(slot: number, hi: number, lo: number, shift: number, count: number): void {
    let h = hi;
    let l = lo;
    if (shift >= 32) {
      l = hi >>> (shift - 32);
      h = 0;
    } else if (shift > 0) {
      l = ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
      h = hi >>> shift;
    }
    if (count > 32) {
      const highBits = count - 32;
      this.writeBits(slot, h & (2 ** highBits - 1), highBits);
      this.writeBits(slot, l, 32);
    } else {
      this.writeBits(slot, count === 32 ? l : l & ((1 << count) - 1), count);
    }
  }

  /** Appends the low `count` bits (1..32) of `value`, already masked, to the head's pages. */
  private writeBits(slot: number, value: number, count: number): void {
    const pos = this.bitLength[slot] as number;
    const inPage = pos & (PAGE_BITS - 1);
    let page = this.lastPage[slot] as number;
    if (inPage === 0) page = this.newPage(slot, page);
    const room = PAGE_BITS - inPage;
    if (count <= room) {
      if (value !== 0) this.pool.orBits(page, inPage, value, count);
    } else {
      const rest = count - room;
      if (value !== 0) this.pool.orBits(page, inPage, value >>> rest, room);
      page = this.newPage(slot, page);
      if (value !== 0) this.pool.orBits(page, 0, value & ((1 << rest) - 1), rest);
    }
    this.bitLength[slot] = pos + count;
  }

  private newPage(slot: number, previous: number): number {
    const page = this.pool.alloc(previous);
    if (previous === NO_PAGE) this.firstPage[slot] = page;
    this.lastPage[slot] = page;
    return page;
  }

  /** Replaces or inserts a sample at or before maxTs by re-encoding the head. */
  private insert(slot: number, timestampMs: number, value: number): void {
    const n = this.count[slot] as number;
    const { timestampsMs, values, stale } = mergeSample(
      this.bytesInScratch(slot),
      n,
      timestampMs,
      value,
    );
    this.clear(slot);
    for (let i = 0; i < timestampsMs.length; i++) {
      const v = stale[i] === true ? STALE_MARKER : (values[i] as number);
      this.append(slot, timestampsMs[i] as number, v);
    }
  }
}

/**
 * The samples of a chunk with one sample replaced (same timestamp) or inserted in order.
 * Staleness markers travel as flags: a NaN payload may not survive a plain array.
 */
export function mergeSample(
  bytes: Uint8Array,
  count: number,
  timestampMs: number,
  value: number,
): { timestampsMs: number[]; values: number[]; stale: boolean[] } {
  const { timestampsMs, values, staleIndices } = decodeChunk(bytes, count);
  const stale = timestampsMs.map(() => false);
  for (const i of staleIndices) stale[i] = true;
  const lo = firstAtOrAfter(timestampsMs, timestampMs);
  const valueIsStale = isStaleMarker(value);
  if (timestampsMs[lo] === timestampMs) {
    values[lo] = value;
    stale[lo] = valueIsStale;
  } else {
    timestampsMs.splice(lo, 0, timestampMs);
    values.splice(lo, 0, value);
    stale.splice(lo, 0, valueIsStale);
  }
  return { timestampsMs, values, stale };
}

/** The low 32 bits of (hi:lo >>> shift), shift 0..63. */
function shiftedLow(hi: number, lo: number, shift: number): number {
  if (shift >= 32) return hi >>> (shift - 32);
  if (shift === 0) return lo;
  return ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}
