/**
 * Sample values as stored in SQLite. SQLite keeps finite numbers and ±Infinity as REAL but turns
 * NaN into NULL, so a NaN is stored as an 8-byte little-endian BLOB holding its exact bits (this
 * keeps distinct NaNs such as Prometheus's staleness marker apart). The `value` column has REAL
 * affinity, which leaves BLOBs untouched.
 */

/** A value as bound into SQLite: a number, or the bits of a NaN. */
export type StoredValue = number | Buffer;

/** Encodes a sample value for storage. */
export function encodeValue(value: number): StoredValue {
  if (!Number.isNaN(value)) return value;
  const bits = Buffer.alloc(8);
  bits.writeDoubleLE(value, 0);
  return bits;
}

/** Decodes a stored value; NULL (never written by this store) and malformed BLOBs read as NaN. */
export function decodeValue(stored: unknown): number {
  if (typeof stored === 'number') return stored;
  if (Buffer.isBuffer(stored) && stored.length === 8) return stored.readDoubleLE(0);
  return Number.NaN;
}
