/**
 * The in-memory map from an incoming label set to its series id, for label sets seen since the
 * store was opened. A lookup builds no strings. Label objects the caller passes again (the same
 * object, unchanged, first seen when its series was resolved) are found by identity. Other ones
 * by their label values: each distinct value string has a number (`stringIds`, a Map, so V8
 * hashes the string natively, once per string object), the label set's hash mixes those numbers
 * with the names' lengths, and a candidate is then compared name by name and value by value, so
 * a hash collision never maps a sample to the wrong series.
 *
 * Memory: entries are columns of typed arrays (about 24 bytes each) plus 4 bytes per label
 * value; every distinct string is held once, however many series and label objects carry it.
 *
 * Limitation: labels are compared in the order their keys were given; the same set with keys
 * in another order misses here and is resolved (once per order) by the canonical key in SQLite.
 * Limitation: strings stay interned until deleteIds() (retention) rebuilds the cache.
 */
import type { Labels } from './types.js';

const NONE = -1;

/** Label set -> series id cache; see the file comment. */
export class SeriesCache {
  private stringIds = new Map<string, number>();
  private strings: string[] = [];
  // Names lists, shared by the entries with the same label names in the same order.
  private namesLists: Array<readonly string[]> = [];
  private namesListIds = new Map<string, number>();
  // One entry per label set (and key order): columns indexed by entry number.
  private ids = new Float64Array(0);
  private hashes = new Int32Array(0);
  /** Next entry in the same hash bucket, or NONE. */
  private chain = new Int32Array(0);
  private namesOf = new Int32Array(0);
  /** Offset of the entry's value string ids in `valueIds`. */
  private valuesAt = new Int32Array(0);
  private valueIds = new Int32Array(0);
  private valueIdsUsed = 0;
  /** First entry of each hash bucket, or NONE; as many buckets as entries, or more. */
  private buckets = new Int32Array(64).fill(NONE);
  private byObject = new WeakMap<object, number>();
  /** Value string ids of the label set last hashed, and how many. */
  private scratch = new Int32Array(32);
  private scratchLength = 0;
  /** Label sets held. */
  size = 0;

  /**
   * The series id of `labels`, or undefined when unknown or when a value is not a string (the
   * caller validates and resolves such samples the slow way).
   */
  get(labels: Labels): number | undefined {
    const known = this.byObject.get(labels);
    if (known !== undefined && this.sameStrings(known, labels)) return this.ids[known];
    const hash = this.hashOf(labels);
    if (hash === undefined) return undefined;
    const { buckets, hashes, chain } = this;
    for (
      let e = buckets[hash & (buckets.length - 1)] as number;
      e !== NONE;
      e = chain[e] as number
    ) {
      // Not remembered by identity here: callers that build a fresh object per sample would
      // only fill the WeakMap (and slow the garbage collector down).
      if (hashes[e] === hash && this.sameIds(e, labels)) return this.ids[e];
    }
    return undefined;
  }

  /** Remembers that `labels` (valid: string values) is series `id`. */
  set(labels: Labels, id: number): void {
    const names = Object.keys(labels);
    const values = names.map((n) => labels[n]);
    if (values.some((v) => typeof v !== 'string')) return;
    this.byObject.set(labels, this.addEntry(names, values as string[], id));
  }

  /** Forgets the series whose ids are in `ids` (deleted by retention). */
  deleteIds(ids: ReadonlySet<number>): void {
    const kept: Array<{ names: readonly string[]; values: string[]; id: number }> = [];
    for (let e = 0; e < this.size; e++) {
      const id = this.ids[e] as number;
      if (ids.has(id)) continue;
      const names = this.namesLists[this.namesOf[e] as number] as readonly string[];
      const at = this.valuesAt[e] as number;
      const values = names.map((_, i) => this.strings[this.valueIds[at + i] as number] as string);
      kept.push({ names, values, id });
    }
    this.stringIds = new Map();
    this.strings = [];
    this.namesLists = [];
    this.namesListIds = new Map();
    this.valueIdsUsed = 0;
    this.size = 0;
    this.buckets = new Int32Array(64).fill(NONE);
    this.byObject = new WeakMap();
    for (const { names, values, id } of kept) this.addEntry(names, values, id);
  }

  /** Adds an entry for the label set `names` = `values`; returns its number. */
  private addEntry(names: readonly string[], values: readonly string[], id: number): number {
    const key = names.join('\u0001');
    let namesId = this.namesListIds.get(key);
    if (namesId === undefined) {
      namesId = this.namesLists.length;
      this.namesLists.push(names);
      this.namesListIds.set(key, namesId);
    }
    const e = this.size;
    this.reserve(e + 1, this.valueIdsUsed + names.length);
    const at = this.valueIdsUsed;
    let h = HASH_SEED;
    for (let i = 0; i < names.length; i++) {
      const stringId = this.intern(values[i] as string);
      this.valueIds[at + i] = stringId;
      h = mixLabel(h, stringId, (names[i] as string).length);
    }
    this.valueIdsUsed += names.length;
    this.ids[e] = id;
    this.hashes[e] = finalMix(h);
    this.namesOf[e] = namesId;
    this.valuesAt[e] = at;
    this.size++;
    if (this.size > this.buckets.length) this.rehash(this.buckets.length * 2);
    else this.link(e);
    return e;
  }

  /** Puts entry `e` first in its hash bucket. */
  private link(e: number): void {
    const bucket = (this.hashes[e] as number) & (this.buckets.length - 1);
    this.chain[e] = this.buckets[bucket] as number;
    this.buckets[bucket] = e;
  }

  private rehash(bucketCount: number): void {
    this.buckets = new Int32Array(bucketCount).fill(NONE);
    for (let e = 0; e < this.size; e++) this.link(e);
  }

  /** Grows the entry columns to `entries` and the value ids to `values`, by half at least. */
  private reserve(entries: number, values: number): void {
    if (values > this.valueIds.length) {
      this.valueIds = grown(this.valueIds, Math.max(values, 256, this.valueIds.length * 1.5));
    }
    if (entries <= this.ids.length) return;
    const size = Math.max(entries, 32, Math.ceil(this.ids.length * 1.5));
    this.ids = grown(this.ids, size);
    this.hashes = grown(this.hashes, size);
    this.chain = grown(this.chain, size);
    this.namesOf = grown(this.namesOf, size);
    this.valuesAt = grown(this.valuesAt, size);
  }

  /** The number of string `s`, added when new. */
  private intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.stringIds.set(s, id);
      this.strings.push(s);
    }
    return id;
  }

  /**
   * Hash of `labels` from its value string ids (left in `scratch`) and name lengths; undefined
   * when a value is not a known string (so no entry can match).
   */
  private hashOf(labels: Labels): number | undefined {
    let h = HASH_SEED;
    let n = 0;
    for (const name in labels) {
      const id = this.stringIds.get(labels[name] as string);
      if (id === undefined) return undefined;
      if (n === this.scratch.length) {
        const grown = new Int32Array(n * 2);
        grown.set(this.scratch);
        this.scratch = grown;
      }
      this.scratch[n++] = id;
      h = mixLabel(h, id, name.length);
    }
    this.scratchLength = n;
    return finalMix(h);
  }

  /** True when entry `e` has the names of `labels` in order and the values hashed last. */
  private sameIds(e: number, labels: Labels): boolean {
    const names = this.namesLists[this.namesOf[e] as number] as readonly string[];
    const n = this.scratchLength;
    if (names.length !== n) return false;
    const at = this.valuesAt[e] as number;
    for (let i = 0; i < n; i++) if (this.valueIds[at + i] !== this.scratch[i]) return false;
    let i = 0;
    for (const name in labels) if (name !== names[i++]) return false;
    return true;
  }

  /** True when `labels` lists exactly entry `e`'s names and values, in the same order. */
  private sameStrings(e: number, labels: Labels): boolean {
    const names = this.namesLists[this.namesOf[e] as number] as readonly string[];
    const at = this.valuesAt[e] as number;
    let i = 0;
    for (const name in labels) {
      if (name !== names[i] || labels[name] !== this.strings[this.valueIds[at + i] as number])
        return false;
      i++;
    }
    return i === names.length;
  }
}

const HASH_SEED = 0x811c9dc5;

/** Mixes one label (its value's string id and its name's length) into `h`, FNV-1a style. */
function mixLabel(h: number, stringId: number, nameLength: number): number {
  return Math.imul(Math.imul(h ^ stringId, 0x01000193) ^ nameLength, 0x01000193);
}

/** A copy of `a` with room for `size` elements. */
function grown<T extends Int32Array | Float64Array>(a: T, size: number): T {
  const copy = new (a.constructor as new (n: number) => T)(Math.ceil(size));
  copy.set(a);
  return copy;
}

/** The final mix of MurmurHash3's 32-bit hash (Austin Appleby), spreading every input bit. */
function finalMix(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
