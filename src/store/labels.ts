/**
 * Canonical label sets: the one string form under which a series is stored and looked up.
 */
import type { Labels } from './types.js';

/**
 * Returns the canonical key of a label set: JSON of the labels with names sorted and labels with
 * an empty value left out (an empty value means "label absent", as in Prometheus). Two label sets
 * have the same key exactly when they name the same series. The input must already be validated.
 */
export function canonicalLabelsKey(labels: Labels): string {
  // Built by hand so that a label named "__proto__" stays an ordinary key.
  const parts: string[] = [];
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name];
    if (value !== undefined && value !== '')
      parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * A 47-bit hash of a canonical key (the `series.labels_hash` column, schema version 7): FNV-1a
 * over the UTF-16 code units, run twice with different primes, each result finished with the
 * fmix32 mixer of MurmurHash3, the two joined into one non-negative integer below 2^47 (so
 * SQLite stores it in 6 bytes). Equal keys give equal hashes; different keys may collide, so
 * lookups compare the key too. Never change it: stored hashes would no longer match.
 */
export function labelsKeyHash(key: string): number {
  let a = 0x811c9dc5;
  let b = 0x811c9dc5 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000141);
  }
  return (fmix32(b) >>> 17) * 0x1_0000_0000 + fmix32(a);
}

/** MurmurHash3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Parses a canonical key back into labels (names in sorted order). */
export function parseLabelsKey(key: string): Labels {
  return JSON.parse(key) as Labels;
}

/**
 * Orders label sets as Prometheus does: compares the sorted (name, value) pairs one by one,
 * name first, then value; a set that is a prefix of another sorts first.
 * Limitation: strings compare by UTF-16 code unit, which differs from Go's byte order only for
 * characters outside the Basic Multilingual Plane.
 */
export function compareLabels(a: Labels, b: Labels): number {
  const namesA = Object.keys(a).sort();
  const namesB = Object.keys(b).sort();
  const n = Math.min(namesA.length, namesB.length);
  for (let i = 0; i < n; i++) {
    const nameA = namesA[i] as string;
    const nameB = namesB[i] as string;
    if (nameA !== nameB) return nameA < nameB ? -1 : 1;
    const valueA = a[nameA] as string;
    const valueB = b[nameB] as string;
    if (valueA !== valueB) return valueA < valueB ? -1 : 1;
  }
  return namesA.length - namesB.length;
}
