/**
 * Bit-level writer and reader over byte arrays, most significant bit first. The Gorilla codec
 * (gorilla.ts) packs timestamps and values with them.
 */

/** Appends bits to a growable byte array. */
export class BitWriter {
  /** The bytes written so far are `bytes.subarray(0, byteLength())`. */
  bytes: Uint8Array;
  /** Bits written so far. */
  bitLength = 0;

  /** `initialBytes` (default 16) is the first capacity; it doubles as needed. */
  constructor(initialBytes = 16) {
    this.bytes = new Uint8Array(Math.max(1, initialBytes));
  }

  /** Bytes holding the bits written (the last one zero-padded). */
  byteLength(): number {
    return (this.bitLength + 7) >>> 3;
  }

  /** A copy of the written bytes, trimmed to byteLength(). */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.byteLength());
  }

  /** Writes one bit (0 or 1). */
  writeBit(bit: number): void {
    this.ensure(1);
    if (bit !== 0) this.setBits(1, 1);
    this.bitLength += 1;
  }

  /** Writes the low `count` bits of `value` (count 0..32), most significant first. */
  writeBits(value: number, count: number): void {
    if (count === 0) return;
    this.ensure(count);
    const masked = count === 32 ? value >>> 0 : (value & ((1 << count) - 1)) >>> 0;
    if (masked !== 0) this.setBits(masked, count);
    this.bitLength += count;
  }

  /** Writes the low `count` bits (0..64) of the 64-bit number `hi:lo`. */
  writeBits64(hi: number, lo: number, count: number): void {
    if (count > 32) {
      this.writeBits(hi, count - 32);
      this.writeBits(lo, 32);
    } else {
      this.writeBits(lo, count);
    }
  }

  /** ORs `value` (count bits, already masked) in at the current position. */
  private setBits(value: number, count: number): void {
    let pos = this.bitLength;
    let left = count;
    while (left > 0) {
      const byteIndex = pos >>> 3;
      const free = 8 - (pos & 7);
      const take = free < left ? free : left;
      const chunk = (value >>> (left - take)) & ((1 << take) - 1);
      this.bytes[byteIndex] = (this.bytes[byteIndex] as number) | (chunk << (free - take));
      left -= take;
      pos += take;
    }
  }

  private ensure(extraBits: number): void {
    const needBytes = (this.bitLength + extraBits + 7) >>> 3;
    if (needBytes <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < needBytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes);
    this.bytes = grown;
  }
}

/** Reads bits written by BitWriter. Reading past the end yields zero bits. */
export class BitReader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Bits consumed so far. */
  position(): number {
    return this.pos;
  }

  /** Reads one bit. */
  readBit(): number {
    const byte = this.bytes[this.pos >>> 3] ?? 0;
    const bit = (byte >>> (7 - (this.pos & 7))) & 1;
    this.pos += 1;
    return bit;
  }

  /** Reads `count` bits (0..32) as an unsigned number. */
  readBits(count: number): number {
    let result = 0;
    let left = count;
    while (left > 0) {
      const byte = this.bytes[this.pos >>> 3] ?? 0;
      const avail = 8 - (this.pos & 7);
      const take = avail < left ? avail : left;
      const chunk = (byte >>> (avail - take)) & ((1 << take) - 1);
      result = result * (1 << take) + chunk;
      left -= take;
      this.pos += take;
    }
    return result;
  }
}
