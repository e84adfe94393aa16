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
