/**
 * The stored chunk format: per chunk, one of three encodings, named by its first byte.
 *
 * - TAG_COLUMNS (2): timestamps as an integer column (int-column.ts: regular intervals cost a
 *   few bytes per chunk), then the values as a decimal value column (value-column.ts: integers
 *   and few-decimal numbers, bit-packed deltas), which is what counters, histogram buckets and
 *   most gauges hold, or (since schema version 5) as a binary-scaled column (binary-column.ts:
 *   exact differences of full-precision floats, such as latency sums) when those fit.
 * - TAG_GORILLA (1): the Gorilla XOR chunk (gorilla.ts) as the head built it. Chosen for
 *   anything else: NaN payloads (the staleness marker included), ±Infinity, -0 and
 *   full-precision floats whose differences are too wide (random gauges) keep every bit.
 * - TAG_SEGMENTS (3): several consecutive chunks of the kinds above in one row, as compaction
 *   joins them without decoding: varint segment count, per segment varint sample count and
 *   varint byte length, then the segments' bytes. Their time ranges do not overlap and ascend.
 *
 * Rows written before this format (chunks.format = CHUNK_FORMAT_LEGACY) hold a bare Gorilla
 * chunk with no tag byte; decodeStoredChunkInto reads both.
 */
import { BitWriter } from './bits.js';
import { decodeChunkInto, encodeChunk } from './gorilla.js';
import { BitCursor, MAX_COLUMN_INT, writeIntColumn } from './int-column.js';
import { SampleBuffer } from './sample-buffer.js';
import { readValueColumn, writeDecimalColumn, writeFloatColumn } from './value-column.js';

/** chunks.format of rows holding a bare Gorilla chunk (written before schema version 3). */
export const CHUNK_FORMAT_LEGACY = 0;
/** chunks.format of rows whose data starts with a tag byte (this file). */
export const CHUNK_FORMAT_TAGGED = 1;

const TAG_GORILLA = 1;
const TAG_COLUMNS = 2;
const TAG_SEGMENTS = 3;

/**
 * Encodes `n` samples (timestamps strictly increasing) as a tagged chunk. `gorilla`, when
 * given, is the same samples already Gorilla-encoded (a head's bytes): it is used as is when
 * the values are not decimal numbers, so their bits are never re-read through a plain array.
 */
export function encodeStoredChunk(
  timestampsMs: ArrayLike<number>,
  values: ArrayLike<number>,
  n: number,
  gorilla?: Uint8Array,
): Uint8Array {
  if (n > 0 && fitsColumns(timestampsMs, n)) {
    const w = new BitWriter(16 + n);
    w.writeBits(TAG_COLUMNS, 8);
    writeIntColumn(w, timestampsMs, n);
    if (writeDecimalColumn(w, values, n)) return w.toBytes();
    if (writeFloatColumn(w, values, n)) return w.toBytes();
  }
  const bytes = gorilla ?? encodeChunk(timestampsMs, values);
  const tagged = new Uint8Array(bytes.length + 1);
  tagged[0] = TAG_GORILLA;
  tagged.set(bytes, 1);
  return tagged;
}

function fitsColumns(timestampsMs: ArrayLike<number>, n: number): boolean {
  const first = timestampsMs[0] as number;
  const last = timestampsMs[n - 1] as number;
  return Math.abs(first) <= MAX_COLUMN_INT && Math.abs(last) <= MAX_COLUMN_INT;
}

/**
 * Decodes a stored chunk of `count` samples (`format` from its row), appending those with
 * timestamps in [startMs, endMs] to `out` (values with their exact bits, staleness markers
 * flagged; see gorilla.ts decodeChunkInto). A column chunk's values are decoded only when some
 * of its timestamps are in range. Corrupt bytes decode to garbage, never to an exception.
 */
export function decodeStoredChunkInto(
  format: number,
  bytes: Uint8Array,
  count: number,
  startMs: number,
  endMs: number,
  out: SampleBuffer,
): void {
  if (format !== CHUNK_FORMAT_LEGACY && bytes[0] === TAG_SEGMENTS) {
    for (const seg of segmentsOf(bytes)) {
      decodeStoredChunkInto(CHUNK_FORMAT_TAGGED, seg.bytes, seg.count, startMs, endMs, out);
    }
    return;
  }
  if (format === CHUNK_FORMAT_LEGACY || bytes[0] !== TAG_COLUMNS) {
    const body = format === CHUNK_FORMAT_LEGACY ? bytes : bytes.subarray(1);
    decodeChunkInto(body, count, startMs, endMs, out);
    return;
  }
  if (count <= 0) return;
  decodeColumnsInto(bytes, count, startMs, endMs, out);
}

// First timestamp and step of an evenly spaced timestamp column (BitCursor.readEvenColumn).
const even = new Float64Array(2);
// Values of a chunk with evenly spaced timestamps, before the window is cut out (grown as
// needed; decoding is synchronous).
let valueScratch = new Float64Array(256);
let scratchWords = new Uint32Array(valueScratch.buffer);

/**
 * A TAG_COLUMNS chunk. With evenly spaced timestamps (regular scrapes) the window's index range
 * is computed from the column header: only its timestamps are written, and values are decoded
 * up to its end only. Otherwise decoded in place at the end of `out`, then cut to the window.
 */
function decodeColumnsInto(
  bytes: Uint8Array,
  count: number,
  startMs: number,
  endMs: number,
  out: SampleBuffer,
): void {
  const cursor = new BitCursor(bytes, 8);
  if (cursor.readEvenColumn(count, even) && (even[1] as number) > 0) {
    const first = even[0] as number;
    const step = even[1] as number;
    const from = evenIndex(first, step, count, startMs, false);
    const to = evenIndex(first, step, count, endMs, true);
    if (to <= from) return;
    if (valueScratch.length < to) {
      valueScratch = new Float64Array(Math.max(to, 2 * valueScratch.length));
      scratchWords = new Uint32Array(valueScratch.buffer);
    }
    readValueColumn(bytes, cursor, to, valueScratch);
    out.reserve(to - from);
    const at = out.length;
    const ts = out.timestampsMs;
    const words = out.valueWords;
    // Copied word by word: exact bits, and no view to allocate per chunk.
    for (let i = from, k = at; i < to; i++, k++) {
      ts[k] = first + i * step;
      words[2 * k] = scratchWords[2 * i] as number;
      words[2 * k + 1] = scratchWords[2 * i + 1] as number;
    }
    out.length = at + (to - from);
    return;
  }

  cursor.pos = 8;
  out.reserve(count);
  const at = out.length;
  const ts = out.timestampsMs;
  cursor.readIntColumn(count, at === 0 ? ts : ts.subarray(at));
  let from = at;
  const end = at + count;
  while (from < end && (ts[from] as number) < startMs) from++;
  let to = from;
  while (to < end && (ts[to] as number) <= endMs) to++;
  if (to === from) return;
  const values = out.values;
  // Values after the window are not needed: decoding stops at its end.
  readValueColumn(bytes, cursor, to - at, at === 0 ? values : values.subarray(at));
  if (from > at) {
    ts.copyWithin(at, from, to);
    values.copyWithin(at, from, to);
  }
  out.length = at + (to - from);
}

/**
 * The first index i in [0, count] whose timestamp first + i * step (step > 0, integers) is at
 * least `ms`, or (`after`) greater than `ms`; count when none. The quotient is only an
 * estimate; exact comparisons settle it.
 */
function evenIndex(first: number, step: number, count: number, ms: number, after: boolean): number {
  // With integer timestamps, "greater than ms" is "at least the next integer above ms".
  const least = after ? Math.floor(ms) + 1 : ms;
  if (first >= least) return 0;
  if (first + (count - 1) * step < least) return count;
  let i = Math.min(count - 1, Math.max(1, Math.ceil((least - first) / step)));
  while (i > 1 && first + (i - 1) * step >= least) i--;
  while (first + i * step < least) i++;
  return i;
}

/**
 * Most samples a stored chunk can add in [startMs, endMs] (see decodeStoredChunkInto): exact
 * for column chunks with evenly spaced timestamps, read from their headers; `count` otherwise.
 */
export function storedChunkBound(
  format: number,
  bytes: Uint8Array,
  count: number,
  startMs: number,
  endMs: number,
): number {
  if (format !== CHUNK_FORMAT_LEGACY && bytes[0] === TAG_SEGMENTS) {
    let total = 0;
    for (const seg of segmentsOf(bytes)) {
      total += storedChunkBound(CHUNK_FORMAT_TAGGED, seg.bytes, seg.count, startMs, endMs);
    }
    return total;
  }
  if (count <= 0) return 0;
  if (format === CHUNK_FORMAT_LEGACY || bytes[0] !== TAG_COLUMNS) return count;
  const cursor = new BitCursor(bytes, 8);
  if (!cursor.readEvenColumn(count, even) || (even[1] as number) <= 0) return count;
  const first = even[0] as number;
  const step = even[1] as number;
  const from = evenIndex(first, step, count, startMs, false);
  return Math.max(0, evenIndex(first, step, count, endMs, true) - from);
}

/** Decodes every sample of a stored chunk; `staleIndices` lists the staleness markers. */
export function decodeStoredChunk(
  format: number,
  bytes: Uint8Array,
  count: number,
): { timestampsMs: number[]; values: number[]; staleIndices: number[] } {
  const out = new SampleBuffer(count);
  decodeStoredChunkInto(format, bytes, count, -Infinity, Infinity, out);
  return out.toArrays();
}

/**
 * True when every sample of the stored chunk is in column format (its values are finite numbers
 * other than -0, decimal or binary-scaled, which survive decoding into plain arrays exactly).
 */
export function isColumnChunk(format: number, bytes: Uint8Array): boolean {
  if (format !== CHUNK_FORMAT_TAGGED) return false;
  if (bytes[0] === TAG_SEGMENTS) return segmentsOf(bytes).every((s) => s.bytes[0] === TAG_COLUMNS);
  return bytes[0] === TAG_COLUMNS;
}

/** One chunk inside a TAG_SEGMENTS chunk (or a whole tagged chunk). */
interface Segment {
  count: number;
  bytes: Uint8Array;
}

/** The segments of a TAG_SEGMENTS chunk; a truncated one yields what is there. */
function segmentsOf(bytes: Uint8Array): Segment[] {
  let pos = 1;
  const varint = (): number => {
    let v = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[pos++] ?? 0;
      v += (byte & 0x7f) * scale;
      if (byte < 0x80 || pos > bytes.length) return v;
      scale *= 0x80;
    }
  };
  const k = varint();
  const sizes: Array<[number, number]> = [];
  for (let i = 0; i < k && pos < bytes.length; i++) sizes.push([varint(), varint()]);
  const out: Segment[] = [];
  for (const [count, length] of sizes) {
    out.push({ count, bytes: bytes.subarray(pos, pos + length) });
    pos += length;
  }
  return out;
}

/**
 * Joins stored chunks (format and bytes of each row, with its sample count), which must not
 * overlap in time and be given in time order, into one TAG_SEGMENTS chunk without decoding
 * them: every bit stays as it was. Nested segments are flattened.
 */
export function joinStoredChunks(
  parts: ReadonlyArray<{ format: number; bytes: Uint8Array; count: number }>,
): Uint8Array {
  const segments: Segment[] = [];
  for (const part of parts) {
    if (part.format === CHUNK_FORMAT_LEGACY) {
      const tagged = new Uint8Array(part.bytes.length + 1);
      tagged[0] = TAG_GORILLA;
      tagged.set(part.bytes, 1);
      segments.push({ count: part.count, bytes: tagged });
    } else if (part.bytes[0] === TAG_SEGMENTS) {
      segments.push(...segmentsOf(part.bytes));
    } else {
      segments.push({ count: part.count, bytes: part.bytes });
    }
  }
  const header = [TAG_SEGMENTS, ...varintBytes(segments.length)];
  for (const seg of segments)
    header.push(...varintBytes(seg.count), ...varintBytes(seg.bytes.length));
  const out = new Uint8Array(header.length + segments.reduce((n, s) => n + s.bytes.length, 0));
  out.set(header, 0);
  let pos = header.length;
  for (const seg of segments) {
    out.set(seg.bytes, pos);
    pos += seg.bytes.length;
  }
  return out;
}

function varintBytes(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
}
