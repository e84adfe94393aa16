import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetricRegistry } from '../ingest/registry.js';
import type { BlockCacheStats } from '../store/block-cache.js';
import { registerStoreMetrics } from './store-metrics.js';

function valueOf(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} missing from:\n${text}`);
  return Number(line.slice(name.length + 1));
}

test('block cache figures are copied into the registry on refresh; counters grow by the difference', () => {
  const registry = createMetricRegistry({ nowMs: () => 1_000 });
  let stats: BlockCacheStats = { hits: 5, misses: 2, entries: 2, bytes: 4096, maxBytes: 1 << 20 };
  const refresh = registerStoreMetrics(registry, () => stats);
  refresh();
  let text = registry.renderExposition();
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_hits_total'), 5);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_misses_total'), 2);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_entries'), 2);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_bytes'), 4096);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_max_bytes'), 1 << 20);
  stats = { hits: 12, misses: 3, entries: 1, bytes: 1024, maxBytes: 1 << 20 };
  refresh();
  refresh(); // no change since the last refresh: the counters stay
  text = registry.renderExposition();
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_hits_total'), 12);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_misses_total'), 3);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_entries'), 1);
  assert.equal(valueOf(text, 'llmwatch_store_block_cache_bytes'), 1024);
});
