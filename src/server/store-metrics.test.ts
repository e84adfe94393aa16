import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetricRegistry } from '../ingest/registry.js';
import type { BlockCacheStats } from '../store/block-cache.js';
import type { StoreMemoryStats } from '../store/memory-stats.js';
import { registerStoreMetrics } from './store-metrics.js';

function valueOf(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} missing from:\n${text}`);
  return Number(line.slice(name.length + 1));
}

const MEMORY: StoreMemoryStats = {
  headPageBytesInUse: 6400,
  headPageBytesReserved: 65536,
  headSlots: 100,
  pendingSeries: 3,
  cachedLabelSets: 120,
  labelledSeries: 40,
  blockCacheBytes: 4096,
};

test('block cache figures are copied into the registry on refresh; counters grow by the difference', () => {
  const registry = createMetricRegistry({ nowMs: () => 1_000 });
  let stats: BlockCacheStats = { hits: 5, misses: 2, entries: 2, bytes: 4096, maxBytes: 1 << 20 };
  let memory = MEMORY;
  const refresh = registerStoreMetrics(registry, {
    blockCacheStats: () => stats,
    memoryStats: () => memory,
  });
  refresh();
  let text = registry.renderExposition();
  assert.equal(valueOf(text, 'llmwatch_store_head_series'), 100);
  assert.equal(valueOf(text, 'llmwatch_store_head_bytes'), 6400);
  assert.equal(valueOf(text, 'llmwatch_store_head_reserved_bytes'), 65536);
  assert.equal(valueOf(text, 'llmwatch_store_cached_label_sets'), 120);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_hits_total'), 5);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_misses_total'), 2);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_entries'), 2);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_bytes'), 4096);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_max_bytes'), 1 << 20);
  stats = { hits: 12, misses: 3, entries: 1, bytes: 1024, maxBytes: 1 << 20 };
  memory = { ...MEMORY, headSlots: 0, headPageBytesInUse: 0 };
  refresh();
  refresh(); // no change since the last refresh: the counters stay
  text = registry.renderExposition();
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_hits_total'), 12);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_misses_total'), 3);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_entries'), 1);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_bytes'), 1024);
  assert.equal(valueOf(text, 'llmwatch_store_head_series'), 0);
  assert.equal(valueOf(text, 'llmwatch_store_head_bytes'), 0);
});
