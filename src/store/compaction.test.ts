import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { maxRowBytes } from './compaction-rows.js';
import { createSqliteStore } from './sqlite-store.js';
import type { LabelMatcher, Sample } from './types.js';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (6 * HOUR)); // a 6 h boundary
const STALE = Buffer.from('7ff0000000000002', 'hex').readDoubleBE(0);
const ALL: LabelMatcher[] = [{ name: '__name__', type: '=~', value: '.+' }];

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-compact-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function rows(path: string, table: string, name: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT count(*) FROM ${table} t JOIN series s ON s.id = t.series_id
                WHERE json_extract(s.labels, '$.__name__') = ?`,
      )
      .pluck()
      .get(name) as number;
  } finally {
    db.close();
  }
}

/** 13 h of 15 s samples: a counter, a few-decimal gauge, a float gauge with a marker. */
function batches(): Sample[][] {
  const out: Sample[][] = [];
  let c = 0;
  for (let i = 0; i < 13 * 240; i++) {
    const t = T0 + i * 15_000;
    c += (i * 7919) % 13;
    out.push([
      { labels: { __name__: 'counter' }, timestampMs: t, value: c },
      { labels: { __name__: 'watts' }, timestampMs: t, value: ((i * 37) % 25_000) / 100 },
      { labels: { __name__: 'ratio' }, timestampMs: t, value: i === 100 ? STALE : Math.sin(i) },
    ]);
  }
  return out;
}

describe('compaction', () => {
  it(
    'merges complete windows into fewer rows and reads back the same samples and rollups',
    withDir(async (dir) => {
      const path = join(dir, 'c.db');
      const store = createSqliteStore({ path, retentionIntervalMs: 0, compactionBudgetMs: 0 });
      for (const batch of batches()) await store.append(batch);
      const end = T0 + 13 * HOUR;
      const before = await store.select(ALL, T0, end);
      const rollupsBefore = await store.selectRollups(ALL, T0, end, 300_000);
      await store.flushHeads();
      assert.deepEqual(await store.select(ALL, T0, end), before);
      // A late write over merged rows still wins (merged rows keep their sources' ids).
      await store.append([
        { labels: { __name__: 'counter' }, timestampMs: T0 + 15_000, value: -7 },
      ]);
      await store.flushHeads();
      (before.find((s) => s.labels.__name__ === 'counter')!.values as number[])[1] = -7;
      const after = await store.select(ALL, T0, end);
      assert.deepEqual(after, before);
      assert.equal(after.find((s) => s.labels.__name__ === 'ratio')!.staleMask?.[100], 1);
      const rollupsAfter = await store.selectRollups(ALL, T0 + HOUR, end, 300_000);
      // Compaction re-encodes the blocks: every bucket reads back the same.
      const from = (s: (typeof rollupsBefore)[number]) =>
        s.startsMs.findIndex((t) => t >= T0 + HOUR);
      assert.deepEqual(
        rollupsAfter.map((s) => [...s.startsMs, ...s.sums, ...s.lasts, ...s.increases]),
        rollupsBefore.map((s) => {
          const i = from(s);
          const cut = (c: Float64Array) => [...c.subarray(i)];
          return [...cut(s.startsMs), ...cut(s.sums), ...cut(s.lasts), ...cut(s.increases)];
        }),
      );
      await store.close();

      // 13 h = 26 cuts of 120 samples (30 min; each ends on a half hour, as the sample on a
      // 5-minute boundary closes its left-open bucket, and chunk windows are left-open too).
      // 0-6 h: one 6 h row (encoded again); 6-12 h: three 2 h rows (cuts joined as segments;
      // the 6 h window is not complete an hour before the newest sample); 12-13 h: two cuts;
      // plus the late write.
      const counterRows = rows(path, 'chunks', 'counter');
      assert.equal(counterRows, 7);
      assert.equal(rows(path, 'rollups', 'counter'), 7);
      assert.equal(rows(path, 'chunks', 'watts'), 6);
      // Full-precision float chunks (about 1 KB each) are only joined, and only while two stay
      // under the 2 KB row size; their rollups become 1-hour buckets (26 blocks become 6: one
      // for 0-6 h, three for 6-12 h, the two cuts after).
      assert.equal(rows(path, 'chunks', 'ratio'), 23);
      assert.equal(rows(path, 'rollups', 'ratio'), 6);

      // Reopened, the data reads the same and compaction resumes without redoing work.
      const reopened = createSqliteStore({ path, retentionIntervalMs: 0 });
      assert.deepEqual(await reopened.select(ALL, T0, end), before);
      await reopened.flushHeads();
      await reopened.close();
      assert.equal(rows(path, 'chunks', 'counter'), counterRows);
    }),
  );

  it(
    'creates 16 KiB pages, leaves no WAL rows and gives freed pages back on flush',
    withDir(async (dir) => {
      const path = join(dir, 'v.db');
      const store = createSqliteStore({ path, retentionIntervalMs: 0 });
      for (const batch of batches().slice(0, 2000)) await store.append(batch);
      await store.flushHeads();
      await store.close();
      const db = new Database(path, { readonly: true });
      assert.equal(db.prepare('SELECT count(*) FROM wal').pluck().get(), 0);
      assert.equal(db.pragma('freelist_count', { simple: true }), 0);
      assert.equal(db.pragma('auto_vacuum', { simple: true }), 2);
      const pages = db.pragma('page_count', { simple: true }) as number;
      assert.equal(db.pragma('page_size', { simple: true }), 16384);
      assert.equal(statSync(path).size, pages * 16384);
      db.close();
    }),
  );
});

describe('compaction while appending', () => {
  it(
    'leaves the 2 h window that ends a 6 h window to the 6 h level',
    withDir(async (dir) => {
      const path = join(dir, 'a.db');
      const store = createSqliteStore({ path, retentionIntervalMs: 0 });
      const all = batches();
      for (const batch of all) await store.append(batch);
      const end = T0 + 13 * HOUR;
      const before = await store.select(ALL, T0, end);
      // 0-6 h: one row; 6-10 h: two 2 h rows; 10-12 h: its four cuts, left for the 6 h window
      // due at 13 h; 12-13 h: one cut (the newest head is not cut yet).
      assert.equal(rows(path, 'chunks', 'counter'), 8);
      assert.equal(rows(path, 'rollups', 'counter'), 8);
      // The 6-12 h window is merged once a chunk ending at 13 h or later is written: here the
      // cut of 13-13.5 h, at the first sample after 13.5 h.
      for (let i = 0; i <= 121; i++) {
        const t = end + i * 15_000;
        await store.append([{ labels: { __name__: 'counter' }, timestampMs: t, value: 1e6 + i }]);
      }
      assert.equal(rows(path, 'chunks', 'counter'), 5);
      assert.equal(rows(path, 'rollups', 'counter'), 5);
      assert.deepEqual(await store.select(ALL, T0, end - 1), before);
      await store.close();
    }),
  );
});

describe('rows compaction cannot merge', () => {
  it(
    'are written again after the merged rows, so the pages of the level before empty',
    withDir(async (dir) => {
      const path = join(dir, 'm.db');
      const store = createSqliteStore({ path, retentionIntervalMs: 0, compactionBudgetMs: 0 });
      for (const batch of batches()) await store.append(batch);
      await store.flushHeads();
      await store.close();
      // 0-6 h: the float gauge's 2 h rows (two cuts of about 1 KB each) cannot be joined
      // further; they are written again after the counter's and watts' merged rows.
      const db = new Database(path, { readonly: true });
      const ids = db.prepare(
        `SELECT min(c.id), max(c.id) FROM chunk_index c JOIN series s ON s.id = c.series_id
         WHERE json_extract(s.labels, '$.__name__') = ? AND c.max_ts <= ?`,
      );
      const [ratioMin] = ids.raw().get('ratio', T0 + 6 * HOUR) as [number, number];
      const [, wattsMax] = ids.raw().get('watts', T0 + 6 * HOUR) as [number, number];
      db.close();
      assert.ok(ratioMin > wattsMax, `${ratioMin} > ${wattsMax}`);
    }),
  );

  it(
    'keep their write order: where rows overlap, the latest write still wins',
    withDir(async (dir) => {
      const path = join(dir, 'o.db');
      const store = createSqliteStore({ path, retentionIntervalMs: 0, compactionBudgetMs: 0 });
      const counter = (t: number, value: number): Sample[] => [
        { labels: { __name__: 'counter' }, timestampMs: t, value },
      ];
      for (let i = 0; i < 240; i++) await store.append(counter(T0 + i * 15_000, i));
      await store.flushHeads();
      // A late rewrite overlapping both stored chunks, starting before the second one.
      await store.append(counter(T0 + 15_000, -1));
      await store.append(counter(T0 + 45 * 60_000, -2));
      await store.flushHeads();
      for (let i = 240; i < 3 * 240; i++) await store.append(counter(T0 + i * 15_000, i));
      await store.flushHeads();
      const [series] = await store.select(ALL, T0, T0 + HOUR);
      await store.close();
      const values = series?.values ?? [];
      assert.equal(values.length, 241);
      assert.equal(values[1], -1);
      assert.equal(values[180], -2);
      assert.equal(values[181], 181);
      // The 2 h window was compacted: its 5 rows overlap, so they were only written again (plus
      // two cuts after it).
      assert.equal(rows(path, 'chunks', 'counter'), 7);
    }),
  );
});

describe('compaction and future-dated samples', () => {
  it(
    'one far-future series does not stop the present from being compacted',
    withDir(async (dir) => {
      // Real data: 13 h ending at a 6 h boundary before now (compaction windows are complete).
      const end = Date.now() - (Date.now() % (6 * HOUR));
      const start = end - 13 * HOUR;
      const future = Date.UTC(2100, 0, 1);
      const counterRows = async (name: string, withFuture: boolean) => {
        const path = join(dir, name);
        const store = createSqliteStore({ path, retentionIntervalMs: 0 });
        if (withFuture) {
          for (let i = 0; i < 131; i++) {
            await store.append([
              { labels: { __name__: 'skewed' }, timestampMs: future + i * 15_000, value: i },
            ]);
          }
          await store.flushHeads();
        }
        for (let t = start; t <= end; t += 15_000) {
          await store.append([
            { labels: { __name__: 'counter' }, timestampMs: t, value: t / 15_000 },
          ]);
        }
        await store.flushHeads();
        await store.close();
        return rows(path, 'chunks', 'counter');
      };
      const plain = await counterRows('plain.db', false);
      assert.ok(plain < 13, `13 h of 30-minute chunks compacted into fewer rows, got ${plain}`);
      assert.equal(await counterRows('skewed.db', true), plain);
    }),
  );
});

describe('compaction across a restart', () => {
  it(
    'a level first ready after a restart still starts at the oldest data',
    withDir(async (dir) => {
      const counterRows = async (name: string, restartAt: number | null) => {
        const path = join(dir, name);
        let store = createSqliteStore({ path, retentionIntervalMs: 0 });
        for (let i = 0; i < 13 * 240; i++) {
          if (i === restartAt) {
            await store.close();
            store = createSqliteStore({ path, retentionIntervalMs: 0 });
          }
          const t = T0 + i * 15_000;
          await store.append([{ labels: { __name__: 'counter' }, timestampMs: t, value: i }]);
        }
        await store.flushHeads();
        await store.close();
        return rows(path, 'chunks', 'counter');
      };
      // At 6.5 h the first 6 h window is not ready yet (it waits an hour): no cursor of that level.
      assert.equal(
        await counterRows('restarted.db', 6.5 * 240),
        await counterRows('plain.db', null),
      );
    }),
  );
});

describe('merged row size', () => {
  it('stays inside the page of a WITHOUT ROWID table and under an eighth of a page', () => {
    assert.equal(maxRowBytes(4096), 512);
    assert.equal(maxRowBytes(16384), 2048);
    assert.equal(maxRowBytes(1024), 128);
  });
});
