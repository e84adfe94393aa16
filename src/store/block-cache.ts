/**
 * A least-recently-used cache of decoded blocks keyed by block id, bounded in bytes. Block ids
 * are never reused and a block's bytes never change (compaction and retention write merged
 * blocks under new ids and delete the old ones), so a block's entry never goes stale: a deleted
 * block's id is simply never asked for again, and its entry ages out. Entries that can go stale
 * (a series' assembled rollups, series-rollups.ts) are dropped with delete() by their owner.
 *
 * Eviction is least recently used, with one exception against thrashing: an entry used within
 * the last `protectMs` is not evicted to make room; the new block is then left uncached
 * instead. A dashboard whose blocks outsize the cache, refreshed every few seconds, so keeps a
 * stable part of its blocks cached (evicting each block before the next refresh read it again
 * made the cache cost more than none); blocks nobody has read for `protectMs` make room as in
 * a plain LRU. With `protectMs` 0 it is a plain LRU.
 *
 * Limitation: a new dashboard gets no room in a cache full of blocks another one read within
 * `protectMs`; it is read uncached until they age out.
 */

/** Fixed cost counted per entry besides its payload (objects, Map slot), in bytes. */
export const ENTRY_OVERHEAD_BYTES = 256;

/** A cached value, its counted size and when it was last used (ms, BlockCache's clock). */
interface Entry<V> {
  value: V;
  bytes: number;
  usedMs: number;
}

/** Hit, miss and size counts of a BlockCache. */
export interface BlockCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

/** Hit, miss and size counts of one kind of entry in a BlockCache (its share of the bound). */
export interface BlockKindStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

/** An LRU map from block id to decoded value, holding at most `maxBytes` (0: holds nothing). */
export class BlockCache<V> {
  private readonly entries = new Map<number, Entry<V>>();
  private bytes = 0;
  /** Bytes set() may still add (see withAdmission). */
  private admitBytes = Infinity;
  /** Where eviction goes on from (see evictOldest). */
  private cursor: Iterator<[number, Entry<V>]> | undefined;
  /** The least recently used entry, taken from `cursor` and not yet evicted or used. */
  private head: [number, Entry<V>] | undefined;
  private hits = 0;
  private misses = 0;

  /**
   * `maxBytes`: the bound (0 holds nothing); `protectMs`: how long after its last use an entry
   * is kept rather than evicted for a new one (0: plain LRU); `nowMs`: the clock.
   */
  constructor(
    readonly maxBytes: number,
    private readonly protectMs = 0,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Whether anything can be cached at all. */
  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** The value cached for block `id`, marked most recently used; undefined when absent. */
  get(id: number): V | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Map iteration follows insertion order: re-inserting makes the entry the newest.
    if (this.head?.[0] === id) this.head = undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    if (this.protectMs > 0) entry.usedMs = this.nowMs();
    return entry.value;
  }

  /**
   * Caches `value` for block `id`, counting `payloadBytes` plus ENTRY_OVERHEAD_BYTES, evicting
   * least recently used entries to make room. A value larger than the bound is not kept, nor
   * one that would need an entry used within `protectMs` evicted.
   */
  set(id: number, value: V, payloadBytes: number): void {
    const bytes = payloadBytes + ENTRY_OVERHEAD_BYTES;
    const old = this.entries.get(id);
    if (old !== undefined) {
      if (this.head?.[0] === id) this.head = undefined;
      this.entries.delete(id);
      this.bytes -= old.bytes;
    }
    if (bytes > this.maxBytes || bytes > this.admitBytes) return;
    const now = this.protectMs > 0 ? this.nowMs() : 0;
    while (this.bytes + bytes > this.maxBytes) {
      if (!this.evictOldest(now)) return; // the rest is in use: leave this block uncached
    }
    this.admitBytes -= bytes;
    this.entries.set(id, { value, bytes, usedMs: now });
    this.bytes += bytes;
  }

  /** The value cached for `id` without marking it used or counting a hit or miss. */
  peek(id: number): V | undefined {
    return this.entries.get(id)?.value;
  }

  /** Drops the entry of `id`, if any. */
  delete(id: number): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    if (this.head?.[0] === id) this.head = undefined;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
  }

  /**
   * Runs `read` with set() keeping at most `bytes` of new entries (the rest is not cached), so
   * one read larger than the cache cannot evict everything, each block evicting the one it will
   * need next time. Gets are not limited.
   */
  withAdmission<T>(bytes: number, read: () => T): T {
    const saved = this.admitBytes;
    this.admitBytes = bytes;
    try {
      return read();
    } finally {
      this.admitBytes = saved;
    }
  }

  /**
   * Deletes the least recently used entry, unless it was used within `protectMs` of `nowMs`
   * (then returns false, as when the cache is empty). One iterator is kept across calls: everything before
   * it was evicted or moved to the end, so its next live entry is the oldest. A fresh iterator
   * per eviction would step again over every deleted slot the Map has not yet compacted, which
   * made a cache smaller than a query's blocks (each one evicting) slower than no cache at all.
   */
  private evictOldest(nowMs: number): boolean {
    const head = this.oldest();
    if (head === undefined) return false;
    const [oldest, entry] = head;
    if (this.protectMs > 0 && nowMs - entry.usedMs < this.protectMs) return false;
    this.head = undefined;
    this.entries.delete(oldest);
    this.bytes -= entry.bytes;
    return true;
  }

  /** The least recently used entry (kept in `head` until evicted or used), or undefined. */
  private oldest(): [number, Entry<V>] | undefined {
    if (this.head !== undefined) return this.head;
    for (let attempt = 0; attempt < 2; attempt++) {
      this.cursor ??= this.entries.entries();
      const next = this.cursor.next();
      if (next.done !== true) {
        this.head = next.value;
        return this.head;
      }
      this.cursor = undefined; // reached the end: start again from the (new) beginning
    }
    return undefined;
  }

  /** Drops every entry (counts are kept). */
  clear(): void {
    this.entries.clear();
    this.head = undefined;
    this.cursor = undefined;
    this.bytes = 0;
  }

  /** Number and bytes of the entries whose value passes `test` (walks every entry). */
  sizeOf(test: (value: V) => boolean): { entries: number; bytes: number } {
    let entries = 0;
    let bytes = 0;
    for (const entry of this.entries.values()) {
      if (!test(entry.value)) continue;
      entries++;
      bytes += entry.bytes;
    }
    return { entries, bytes };
  }

  stats(): BlockCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.entries.size,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
    };
  }
}
