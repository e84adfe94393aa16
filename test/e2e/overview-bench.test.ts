// Smoke run of bench/overview.ts at a tiny size: both sides load, figures are sane.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOverviewBench } from '../../bench/overview.js';

test(
  'runOverviewBench measures the Overview page against a small fleet and an empty store',
  {
    timeout: 120_000,
  },
  async () => {
    const figures = await runOverviewBench({ components: 2, hours: 1, loads: 1 });
    assert.deepEqual(Object.keys(figures), [
      'overview components',
      'overview hours of data',
      'overview samples loaded',
      'overview load s',
      'overview loads per side',
      'overview empty store first paint ms (median)',
      'overview empty store data ready ms (median)',
      'overview fleet first paint ms (median)',
      'overview fleet data ready ms (median)',
      'overview empty store rows shown',
      'overview fleet rows shown',
    ]);
    // 2 components × 2 copies × 42 series, one sample per minute over 1 h, both ends included.
    assert.equal(figures['overview samples loaded'], 168 * 61);
    assert.equal(figures['overview empty store rows shown'], 0);
    assert.equal(figures['overview fleet rows shown'], 2);
    for (const key of Object.keys(figures).filter((k) => k.endsWith('(median)'))) {
      const ms = figures[key]!;
      assert.ok(ms > 0 && ms < 60_000, `${key} = ${ms}`);
    }
    assert.ok(
      figures['overview fleet data ready ms (median)']! >=
        figures['overview fleet first paint ms (median)']!,
    );
  },
);
