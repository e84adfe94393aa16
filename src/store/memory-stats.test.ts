import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSqliteStore, type StoreMemoryStats } from './sqlite-store.js';
import type { Sample } from './types.js';

const HOUR = 3_600_000;
const DAY_STEPS = 1440; // one sample a minute
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (24 * HOUR)); // a day boundary

/**
 * The batch of minute `i`: series whose values repeat every day (a daily-reset counter, a
 * few-decimal gauge, full-precision gauges), so that heads at the same time of day hold the
 * same bytes whatever the day.
 */
function batchAt(i: number): Sample[] {
  const t = T0 + i * 60_000;
  const m = i % DAY_STEPS;
  return [
    { labels: { __name__: 'requests_total', copy: 'a' }, timestampMs: t, value: m * 3 },
    { labels: { __name__: 'watts', copy: 'a' }, timestampMs: t, value: ((m * 37) % 25_000) / 100 },
    { labels: { __name__: 'ratio', copy: 'a' }, timestampMs: t, value: Math.sin(m) },
    { labels: { __name__: 'ratio', copy: 'b' }, timestampMs: t, value: Math.cos(m) / 3 },
  ];
}

describe('store memory', () => {
  it('stays the same size from day 2 to day 8 of a fixed set of series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-memory-'));
    try {
      // Budgets large enough that every cut head is written and every complete window
      // compacted within the append that allows it: both compaction levels run 28 times.
      const store = createSqliteStore({
        path: join(dir, 'store.db'),
        retentionDays: 0,
        retentionIntervalMs: 0,
        chunkWriteBudgetMs: 60_000,
        compactionBudgetMs: 60_000,
      });
      // Mid-head (heads hold 2 h here): 10:30 on day 2, then on day 8.
      const probe = 10 * 60 + 30;
      const stats: StoreMemoryStats[] = [];
      for (let i = 0; i < 8 * DAY_STEPS; i++) {
        await store.append(batchAt(i));
        if (i % DAY_STEPS === probe && (i < 2 * DAY_STEPS || i >= 7 * DAY_STEPS)) {
          stats.push(store.memoryStats());
        }
      }
      await store.close();

      const [day1, day2, day8] = stats as [StoreMemoryStats, StoreMemoryStats, StoreMemoryStats];
      assert.equal(stats.length, 3);
      assert.equal(day2.headSlots, 4);
      assert.equal(day2.cachedLabelSets, 4);
      assert.equal(day2.pendingSeries, 0);
      assert.ok(day2.headPageBytesInUse > 0, 'open heads hold pages');
      assert.deepEqual(day1, day2, 'the first day already holds what later days hold');
      assert.deepEqual(day8, day2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
