/**
 * Small helpers over label sets.
 *
 * Label sets are treated as immutable once created: a range query evaluates the same series'
 * label objects at every step, so `labelsKey` and the derived label sets below are remembered
 * per object (in WeakMaps, freed with the object) instead of being rebuilt at each step. Code
 * that changes labels must copy them first (`{ ...labels }`), never edit a set in place.
 */
import type { Labels } from '../store/types.js';

const keys = new WeakMap<Labels, string>();

/** A canonical string key of a label set (names sorted), for grouping and deduplication. */
export function labelsKey(labels: Labels): string {
  let key = keys.get(labels);
  if (key === undefined) {
    const names = Object.keys(labels).sort();
    key = JSON.stringify(names.map((name) => [name, labels[name]]));
    keys.set(labels, key);
  }
  return key;
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

/**
 * A function `labels → derive(labels)` that returns the same derived object for the same input
 * object every time (so its key is computed once, however many steps see it). `derive` must
 * depend on nothing but the labels, and its result must not be edited.
 */
export function memoizeLabels<T>(derive: (labels: Labels) => T): (labels: Labels) => T {
  const cache = new WeakMap<Labels, T>();
  return (labels) => {
    let out = cache.get(labels);
    if (out === undefined) {
      out = derive(labels);
      cache.set(labels, out);
    }
    return out;
  };
}

/** `labels` without `__name__`, the same object for the same input (see memoizeLabels). */
export const withoutName: (labels: Labels) => Labels = memoizeLabels((labels) =>
  withoutLabels(labels, ['__name__']),
);

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
