/**
 * Prometheus's staleness marker: a NaN with the bit pattern 0x7ff0000000000002, written when a
 * series disappears. A series whose latest sample in the lookback window is this marker is
 * absent from instant selectors, and range selectors skip the marker.
 */

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
bits[0] = 0;
words[0] = 2;
words[1] = 0x7ff00000;

/**
 * The staleness marker value. JavaScript engines may set the quiet bit when storing it in an
 * array (giving 0x7ff8000000000002), so test with `isStaleMarker`, never by comparison.
 */
export const STALE_NAN: number = bits[0] as number;

/** True for the staleness marker (with or without the quiet bit); false for any other value. */
export function isStaleMarker(value: number): boolean {
  if (value === value) return false;
  bits[0] = value;
  return words[0] === 2 && ((words[1] as number) & 0xfff7ffff) === 0x7ff00000;
}
