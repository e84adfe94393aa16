/**
 * The embedded store's own figures as llmwatch metrics: its decoded block cache's hits, misses,
 * entries and bytes (store.blockCacheBytes sets the bound) and the sizes of its in-memory
 * heads and series cache (memory-stats.ts). They are copied from the store into
 * the registry when it is collected or rendered, so /metrics and llmwatch's own stored series
 * show them without a timer of their own.
 */
import type { MetricRegistry } from '../ingest/registry.js';
import type { BlockCacheStats } from '../store/block-cache.js';
import type { StoreMemoryStats } from '../store/memory-stats.js';

/** Where the figures come from (the SQLite store has both). */
export interface StoreFigures {
  blockCacheStats(): BlockCacheStats;
  memoryStats(): StoreMemoryStats;
}

/**
 * Registers the store's metrics on `registry` and returns `refresh`, which copies the current
 * figures of `store` into them (counters grow by the difference since the last refresh).
 */
export function registerStoreMetrics(registry: MetricRegistry, store: StoreFigures): () => void {
  const hits = registry
    .counter(
      'llmwatch_store_block_cache_hits_total',
      'Lookups answered from the store block cache (decoded blocks, series rollups).',
    )
    .series({});
  const misses = registry
    .counter(
      'llmwatch_store_block_cache_misses_total',
      'Lookups the store block cache could not answer (the data was read from the file).',
    )
    .series({});
  const entries = registry
    .gauge(
      'llmwatch_store_block_cache_entries',
      'Entries held by the store block cache (decoded blocks, series rollups).',
    )
    .series({});
  const bytes = registry
    .gauge(
      'llmwatch_store_block_cache_bytes',
      'Bytes of the entries held by the store block cache.',
    )
    .series({});
  const maxBytes = registry
    .gauge(
      'llmwatch_store_block_cache_max_bytes',
      'Bound of the store block cache in bytes (store.blockCacheBytes; 0 turns it off).',
    )
    .series({});
  const headSeries = registry
    .gauge(
      'llmwatch_store_head_series',
      'Series with samples held in memory heads, not yet written as chunks.',
    )
    .series({});
  const headBytes = registry
    .gauge('llmwatch_store_head_bytes', 'Bytes of head pages in use by open heads.')
    .series({});
  const headReservedBytes = registry
    .gauge(
      'llmwatch_store_head_reserved_bytes',
      'Bytes the head page pool holds, used or free (its peak; it never shrinks).',
    )
    .series({});
  const cachedLabelSets = registry
    .gauge(
      'llmwatch_store_cached_label_sets',
      'Label sets in the append path series cache (series written since the store opened).',
    )
    .series({});
  let seen = { hits: 0, misses: 0 };
  return () => {
    const memory = store.memoryStats();
    headSeries.set(memory.headSlots);
    headBytes.set(memory.headPageBytesInUse);
    headReservedBytes.set(memory.headPageBytesReserved);
    cachedLabelSets.set(memory.cachedLabelSets);
    const now = store.blockCacheStats();
    hits.inc(now.hits - seen.hits);
    misses.inc(now.misses - seen.misses);
    seen = { hits: now.hits, misses: now.misses };
    entries.set(now.entries);
    bytes.set(now.bytes);
    maxBytes.set(now.maxBytes);
  };
}
