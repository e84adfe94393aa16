/**
 * The binary form of one appended batch in the store's write-ahead log (the `wal` table): one
 * row per append() call instead of one row per sample.
 *
 * Layout: version byte (1), varint sample count, then per sample: zigzag varint of the series id
 * minus the previous sample's, the timestamp as varint(zigzag(delta from the previous sample's
 * timestamp) + 1) or, when the delta is beyond ±2^51, a 0 byte, a sign byte and the absolute
 * magnitude as varint; then the value as 8 bytes little-endian (every NaN bit pattern kept).
 */
import { LlmwatchError } from '../core/errors.js';

const VERSION = 1;
const SMALL = 2 ** 51;

/**
 * One decoded batch: parallel arrays of series id, timestamp (ms) and value. Typed arrays, so
 * that every NaN bit pattern (the staleness marker's payload) is kept exactly.
 */
export interface WalBatch {
  seriesIds: Float64Array;
  timestampsMs: Float64Array;
  values: Float64Array;
}

/** Encodes `count` samples of the parallel arrays into a WAL row blob. */
export function encodeWalBatch(
  seriesIds: ArrayLike<number>,
  timestampsMs: ArrayLike<number>,
  values: ArrayLike<number>,
  count: number,
): Buffer {
  const buf = Buffer.allocUnsafe(16 + count * 28);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  buf[pos++] = VERSION;
  pos = writeVarint(buf, pos, count);
  let prevId = 0;
  let prevTs = 0;
  for (let i = 0; i < count; i++) {
    const id = seriesIds[i] as number;
    const ts = timestampsMs[i] as number;
    pos = writeVarint(buf, pos, zigzag(id - prevId));
    const delta = ts - prevTs;
    if (delta > -SMALL && delta < SMALL) {
      pos = writeVarint(buf, pos, zigzag(delta) + 1);
    } else {
      buf[pos++] = 0;
      buf[pos++] = ts < 0 ? 1 : 0;
      pos = writeVarint(buf, pos, Math.abs(ts));
    }
    view.setFloat64(pos, values[i] as number, true);
    pos += 8;
    prevId = id;
    prevTs = ts;
  }
  return buf.subarray(0, pos);
}

/**
 * Decodes a WAL row blob. Throws LlmwatchError `store_wal_corrupt` (naming `rowId`) on an
 * unknown version or a truncated blob.
 */
export function decodeWalBatch(blob: Uint8Array, rowId: number): WalBatch {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const fail = (): never => {
    throw new LlmwatchError(
      'store_wal_corrupt',
      `store: write-ahead log row ${rowId} is corrupt (${buf.length} bytes); restore the database from a backup or delete the row`,
    );
  };
  if (buf[0] !== VERSION) fail();
  const cursor = { pos: 1 };
  const count = readVarint(buf, cursor);
  // Every sample takes at least 10 bytes: a count beyond that is corrupt (and not allocated).
  if (Number.isNaN(count) || count > buf.length / 10) fail();
  const batch: WalBatch = {
    seriesIds: new Float64Array(count),
    timestampsMs: new Float64Array(count),
    values: new Float64Array(count),
  };
  let id = 0;
  let ts = 0;
  for (let i = 0; i < count; i++) {
    id += unzigzag(readVarint(buf, cursor));
    const tsField = readVarint(buf, cursor);
    if (tsField === 0) {
      const negative = buf[cursor.pos++] === 1;
      const magnitude = readVarint(buf, cursor);
      ts = negative ? -magnitude : magnitude;
    } else {
      ts += unzigzag(tsField - 1);
    }
    if (cursor.pos + 8 > buf.length || Number.isNaN(id) || Number.isNaN(ts)) fail();
    batch.seriesIds[i] = id;
    batch.timestampsMs[i] = ts;
    batch.values[i] = buf.readDoubleLE(cursor.pos);
    cursor.pos += 8;
  }
  if (cursor.pos > buf.length) fail();
  return batch;
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

function writeVarint(buf: Buffer, start: number, value: number): number {
  let pos = start;
  let v = value;
  if (v < 0x80000000) {
    // Small values (nearly all): integer bit operations instead of float division.
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    return pos;
  }
  while (v >= 0x80) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
  return pos;
}

function readVarint(buf: Buffer, cursor: { pos: number }): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const byte = buf[cursor.pos++];
    if (byte === undefined) return Number.NaN;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) return result;
    scale *= 0x80;
  }
  return Number.NaN;
}
