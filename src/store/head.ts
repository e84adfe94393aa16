/**
 * One series' head as a standalone object: a head cut from the open heads (open-heads.ts) and
 * waiting to be written as a chunk, a copy of an open head handed to a reader, or a head built
 * sample by sample (converting version-1 stores). Its bytes are an open Gorilla chunk
 * (gorilla.ts).
 */
import { ChunkEncoder, decodeChunkInto } from './gorilla.js';
import { mergeSample } from './open-heads.js';
import { STALE_MARKER } from './rollup.js';
import type { SampleBuffer } from './sample-buffer.js';

/** One series' chunk bytes plus what the write-ahead log checkpoint needs to know. */
export class SeriesHead {
  /** Appends while built sample by sample; null once the bytes are fixed (fromChunk). */
  private encoder: ChunkEncoder | null = new ChunkEncoder(32);
  private bytes: Uint8Array | null = null;
  private fixedCount = 0;
  /** Smallest and largest timestamp held (ms); meaningful when count > 0. */
  minTs = 0;
  maxTs = 0;
  /**
   * Id of the oldest write-ahead log row whose samples this head may hold: rows before it are
   * not needed to rebuild the head after a crash.
   */
  firstWalId: number;
  /** Set when the head is frozen: the last WAL row whose samples of this series it holds. */
  cutWalId = 0;

  constructor(firstWalId: number) {
    this.firstWalId = firstWalId;
  }

  /** A head holding the `count` samples encoded in `bytes` (kept, not copied). */
  static fromChunk(
    bytes: Uint8Array,
    count: number,
    minTs: number,
    maxTs: number,
    firstWalId: number,
  ): SeriesHead {
    const head = new SeriesHead(firstWalId);
    head.encoder = null;
    head.bytes = bytes;
    head.fixedCount = count;
    head.minTs = minTs;
    head.maxTs = maxTs;
    return head;
  }

  /** Samples held. */
  get count(): number {
    return this.encoder === null ? this.fixedCount : this.encoder.count;
  }

  /** Encoded size in bytes. */
  byteLength(): number {
    return this.encoder === null
      ? (this.bytes as Uint8Array).length
      : this.encoder.writer.byteLength();
  }

  /** The chunk bytes (a copy). */
  toBytes(): Uint8Array {
    return this.encoder === null
      ? (this.bytes as Uint8Array).slice()
      : this.encoder.writer.toBytes();
  }

  /**
   * Adds a sample. A timestamp after maxTs is appended in O(1) (after re-encoding once if the
   * head came from fromChunk); an equal or earlier one replaces or is inserted by re-encoding
   * the head (O(count)).
   */
  add(timestampMs: number, value: number): void {
    const count = this.count;
    if (this.encoder !== null && (count === 0 || timestampMs > this.maxTs)) {
      if (count === 0) this.minTs = timestampMs;
      this.encoder.append(timestampMs, value);
      this.maxTs = timestampMs;
      return;
    }
    const merged =
      count === 0
        ? { timestampsMs: [timestampMs], values: [value], stale: [false] }
        : mergeSample(this.currentBytes(), count, timestampMs, value);
    const { timestampsMs, values, stale } = merged;
    const fresh = new ChunkEncoder(Math.max(32, this.byteLength()));
    for (let i = 0; i < timestampsMs.length; i++) {
      fresh.append(
        timestampsMs[i] as number,
        stale[i] === true ? STALE_MARKER : (values[i] as number),
      );
    }
    this.encoder = fresh;
    this.bytes = null;
    this.minTs = timestampsMs[0] as number;
    this.maxTs = timestampsMs[timestampsMs.length - 1] as number;
  }

  /** Appends the samples in [startMs, endMs] to `out` (see gorilla.ts decodeChunkInto). */
  readInto(startMs: number, endMs: number, out: SampleBuffer): void {
    const count = this.count;
    if (count === 0 || this.maxTs < startMs || this.minTs > endMs) return;
    decodeChunkInto(this.currentBytes(), count, startMs, endMs, out);
  }

  /** The bytes without copying (the encoder's buffer may be longer than the chunk). */
  private currentBytes(): Uint8Array {
    return this.encoder === null ? (this.bytes as Uint8Array) : this.encoder.writer.bytes;
  }
}
