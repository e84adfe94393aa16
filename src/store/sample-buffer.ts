/**
 * Decoded samples of one series as typed columns, filled by the chunk and head decoders. Typed
 * arrays avoid the growth and garbage of pushing onto number[] (a read of 240 bucket series over
 * 12 h is ~700k samples), and values are written as their raw 64 bits through a Uint32Array
 * view, so NaN payloads (Prometheus's staleness marker) keep every bit in the buffer.
 */

// Index of the high and low 32-bit words of a float64 on this machine.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** Growable columns of samples; `length` of them are filled. */
export class SampleBuffer {
  timestampsMs: Float64Array;
  values: Float64Array;
  /** values' bytes as 32-bit words (low and high word of sample i at 2i + LO / 2i + HI). */
  valueWords: Uint32Array;
  /** 1 at i when sample i is a staleness marker; null until the first marker. */
  stale: Uint8Array | null = null;
  length = 0;

  /** `capacity` samples are allocated at once (0 allocates on first use). */
  constructor(capacity = 0) {
    this.timestampsMs = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.valueWords = new Uint32Array(this.values.buffer);
  }

  /** Empties the buffer, keeping its arrays for reuse. */
  clear(): void {
    this.length = 0;
    this.stale = null;
  }

  /** Makes room for `extra` more samples after `length`. */
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.timestampsMs.length) return;
    const capacity = Math.max(need, this.timestampsMs.length * 2, 16);
    const ts = new Float64Array(capacity);
    ts.set(this.timestampsMs.subarray(0, this.length));
    const values = new Float64Array(capacity);
    values.set(this.values.subarray(0, this.length));
    this.timestampsMs = ts;
    this.values = values;
    this.valueWords = new Uint32Array(values.buffer);
    if (this.stale !== null) {
      const stale = new Uint8Array(capacity);
      stale.set(this.stale.subarray(0, this.length));
      this.stale = stale;
    }
  }

  /** Appends a sample from its value's two 32-bit words (exact bits); room must be reserved. */
  pushBits(timestampMs: number, hi: number, lo: number, isStale: boolean): void {
    const i = this.length++;
    this.timestampsMs[i] = timestampMs;
    this.valueWords[2 * i + HI] = hi;
    this.valueWords[2 * i + LO] = lo;
    if (isStale) this.markStale(i);
  }

  /** Appends sample `i` of `from` (exact bits, marker flag kept); room must be reserved. */
  pushFrom(from: SampleBuffer, i: number): void {
    const k = this.length++;
    this.timestampsMs[k] = from.timestampsMs[i] as number;
    this.valueWords[2 * k] = from.valueWords[2 * i] as number;
    this.valueWords[2 * k + 1] = from.valueWords[2 * i + 1] as number;
    if (from.stale !== null && from.stale[i] === 1) this.markStale(k);
  }

  /** Flags sample `i` as a staleness marker. */
  markStale(i: number): void {
    if (this.stale === null) this.stale = new Uint8Array(this.timestampsMs.length);
    this.stale[i] = 1;
  }

  /** True when some filled sample is a staleness marker. */
  hasStale(): boolean {
    if (this.stale === null) return false;
    return this.stale.subarray(0, this.length).indexOf(1) >= 0;
  }

  /** The filled samples as plain arrays, with the indices of staleness markers. */
  toArrays(): { timestampsMs: number[]; values: number[]; staleIndices: number[] } {
    const n = this.length;
    const timestampsMs = new Array<number>(n);
    const values = new Array<number>(n);
    const staleIndices: number[] = [];
    // Element by element: Array.from is slower and would turn every NaN into the canonical one.
    for (let i = 0; i < n; i++) {
      timestampsMs[i] = this.timestampsMs[i] as number;
      values[i] = this.values[i] as number;
      if (this.stale !== null && this.stale[i] === 1) staleIndices.push(i);
    }
    return { timestampsMs, values, staleIndices };
  }
}
