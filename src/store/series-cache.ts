/**
 * The in-memory map from an incoming label set to its series id, for label sets seen since the
 * store was opened. A lookup costs no string building: label objects the caller passes again
 * (the same object, unchanged, first seen when its series was resolved) are found by identity; other ones by a 32-bit hash of their
 * names and values computed over the characters, then compared label by label with the stored
 * names and values, so a hash collision never maps a sample to the wrong series.
 *
 * Limitation: labels are compared in the order their keys were given; the same set with keys
 * in another order misses here and is resolved (once per order) by the canonical key in SQLite.
 */
import type { Labels } from './types.js';

/** One known label set: names and values in the caller's key order. */
interface Entry {
  id: number;
  hash: number;
  names: readonly string[];
  values: readonly string[];
  /** Next entry with the same hash. */
  next: Entry | null;
}

/** Label set -> series id cache; see the file comment. */
export class SeriesCache {
  private readonly byHash = new Map<number, Entry>();
  private byObject = new WeakMap<object, Entry>();
  // Names lists are shared between series with the same label names (most of them).
  private readonly namesLists = new Map<string, readonly string[]>();
  /** Label sets held. */
  size = 0;

  /**
   * The series id of `labels`, or undefined when unknown or when a value is not a string (the
   * caller validates and resolves such samples the slow way).
   */
  get(labels: Labels): number | undefined {
    const known = this.byObject.get(labels);
    if (known !== undefined && matches(known, labels)) return known.id;
    const hash = hashLabels(labels);
    if (hash === undefined) return undefined;
    for (let e: Entry | null | undefined = this.byHash.get(hash); e != null; e = e.next) {
      // Not remembered by identity here: callers that build a fresh object per sample would
      // only fill the WeakMap (and slow the garbage collector down).
      if (e.hash === hash && matches(e, labels)) return e.id;
    }
    return undefined;
  }

  /** Remembers that `labels` (valid: string values) is series `id`. */
  set(labels: Labels, id: number): void {
    const hash = hashLabels(labels);
    if (hash === undefined) return;
    const names = Object.keys(labels);
    const namesKey = names.join('\u0001');
    let shared = this.namesLists.get(namesKey);
    if (shared === undefined) {
      shared = names;
      this.namesLists.set(namesKey, shared);
    }
    const values = names.map((n) => labels[n] as string);
    const entry: Entry = { id, hash, names: shared, values, next: this.byHash.get(hash) ?? null };
    this.byHash.set(hash, entry);
    this.byObject.set(labels, entry);
    this.size++;
  }

  /** Forgets the series whose ids are in `ids` (deleted by retention). */
  deleteIds(ids: ReadonlySet<number>): void {
    for (const [hash, head] of this.byHash) {
      let first: Entry | null = null;
      let last: Entry | null = null;
      for (let e: Entry | null = head; e !== null; e = e.next) {
        if (ids.has(e.id)) {
          this.size--;
          continue;
        }
        if (last === null) first = e;
        else last.next = e;
        last = e;
      }
      if (last !== null) last.next = null;
      if (first === null) this.byHash.delete(hash);
      else this.byHash.set(hash, first);
    }
    this.byObject = new WeakMap();
  }
}

/** True when `labels` lists exactly the entry's names and values, in the same order. */
function matches(entry: Entry, labels: Labels): boolean {
  const { names, values } = entry;
  let i = 0;
  for (const name in labels) {
    if (name !== names[i] || labels[name] !== values[i]) return false;
    i++;
  }
  return i === names.length;
}

/** FNV-1a style hash of the names and values in key order; undefined for a non-string value. */
function hashLabels(labels: Labels): number | undefined {
  let h = 0x811c9dc5;
  for (const name in labels) {
    const value = labels[name];
    if (typeof value !== 'string') return undefined;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xfffe, 0x01000193);
    for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xffff, 0x01000193);
  }
  return h | 0;
}
