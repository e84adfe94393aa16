/**
 * A least-recently-used cache of decoded blocks keyed by block id, bounded in bytes. Block ids
 * are never reused and a block's bytes never change (compaction and retention write merged
 * blocks under new ids and delete the old ones), so an entry never goes stale: a deleted
 * block's id is simply never asked for again, and its entry ages out.
 *
 * Limitation: plain LRU. A query whose blocks outsize the cache evicts each entry before the
 * next refresh reads it again, so a dashboard whose working set is bigger than the cache gets
 * next to no hits; raise blockCacheBytes for such fleets.
 */

/** Fixed cost counted per entry besides its payload (objects, Map slot), in bytes. */
export const ENTRY_OVERHEAD_BYTES = 256;

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
  private readonly entries = new Map<number, { value: V; bytes: number }>();
  private bytes = 0;
  /** Bytes set() may still add (see withAdmission). */
  private admitBytes = Infinity;
  /** Where eviction goes on from (see evictOldest). */
  private cursor: Iterator<[number, { value: V; bytes: number }]> | undefined;
  private hits = 0;
  private misses = 0;

  constructor(readonly maxBytes: number) {}

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
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.value;
  }

  /**
   * Caches `value` for block `id`, counting `payloadBytes` plus ENTRY_OVERHEAD_BYTES, and evicts
   * least recently used entries down to the bound. A value larger than the bound is not kept.
   */
  set(id: number, value: V, payloadBytes: number): void {
    const bytes = payloadBytes + ENTRY_OVERHEAD_BYTES;
    const old = this.entries.get(id);
    if (old !== undefined) {
      this.entries.delete(id);
      this.bytes -= old.bytes;
    }
    if (bytes > this.maxBytes || bytes > this.admitBytes) return;
    this.admitBytes -= bytes;
    this.entries.set(id, { value, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes && this.evictOldest());
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
   * Deletes the least recently used entry. One iterator is kept across calls: everything before
   * it was evicted or moved to the end, so its next live entry is the oldest. A fresh iterator
   * per eviction would step again over every deleted slot the Map has not yet compacted, which
   * made a cache smaller than a query's blocks (each one evicting) slower than no cache at all.
   */
  private evictOldest(): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.cursor ??= this.entries.entries();
      const next = this.cursor.next();
      if (next.done !== true) {
        const [oldest, entry] = next.value;
        this.entries.delete(oldest);
        this.bytes -= entry.bytes;
        return true;
      }
      this.cursor = undefined; // reached the end: start again from the (new) beginning
    }
    return false;
  }

  /** Drops every entry (counts are kept). */
  clear(): void {
    this.entries.clear();
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
