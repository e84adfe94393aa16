import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { toLayoutV7 } from '../../test/support/store-layout-v7.js';
import { coarsenRollups, computeRollups, type RollupColumns } from './rollup.js';
import { decodeRollupBlock, encodeRollupBlock, rollupBlockResolution } from './rollup-codec.js';
import { createSqliteStore, type SqliteStore } from './sqlite-store.js';
import type { LabelMatcher, RollupSeriesData, Sample } from './types.js';

const HOUR = 3_600_000;
const M5 = 300_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (6 * HOUR)); // a 6 h boundary
const SPAN = 32 * HOUR;
const STALE = Buffer.from('7ff0000000000002', 'hex').readDoubleBE(0);
const ALL: LabelMatcher[] = [{ name: '__name__', type: '=~', value: '.+' }];
/** Series that keep 5-minute rows (few-decimal values), so get 1-hour rows beside them. */
const FIVE_MINUTE_SERIES = ['queue', 'requests_total', 'slow_total', 'tokens_total', 'util'];

/**
 * 26 h of 15 s samples: a counter with resets (7 s past the boundaries), a counter scraped
 * exactly on the boundaries, a few-decimal gauge (its sums depend on the order of additions)
 * with staleness markers and a 100-minute gap, a gauge with NaN values mid-bucket (a NaN first
 * or last in a bucket makes compaction keep the window as 1-hour float rows) and a full-precision
 * float counter (kept as 1-hour rows in `rollups` by compaction), and a counter scraped once a
 * minute.
 */
function samplesAt(i: number): Sample[] {
  const t = T0 + i * 15_000;
  const out: Sample[] = [
    { labels: { __name__: 'requests_total' }, timestampMs: t + 7000, value: (i % 1201) * 3 },
    { labels: { __name__: 'tokens_total' }, timestampMs: t, value: i * 17 + (i % 5) },
    {
      labels: { __name__: 'util' },
      timestampMs: t + 3000,
      value: i % 620 === 10 ? Number.NaN : (i % 23) / 4,
    },
    {
      labels: { __name__: 'latency_sum' },
      timestampMs: t + 7000,
      value: (i * 7919) / 2 ** 30,
    },
  ];
  // Once a minute from 90 minutes in: heads fill in 2 hours, so the one from 5:30 to 7:30 spans
  // the first window's end and is cut after that window was compacted (at 7:00), which writes
  // the window's 1-hour row again.
  if (i % 4 === 1 && i >= 360) {
    out.push({ labels: { __name__: 'slow_total' }, timestampMs: t, value: Math.floor(i / 3) });
  }
  const inGap = t > T0 + 9 * HOUR + 10 * 60_000 && t < T0 + 10 * HOUR + 50 * 60_000;
  if (!inGap) {
    const value = i % 400 === 17 ? STALE : (i % 37) / 10;
    out.push({ labels: { __name__: 'queue' }, timestampMs: t + 11_000, value });
  }
  return out;
}

async function build(path: string, opts: { fromStep: number; toStep: number }): Promise<void> {
  // Compaction runs while appending (not only at the end), as a server's store does.
  const store = createSqliteStore({ path, retentionIntervalMs: 0, compactionBudgetMs: 1000 });
  try {
    for (let i = opts.fromStep; i < opts.toStep; i++) await store.append(samplesAt(i));
    await store.flushHeads();
  } finally {
    await store.close();
  }
}

function open(path: string, retentionDays = 0, blockCacheBytes?: number): SqliteStore {
  const opts = { path, retentionIntervalMs: 0, compactionBudgetMs: 0, retentionDays };
  return createSqliteStore(blockCacheBytes === undefined ? opts : { ...opts, blockCacheBytes });
}

/** A copy of the store at `path` as schema version 7 wrote it (no 1-hour rows). */
function copyAsV7(path: string, to: string): void {
  copyFileSync(path, to);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${to}-wal`);
  const db = new Database(to);
  try {
    toLayoutV7(db);
  } finally {
    db.close();
  }
}

/** Number of 1-hour rows per series name. */
function hourlyRows(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT json_extract(s.labels, '$.__name__') AS name, count(*) AS n
         FROM hourly_rollup_index h JOIN series s ON s.id = h.series_id GROUP BY name`,
      )
      .raw()
      .all() as Array<[string, number]>;
    return Object.fromEntries(rows);
  } finally {
    db.close();
  }
}

/** Each series' columns as plain arrays (deepStrictEqual: NaN equals NaN, 0 differs from -0). */
function plain(series: RollupSeriesData[]) {
  return series.map((s) => ({
    labels: s.labels,
    starts: [...s.startsMs],
    columns: [s.counts, s.sums, s.mins, s.maxs, s.firsts, s.lasts, s.increases].map((c) => [...c]),
    times: [[...s.firstTimestampsMs], [...s.lastTimestampsMs]],
  }));
}

/** Rollups from the store's raw samples: 5-minute buckets, merged into hours, then into R. */
async function fromRaw(store: SqliteStore, from: number, to: number, resolutionMs: number) {
  const raw = await store.select(ALL, T0, to + 6 * HOUR);
  return raw.map((s): RollupSeriesData => {
    const stale = s.staleMask ? [...s.staleMask.keys()].filter((i) => s.staleMask?.[i] === 1) : [];
    const five = computeRollups(s.timestampsMs, s.values, M5, stale);
    let cols: RollupColumns = coarsenRollups(five, HOUR, -Infinity, Infinity);
    cols = coarsenRollups(cols, resolutionMs, from, to);
    return { labels: s.labels, resolutionMs, ...cols };
  });
}

/** [start, end] ranges read: whole, within windows, unaligned, into uncompacted data. */
const RANGES: Array<[number, number]> = [
  [T0, T0 + SPAN],
  [T0 + 7 * HOUR, T0 + 20 * HOUR],
  [T0 + 3 * HOUR + 20 * 60_000, T0 + 13 * HOUR + 10 * 60_000],
  [T0 + 5 * HOUR, T0 + 25 * HOUR + 30 * 60_000],
  [T0 + 8 * HOUR, T0 + 9 * HOUR],
  [T0 + 17 * HOUR + 55 * 60_000, T0 + 18 * HOUR + 5 * 60_000],
  [T0 + 20 * HOUR, T0 + 31 * HOUR + 30 * 60_000],
];
const RESOLUTIONS = [M5, HOUR, 2 * HOUR, 6 * HOUR];

/** Asserts that both stores give the same buckets for every range and resolution. */
async function assertSameReads(a: SqliteStore, b: SqliteStore): Promise<void> {
  for (const resolutionMs of RESOLUTIONS) {
    for (const [from, to] of RANGES) {
      const message = `resolution ${resolutionMs}, [${from - T0}, ${to - T0}]`;
      const left = plain(await a.selectRollups(ALL, from, to, resolutionMs));
      const right = plain(await b.selectRollups(ALL, from, to, resolutionMs));
      assert.deepStrictEqual(left, right, message);
      const cols = await a.selectRollups(ALL, from, to, resolutionMs, ['counts', 'increases']);
      const firstColumns = cols.map((s) => [...s.startsMs, ...s.counts]);
      assert.deepStrictEqual(
        firstColumns,
        right.map((s) => [...s.starts, ...(s.columns[0] as number[])]),
        `${message}, two columns`,
      );
    }
  }
}

describe('1-hour rollup rows beside 5-minute ones (schema version 9)', () => {
  let dir = '';
  let path = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llmwatch-hourly-rows-'));
    path = join(dir, 'new.db');
    await build(path, { fromStep: 0, toStep: SPAN / 15_000 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are written for each day compacted, for series keeping 5-minute rows', () => {
    // T0 is 18:00 UTC: the days end 6 and 30 hours in, and their last windows are compacted an
    // hour later (the data ends 32 h in).
    assert.equal(T0 % 86_400_000, 18 * HOUR);
    const expected = Object.fromEntries(FIVE_MINUTE_SERIES.map((name) => [name, 2]));
    assert.deepStrictEqual(hourlyRows(path), expected);
  });

  it('give the same answers as merging 5-minute rows on read (a version 7 store)', async () => {
    copyAsV7(path, join(dir, 'v7.db'));
    const store = open(path);
    const uncached = open(path, 0, 0);
    const old = open(join(dir, 'v7.db'));
    try {
      assert.deepStrictEqual(hourlyRows(join(dir, 'v7.db')), {});
      await assertSameReads(store, old);
      await assertSameReads(uncached, old);
      assert.deepStrictEqual(
        plain(await store.selectRollups(ALL, T0, T0 + SPAN, HOUR)),
        plain(await fromRaw(store, T0, T0 + SPAN, HOUR)),
      );
    } finally {
      await Promise.all([store.close(), uncached.close(), old.close()]);
    }
  });

  it('are what a read at 1 hour or more takes, never one at 5 minutes', async () => {
    const doctored = join(dir, 'doctored.db');
    copyFileSync(path, doctored);
    const db = new Database(doctored);
    try {
      const [id, bytes] = db
        .prepare(
          `SELECT b.id, b.data FROM hourly_rollup_index h JOIN blobs b ON b.id = h.id
           JOIN series s ON s.id = h.series_id
           WHERE s.labels = '{"__name__":"requests_total"}' AND h.min_ts = ?`,
        )
        .raw()
        .get(T0 + 6 * HOUR) as [number, Uint8Array];
      assert.equal(rollupBlockResolution(bytes), HOUR);
      const cols = decodeRollupBlock(bytes);
      cols.counts[1] = (cols.counts[1] as number) + 1000;
      db.prepare('UPDATE blobs SET data = ? WHERE id = ?').run(encodeRollupBlock(cols, HOUR), id);
    } finally {
      db.close();
    }
    const store = open(doctored);
    const clean = open(path);
    try {
      const name: LabelMatcher[] = [{ name: '__name__', type: '=', value: 'requests_total' }];
      const at = async (s: SqliteStore, resolutionMs: number) =>
        (await s.selectRollups(name, T0 + 7 * HOUR, T0 + 8 * HOUR, resolutionMs))[0]?.counts[0];
      assert.equal(await at(store, HOUR), ((await at(clean, HOUR)) as number) + 1000);
      assert.equal(await at(store, M5), await at(clean, M5));
    } finally {
      await Promise.all([store.close(), clean.close()]);
    }
  });

  it('stay exact after a late write, in memory and once written (then written again)', async () => {
    const late = join(dir, 'late.db');
    const lateV7 = join(dir, 'late-v7.db');
    copyFileSync(path, late);
    copyAsV7(path, lateV7);
    const store = open(late);
    const old = open(lateV7);
    try {
      const sample: Sample = {
        labels: { __name__: 'requests_total' },
        timestampMs: T0 + 8 * HOUR + 12 * 60_000 + 3000,
        value: 5,
      };
      await Promise.all([store.append([sample]), old.append([sample])]);
      await assertSameReads(store, old);
      await Promise.all([store.flushHeads(), old.flushHeads()]);
      // The day's row was written again with the late sample (the read below takes it).
      assert.equal(hourlyRows(late).requests_total, 2);
      await assertSameReads(store, old);
      const read = await store.selectRollups(
        [{ name: '__name__', type: '=', value: 'requests_total' }],
        T0 + 8 * HOUR,
        T0 + 9 * HOUR,
        HOUR,
      );
      assert.equal(read[0]?.counts[0], 241);
    } finally {
      await Promise.all([store.close(), old.close()]);
    }
  });

  it('are deleted by retention once their window starts before the cutoff', async () => {
    const kept = join(dir, 'retained.db');
    const keptV7 = join(dir, 'retained-v7.db');
    copyFileSync(path, kept);
    copyAsV7(path, keptV7);
    const store = open(kept, 1);
    const old = open(keptV7, 1);
    try {
      // Cutoff 4 h in: the first day's row goes, the next day's (from 6 h) stays.
      const now = T0 + 4 * HOUR + 86_400_000;
      await Promise.all([store.enforceRetention(now), old.enforceRetention(now)]);
      const expected = Object.fromEntries(FIVE_MINUTE_SERIES.map((name) => [name, 1]));
      assert.deepStrictEqual(hourlyRows(kept), expected);
      await assertSameReads(store, old);
    } finally {
      await Promise.all([store.close(), old.close()]);
    }
  });

  it('are written by compaction from then on in a store of version 7', async () => {
    const migrated = join(dir, 'migrated.db');
    copyAsV7(path, migrated);
    await build(migrated, { fromStep: SPAN / 15_000, toStep: (SPAN + 24 * HOUR) / 15_000 });
    // Only the days ended since: the one ending 54 h in (compacted before the copy: none).
    const expected = Object.fromEntries(FIVE_MINUTE_SERIES.map((name) => [name, 1]));
    assert.deepStrictEqual(hourlyRows(migrated), expected);
    const store = open(migrated);
    try {
      const whole: [number, number] = [T0, T0 + SPAN + 24 * HOUR];
      assert.deepStrictEqual(
        plain(await store.selectRollups(ALL, ...whole, HOUR)),
        plain(await fromRaw(store, ...whole, HOUR)),
      );
    } finally {
      await store.close();
    }
  });
});
