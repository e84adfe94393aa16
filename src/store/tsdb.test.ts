import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isLlmwatchError } from '../core/errors.js';
import { createSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { LabelMatcher, Sample } from './types.js';

const M: LabelMatcher[] = [{ name: '__name__', type: '=', value: 'm' }];
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000); // an hour boundary

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-tsdb-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function open(path: string, extra: Partial<SqliteStoreOptions> = {}) {
  return createSqliteStore({ path, retentionIntervalMs: 0, ...extra });
}

function count(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

function series(name: string, s: string, ts: number[], value: (i: number) => number): Sample[] {
  return ts.map((t, i) => ({ labels: { __name__: name, s }, timestampMs: t, value: value(i) }));
}

describe('head, chunks and write-ahead log', () => {
  it(
    'cuts chunks at 5-minute boundaries and reads across chunks and head, before and after reopen',
    withDir(async (dir) => {
      const path = join(dir, 'm.db');
      const ts = Array.from({ length: 100 }, (_, i) => T0 + i * 15_000);
      const store = open(path, { chunkSamples: 10 });
      for (const t of ts) await store.append(series('m', 'a', [t], () => t / 1000));
      // 100 samples at 15 s = 25 min: heads cut at each 5-minute boundary once 10 samples are
      // held, i.e. every 20 samples; the last 20 stay in the head.
      assert.equal(count(path, 'chunks'), 4);
      const expectAll = {
        labels: { __name__: 'm', s: 'a' },
        timestampsMs: ts,
        values: ts.map((t) => t / 1000),
      };
      assert.deepEqual(await store.select(M, T0, T0 + 3_600_000), [expectAll]);
      const mid = await store.select(M, ts[15] as number, ts[85] as number);
      assert.deepEqual(mid[0]?.timestampsMs, ts.slice(15, 86));
      assert.deepEqual(await store.stats(), { seriesCount: 1, sampleCount: 100 });
      await store.close();

      const again = open(path, { chunkSamples: 10 });
      assert.deepEqual(await again.select(M, T0, T0 + 3_600_000), [expectAll]);
      await again.flushHeads();
      assert.equal(count(path, 'chunks'), 5);
      assert.equal(count(path, 'wal'), 0);
      assert.deepEqual(await again.select(M, T0, T0 + 3_600_000), [expectAll]);
      await again.close();
    }),
  );

  it(
    'lets the latest write win for overwritten and out-of-order samples already in chunks',
    withDir(async (dir) => {
      const path = join(dir, 'm.db');
      const store = open(path, { chunkSamples: 4 });
      const ts = Array.from({ length: 40 }, (_, i) => T0 + i * 60_000);
      await store.append(series('m', 'a', ts, (i) => i));
      await store.flushHeads();
      await store.append([
        { labels: { __name__: 'm', s: 'a' }, timestampMs: ts[3] as number, value: 300 },
        { labels: { __name__: 'm', s: 'a' }, timestampMs: (ts[3] as number) + 1, value: 301 },
        { labels: { s: 'a', __name__: 'm' }, timestampMs: T0 - 5, value: -1 },
      ]);
      const expectTs = [T0 - 5, ...ts.slice(0, 4), (ts[3] as number) + 1, ...ts.slice(4)];
      const expectValues = [-1, 0, 1, 2, 300, 301, ...ts.slice(4).map((_, i) => i + 4)];
      const check = async (s: typeof store) => {
        const got = await s.select(M, 0, T0 + 86_400_000);
        assert.deepEqual(got[0]?.timestampsMs, expectTs);
        assert.deepEqual(got[0]?.values, expectValues);
        assert.deepEqual(await s.stats(), { seriesCount: 1, sampleCount: 42 });
      };
      await check(store);
      await store.close();
      const reopened = open(path, { chunkSamples: 4 });
      await check(reopened);
      await reopened.flushHeads();
      await check(reopened);
      await reopened.close();
    }),
  );

  it(
    'trims the write-ahead log and cuts idle heads early once maxWalRows is reached',
    withDir(async (dir) => {
      const path = join(dir, 'm.db');
      const store = open(path, { maxWalRows: 10 });
      await store.append(series('m', 'idle', [T0], () => 1));
      for (let i = 1; i <= 12; i++)
        await store.append(series('m', 'busy', [T0 + i * 1000], () => i));
      // The idle series' head held row 1 back; at 10 rows both heads were cut early.
      assert.ok(count(path, 'wal') <= 10, `wal rows: ${count(path, 'wal')}`);
      assert.equal(count(path, 'chunks'), 2);
      await store.close();
      const reopened = open(path);
      const got = await reopened.select(
        [{ name: 's', type: '=~', value: 'idle|busy' }],
        0,
        T0 + 60_000,
      );
      assert.deepEqual(
        got.map((s) => s.values.length),
        [12, 1],
      );
      await reopened.close();
    }),
  );
});

describe('retention', () => {
  it(
    'deletes chunks and rollups older than retentionDays and series left empty',
    withDir(async (dir) => {
      const path = join(dir, 'm.db');
      const store = open(path, { retentionDays: 1 });
      const day = 86_400_000;
      await store.append([
        ...series('m', 'old', [T0, T0 + 60_000], () => 1),
        ...series('m', 'both', [T0, T0 + 2 * day], () => 2),
      ]);
      await store.flushHeads();
      const result = await store.enforceRetention(T0 + 2 * day + 1000);
      assert.deepEqual(result, { deletedChunks: 2, deletedRollupBlocks: 2, deletedSeries: 1 });
      assert.deepEqual(await store.labelValues('s'), ['both']);
      const got = await store.select(M, 0, T0 + 3 * day);
      assert.deepEqual(got, [
        { labels: { __name__: 'm', s: 'both' }, timestampsMs: [T0 + 2 * day], values: [2] },
      ]);
      // A deleted series can be written again.
      await store.append(series('m', 'old', [T0 + 3 * day], () => 3));
      assert.equal(
        (await store.select([{ name: 's', type: '=', value: 'old' }], 0, T0 + 4 * day)).length,
        1,
      );
      await store.close();
    }),
  );
});

describe('limits', () => {
  it('rejects selects over maxSeriesPerSelect and maxSamplesPerSelect', async () => {
    const store = createSqliteStore({
      path: ':memory:',
      maxSeriesPerSelect: 2,
      maxSamplesPerSelect: 3,
    });
    await store.append([
      ...series('m', 'a', [1, 2], () => 1),
      ...series('m', 'b', [1, 2], () => 1),
      ...series('m', 'c', [1, 2], () => 1),
    ]);
    const rejects = (promise: Promise<unknown>, code: string, fragment: string) =>
      assert.rejects(promise, (err: unknown) => {
        assert.ok(isLlmwatchError(err));
        assert.equal(err.code, code);
        assert.ok(err.message.includes(fragment), err.message);
        return true;
      });
    await rejects(store.select(M, 0, 1), 'store_too_many_series', 'maxSeriesPerSelect=2');
    await rejects(
      store.select([{ name: 's', type: '=~', value: 'a|b' }], 0, 10),
      'store_too_many_samples',
      'narrow the label matchers or the time range',
    );
    assert.equal((await store.select([{ name: 's', type: '=~', value: 'a|b' }], 0, 1)).length, 2);
    await rejects(store.selectRollups(M, 0, 10, 60_000), 'store_invalid_resolution', 'got 60000');
    await store.close();
  });
});

describe('schema version 1', () => {
  it(
    'converts row-per-sample stores to chunks on open',
    withDir(async (dir) => {
      const path = join(dir, 'v1.db');
      const db = new Database(path);
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE series (id INTEGER PRIMARY KEY, metric TEXT NOT NULL, labels TEXT NOT NULL UNIQUE);
        CREATE TABLE label_index (name TEXT NOT NULL, value TEXT NOT NULL, series_id INTEGER NOT NULL,
          PRIMARY KEY (name, value, series_id)) WITHOUT ROWID;
        CREATE INDEX label_index_by_series ON label_index (series_id);
        CREATE TABLE samples (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL,
          PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
        INSERT INTO series VALUES (1, 'm', '{"__name__":"m","s":"a"}');
        INSERT INTO label_index VALUES ('__name__', 'm', 1), ('s', 'a', 1);
      `);
      const insert = db.prepare('INSERT INTO samples VALUES (1, ?, ?)');
      for (let i = 0; i < 300; i++) insert.run(i * 1000, i);
      insert.run(300_000, Buffer.from('020000000000f07f', 'hex'));
      db.close();

      const store = open(path, { chunkSamples: 120 });
      const got = await store.select(M, 0, 1e9);
      assert.deepEqual(got[0]?.timestampsMs, [
        ...Array.from({ length: 300 }, (_, i) => i * 1000),
        300_000,
      ]);
      assert.deepEqual(
        got[0]?.values.slice(0, 300),
        Array.from({ length: 300 }, (_, i) => i),
      );
      assert.ok(Number.isNaN(got[0]?.values[300]));
      await store.close();
      assert.equal(count(path, 'chunks'), 3);
      const check = new Database(path, { readonly: true });
      assert.equal(
        check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'samples'").pluck().get(),
        0,
      );
      check.close();
    }),
  );
});

describe('schema version 2', () => {
  it(
    'reads chunks and rollups written before the tagged chunk format, next to new ones',
    withDir(async (dir) => {
      const path = join(dir, 'v2.db');
      const db = new Database(path);
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '2'), ('next_chunk_id', '3');
        CREATE TABLE series (id INTEGER PRIMARY KEY, metric TEXT NOT NULL, labels TEXT NOT NULL UNIQUE,
          cut_wal_id INTEGER NOT NULL DEFAULT 0,
          cut_before_ts INTEGER NOT NULL DEFAULT -9007199254740991);
        CREATE TABLE label_index (name TEXT NOT NULL, value TEXT NOT NULL, series_id INTEGER NOT NULL,
          PRIMARY KEY (name, value, series_id)) WITHOUT ROWID;
        CREATE INDEX label_index_by_series ON label_index (series_id);
        CREATE TABLE wal (id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL);
        CREATE TABLE chunks (series_id INTEGER NOT NULL, max_ts INTEGER NOT NULL, id INTEGER NOT NULL,
          min_ts INTEGER NOT NULL, count INTEGER NOT NULL, data BLOB NOT NULL,
          PRIMARY KEY (series_id, max_ts, id)) WITHOUT ROWID;
        CREATE INDEX chunks_by_max_ts ON chunks (max_ts);
        CREATE TABLE rollups (series_id INTEGER NOT NULL, max_ts INTEGER NOT NULL, id INTEGER NOT NULL,
          min_ts INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series_id, max_ts, id)) WITHOUT ROWID;
        CREATE INDEX rollups_by_max_ts ON rollups (max_ts);
        INSERT INTO series (id, metric, labels) VALUES (1, 'm', '{"__name__":"m","s":"a"}');
        INSERT INTO label_index VALUES ('__name__', 'm', 1), ('s', 'a', 1);
      `);
      // A bare Gorilla chunk and a version 2 rollup block, as llmwatch wrote them, of the
      // samples [T0, 1.5], [T0 + 15 s, staleness marker], [T0 + 30 s, 2.5], [T0 + 400 s, -0].
      const chunk = Buffer.from(
        '00062f3f64cc00ffe00000000000030ea630fd000000000000000a7ff800000000000795aae301d80080',
        'hex',
      );
      const rollup = Buffer.from(
        '0002021500062f3f64cc010000000000000003924f83097ffcc45fffc26fffc00000000000000001037530' +
          '000000000301d800830ad03e1aea365260',
        'hex',
      );
      db.prepare('INSERT INTO chunks VALUES (1, ?, 1, ?, 4, ?)').run(T0 + 400_000, T0, chunk);
      db.prepare('INSERT INTO rollups VALUES (1, ?, 2, ?, ?)').run(T0 + 300_000, T0, rollup);
      db.close();

      const store = open(path);
      const ts = [T0, T0 + 15_000, T0 + 30_000, T0 + 400_000];
      const [got] = await store.select(M, 0, T0 + 3_600_000);
      assert.deepEqual(got?.timestampsMs, ts);
      assert.deepEqual(
        got?.values.filter((_, i) => i !== 1),
        [1.5, 2.5, -0],
      );
      assert.ok(Object.is(got?.values[3], -0));
      assert.deepEqual(got?.staleMask, Uint8Array.from([0, 1, 0, 0]));
      // Schema version 4 deleted the [s, s + R) rollup row and rebuilt left-open buckets from the
      // chunk: T0 (on a boundary) ends the bucket before it; the marker is left out.
      const [r] = await store.selectRollups(M, T0 - 300_000, T0 + 3_600_000, 300_000);
      assert.deepEqual([...(r?.startsMs ?? [])], [T0 - 300_000, T0, T0 + 300_000]);
      assert.deepEqual([...(r?.sums ?? [])], [1.5, 2.5, -0]);
      assert.ok(Object.is(r?.sums[2], -0));
      assert.deepEqual([...(r?.counts ?? [])], [1, 1, 1]);
      assert.deepEqual([...(r?.lastTimestampsMs ?? [])], [T0, T0 + 30_000, T0 + 400_000]);
      // The marker came before the bucket's last sample: the last point is that sample.
      assert.deepEqual([...(r?.lastPointTimestampsMs ?? [])], [T0, T0 + 30_000, T0 + 400_000]);

      // New samples go into tagged chunks beside the old rows; both read back.
      await store.append(series('m', 'a', [T0 + 3_600_000, T0 + 3_615_000], (i) => i + 7));
      await store.flushHeads();
      await store.close();
      const reopened = open(path);
      const [again] = await reopened.select(M, 0, T0 + 7_200_000);
      assert.deepEqual(again?.timestampsMs, [...ts, T0 + 3_600_000, T0 + 3_615_000]);
      assert.deepEqual(again?.values.slice(4), [7, 8]);
      await reopened.close();
      const check = new Database(path, { readonly: true });
      assert.deepEqual(
        check.prepare('SELECT format FROM chunks ORDER BY id').pluck().all(),
        [0, 1],
      );
      // Every rollup block has the current layout (version 6); the rebuild is done.
      assert.deepEqual(
        check.prepare('SELECT DISTINCT hex(substr(data, 1, 2)) FROM rollups').pluck().all(),
        ['0006'],
      );
      assert.equal(
        check.prepare("SELECT count(*) FROM meta WHERE key = 'rollups_rebuild'").pluck().get(),
        0,
      );
      check.close();
    }),
  );
});
