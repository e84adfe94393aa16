/**
 * The in-memory head of one series: the samples not yet cut into a stored chunk, kept
 * compressed (an open Gorilla chunk, about 1.5 to 2 bytes per regular sample) so an active
 * series costs a few hundred bytes.
 */
import { ChunkEncoder, decodeChunk, decodeChunkInto } from './gorilla.js';
import { STALE_MARKER, isStaleMarker } from './rollup.js';

/** One series' open chunk plus what the write-ahead log checkpoint needs to know. */
export class SeriesHead {
  private encoder = new ChunkEncoder(32);
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

  /** Samples held. */
  get count(): number {
    return this.encoder.count;
  }

  /** Encoded size in bytes. */
  byteLength(): number {
    return this.encoder.writer.byteLength();
  }

  /** The chunk bytes (a copy). */
  toBytes(): Uint8Array {
    return this.encoder.writer.toBytes();
  }

  /**
   * Adds a sample. A timestamp after maxTs is appended in O(1); an equal or earlier one
   * replaces or is inserted by re-encoding the head (O(count)).
   */
  add(timestampMs: number, value: number): void {
    const enc = this.encoder;
    if (enc.count === 0 || timestampMs > this.maxTs) {
      if (enc.count === 0) this.minTs = timestampMs;
      enc.append(timestampMs, value);
      this.maxTs = timestampMs;
      return;
    }
    const { timestampsMs, values, staleIndices } = decodeChunk(enc.writer.toBytes(), enc.count);
    // Markers travel as flags: a NaN payload may not survive a plain array (see staleness).
    const stale = timestampsMs.map(() => false);
    for (const i of staleIndices) stale[i] = true;
    let lo = 0;
    let hi = timestampsMs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((timestampsMs[mid] as number) < timestampMs) lo = mid + 1;
      else hi = mid;
    }
    const valueIsStale = isStaleMarker(value);
    if (timestampsMs[lo] === timestampMs) {
      values[lo] = value;
      stale[lo] = valueIsStale;
    } else {
      timestampsMs.splice(lo, 0, timestampMs);
      values.splice(lo, 0, value);
      stale.splice(lo, 0, valueIsStale);
    }
    const fresh = new ChunkEncoder(enc.writer.bytes.length);
    for (let i = 0; i < timestampsMs.length; i++) {
      fresh.append(
        timestampsMs[i] as number,
        stale[i] === true ? STALE_MARKER : (values[i] as number),
      );
    }
    this.encoder = fresh;
    this.minTs = timestampsMs[0] as number;
  }

  /**
   * Pushes the samples in [startMs, endMs] onto the output arrays, and the output indices of
   * staleness markers onto `outStale` (see decodeChunkInto).
   */
  readInto(
    startMs: number,
    endMs: number,
    outTs: number[],
    outValues: number[],
    outStale?: number[],
  ): void {
    if (this.encoder.count === 0 || this.maxTs < startMs || this.minTs > endMs) return;
    decodeChunkInto(
      this.encoder.writer.bytes,
      this.encoder.count,
      startMs,
      endMs,
      outTs,
      outValues,
      outStale,
    );
  }
}
