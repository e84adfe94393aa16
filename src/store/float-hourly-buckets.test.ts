import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { coarsenRollups, computeRollups, type RollupColumns } from './rollup.js';
import { rollupBlockResolution } from './rollup-codec.js';
import { createSqliteStore, type SqliteStore } from './sqlite-store.js';
import type { LabelMatcher, RollupSeriesData, Sample } from './types.js';

const HOUR = 3_600_000;
const M5 = 300_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (6 * HOUR)); // a 6 h boundary
const SPAN = 13 * HOUR;
const STALE = Buffer.from('7ff0000000000002', 'hex').readDoubleBE(0);
const ALL: LabelMatcher[] = [{ name: '__name__', type: '=~', value: '.+' }];

/**
 * 13 h of 15 s samples, 7 s past the boundaries: a float counter whose values are multiples of
 * 2^-30 (not few-decimal numbers, yet every sum of them is exact, so sums compare bit for bit
 * whatever the order of additions), a float gauge with a staleness marker and a counter.
 */
function batches(): Sample[][] {
  const out: Sample[][] = [];
  let sum = 0;
  for (let i = 0; i < SPAN / 15_000; i++) {
    const t = T0 + 7000 + i * 15_000;
    sum += ((i * 7919) % 1_000_003) / 2 ** 30;
    out.push([
      { labels: { __name__: 'seconds_sum' }, timestampMs: t, value: sum },
      {
        labels: { __name__: 'ratio' },
        timestampMs: t,
        value: i === 900 ? STALE : (i % 97) / 2 ** 40,
      },
      { labels: { __name__: 'requests' }, timestampMs: t, value: i * 3 },
    ]);
  }
  return out;
}

/** Rollups computed from the store's raw samples, as the store computed them before compacting. */
async function fromRaw(store: SqliteStore, resolutionMs: number): Promise<RollupSeriesData[]> {
  const raw = await store.select(ALL, T0, T0 + SPAN + HOUR);
  return raw.map((s) => {
    const stale = s.staleMask ? [...s.staleMask.keys()].filter((i) => s.staleMask?.[i] === 1) : [];
    let cols: RollupColumns = computeRollups(s.timestampsMs, s.values, M5, stale);
    if (resolutionMs !== M5) cols = coarsenRollups(cols, resolutionMs, T0, T0 + SPAN);
    return { labels: s.labels, resolutionMs, ...cols };
  });
}

/** Each series' columns as plain arrays (deepEqual compares typed-array views exactly). */
function plain(series: RollupSeriesData[]) {
  return series.map((s) => ({
    labels: s.labels,
    starts: [...s.startsMs],
    columns: [s.counts, s.sums, s.mins, s.maxs, s.firsts, s.lasts, s.increases].map((c) => [...c]),
    times: [[...s.firstTimestampsMs], [...s.lastTimestampsMs]],
  }));
}

/** Resolution of every stored rollup block of series `name` ending before `beforeMs`. */
function blockResolutions(path: string, name: string, beforeMs: number): number[] {
  const db = new Database(path, { readonly: true });
  try {
    const blocks = db
      .prepare(
        `SELECT r.data FROM rollups r JOIN series s ON s.id = r.series_id
         WHERE s.labels = ? AND r.max_ts < ? ORDER BY r.max_ts`,
      )
      .pluck()
      .all(JSON.stringify({ __name__: name }), beforeMs) as Uint8Array[];
    return blocks.map((b) => rollupBlockResolution(b));
  } finally {
    db.close();
  }
}

async function withStore(fn: (store: SqliteStore, path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-hourly-'));
  const path = join(dir, 'h.db');
  const store = createSqliteStore({ path, retentionIntervalMs: 0, compactionBudgetMs: 0 });
  try {
    for (const batch of batches()) await store.append(batch);
    await store.flushHeads();
    await fn(store, path);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('hourly rollups of full-precision float series', () => {
  it('are what compaction keeps of float series; counters keep 5-minute buckets', () =>
    withStore(async (_store, path) => {
      // 0-12 h are compacted (6 h and 2 h windows); the last hour is still in cut blocks.
      assert.deepEqual(blockResolutions(path, 'seconds_sum', T0 + 12 * HOUR), [
        HOUR,
        HOUR,
        HOUR,
        HOUR,
      ]);
      assert.deepEqual(blockResolutions(path, 'ratio', T0 + 12 * HOUR), [HOUR, HOUR, HOUR, HOUR]);
      assert.ok(blockResolutions(path, 'requests', T0 + 12 * HOUR).every((r) => r === M5));
    }));

  it('read back exactly as computed from raw samples, at 5 minutes and at 1 hour', () =>
    withStore(async (store) => {
      for (const resolutionMs of [M5, HOUR, 3 * HOUR]) {
        const stored = await store.selectRollups(ALL, T0, T0 + SPAN, resolutionMs);
        assert.deepEqual(
          plain(stored),
          plain(await fromRaw(store, resolutionMs)),
          `${resolutionMs}`,
        );
      }
      // A range starting within an hour, at 5 minutes: hourly rows give way to raw samples.
      const from = T0 + 2 * HOUR + 25 * 60_000;
      const part = await store.selectRollups(ALL, from, T0 + 5 * HOUR, M5);
      const whole = plain(await fromRaw(store, M5)).map((s) => {
        const keep = s.starts.map((t) => t >= from && t <= T0 + 5 * HOUR);
        return {
          ...s,
          starts: s.starts.filter((_, i) => keep[i]),
          columns: s.columns.map((c) => c.filter((_, i) => keep[i])),
          times: s.times.map((c) => c.filter((_, i) => keep[i])),
        };
      });
      assert.deepEqual(plain(part), whole);
    }));

  it('stay exact after a late write into a compacted hour, in memory and once written', () =>
    withStore(async (store) => {
      const late = {
        labels: { __name__: 'seconds_sum' },
        timestampMs: T0 + HOUR + 25 * 60_000 + 30_000,
        value: 1,
      };
      await store.append([late]);
      // In memory: the head reaches back into the middle of hour 1, within the hourly rows.
      assert.deepEqual(
        plain(await store.selectRollups(ALL, T0, T0 + SPAN, HOUR)),
        plain(await fromRaw(store, HOUR)),
      );
      // Written: a 5-minute row now overlaps an hourly one.
      await store.flushHeads();
      const hourly = await store.selectRollups(ALL, T0, T0 + SPAN, HOUR);
      assert.deepEqual(plain(hourly), plain(await fromRaw(store, HOUR)));
      const sum = hourly.find((s) => s.labels.__name__ === 'seconds_sum');
      assert.equal(sum?.startsMs[1], T0 + HOUR);
      assert.equal(sum?.maxs[1], 1);
    }));
});
