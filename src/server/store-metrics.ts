/**
 * The embedded store's own figures as llmwatch metrics: its decoded block cache's hits, misses,
 * entries and bytes (store.blockCacheBytes sets the bound). They are copied from the store into
 * the registry when it is collected or rendered, so /metrics and llmwatch's own stored series
 * show them without a timer of their own.
 */
import type { MetricRegistry } from '../ingest/registry.js';
import type { BlockCacheStats } from '../store/block-cache.js';

/**
 * Registers the block cache's metrics on `registry` and returns `refresh`, which copies the
 * current `stats()` into them (counters grow by the difference since the last refresh).
 */
export function registerStoreMetrics(
  registry: MetricRegistry,
  stats: () => BlockCacheStats,
): () => void {
  const hits = registry
    .counter(
      'llmwatch_store_block_cache_hits_total',
      'Reads of a decoded rollup block answered from the store block cache.',
    )
    .series({});
  const misses = registry
    .counter(
      'llmwatch_store_block_cache_misses_total',
      'Reads of a rollup block that had to fetch and decode it (not in the block cache).',
    )
    .series({});
  const entries = registry
    .gauge('llmwatch_store_block_cache_entries', 'Decoded blocks held by the store block cache.')
    .series({});
  const bytes = registry
    .gauge('llmwatch_store_block_cache_bytes', 'Bytes of decoded blocks held by the block cache.')
    .series({});
  const maxBytes = registry
    .gauge(
      'llmwatch_store_block_cache_max_bytes',
      'Bound of the store block cache in bytes (store.blockCacheBytes; 0 turns it off).',
    )
    .series({});
  let seen = { hits: 0, misses: 0 };
  return () => {
    const now = stats();
    hits.inc(now.hits - seen.hits);
    misses.inc(now.misses - seen.misses);
    seen = { hits: now.hits, misses: now.misses };
    entries.set(now.entries);
    bytes.set(now.bytes);
    maxBytes.set(now.maxBytes);
  };
}
