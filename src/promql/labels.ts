/** Small helpers over label sets. */
import type { Labels } from '../store/types.js';

/** A canonical string key of a label set (names sorted), for grouping and deduplication. */
export function labelsKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  return JSON.stringify(names.map((name) => [name, labels[name]]));
}

/** A copy of `labels` without the given names. */
export function withoutLabels(labels: Labels, names: readonly string[]): Labels {
  const out: Labels = {};
  for (const [name, value] of Object.entries(labels)) {
    if (!names.includes(name)) out[name] = value;
  }
  return out;
}

/** A copy of `labels` with only the given names (those present). */
export function onlyLabels(labels: Labels, names: readonly string[]): Labels {
  const out: Labels = {};
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** A copy of `labels` with its keys in sorted order, as Prometheus prints them. */
export function sortLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(labels).sort()) out[name] = labels[name] as string;
  return out;
}

/** Orders label sets like Prometheus: label by label in name order, then by value. */
export function compareLabels(a: Labels, b: Labels): number {
  const aNames = Object.keys(a).sort();
  const bNames = Object.keys(b).sort();
  for (let i = 0; i < Math.min(aNames.length, bNames.length); i++) {
    const an = aNames[i] as string;
    const bn = bNames[i] as string;
    if (an !== bn) return an < bn ? -1 : 1;
    const av = a[an] as string;
    const bv = b[bn] as string;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return aNames.length - bNames.length;
}
