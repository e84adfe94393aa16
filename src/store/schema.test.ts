import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { toLayoutV4 } from '../../test/support/store-layout-v4.js';
import { toLayoutV6 } from '../../test/support/store-layout-v6.js';
import { STALE_NAN } from '../promql/staleness.js';
import { SCHEMA_VERSION } from './schema.js';
import { createSqliteStore } from './sqlite-store.js';
import type { LabelMatcher, Sample, SeriesData } from './types.js';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 21_600_000); // a 6-hour boundary
const STEP = 15_000;
const ALL: LabelMatcher[] = [{ name: '__name__', type: '=~', value: '.+' }];

/** 8 hours of a decimal counter, a full-precision float counter and a gauge with markers. */
function samples(): Sample[] {
  const out: Sample[] = [];
  let sum = 1234.5;
  for (let i = 0; i < 1920; i++) {
    const t = T0 + i * STEP;
    sum += 0.25 + Math.abs(Math.sin(i)) * 3.1;
    out.push({ labels: { __name__: 'c' }, timestampMs: t, value: i * 3 });
    out.push({ labels: { __name__: 'sum' }, timestampMs: t, value: sum });
    const gauge = i % 97 === 5 ? STALE_NAN : i % 13 === 0 ? -0 : Math.cos(i) / 3;
    out.push({ labels: { __name__: 'g' }, timestampMs: t, value: gauge });
  }
  return out;
}

/** The 64 bits of each value, so NaN payloads and -0 compare exactly. */
function bits(series: SeriesData[]): string[][] {
  return series.map((s) =>
    s.values.map((v) => Buffer.from(new Float64Array([v]).buffer).toString('hex')),
  );
}

describe('schema version 5: block bytes in the blobs table', () => {
  it('migrates a version 4 store: every sample, marker and rollup reads back the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-schema5-'));
    try {
      const path = join(dir, 'v4.db');
      const store = createSqliteStore({ path, retentionIntervalMs: 0 });
      const all = samples();
      for (let i = 0; i < all.length; i += 300) await store.append(all.slice(i, i + 300));
      await store.flushHeads();
      // An out-of-order rewrite overlapping stored chunks: the later write must keep winning.
      await store.append([{ labels: { __name__: 'c' }, timestampMs: T0 + 10 * STEP, value: -7 }]);
      await store.flushHeads();
      const end = T0 + 1920 * STEP;
      const raw = await store.select(ALL, 0, end);
      const rollups = await store.selectRollups(ALL, T0, end, 300_000);
      await store.close();
      assert.equal(raw.find((s) => s.labels.__name__ === 'c')?.values[10], -7);

      const db = new Database(path);
      // 1-hour rollup rows (schema version 9) go with the layout change: not counted.
      const blocks = db
        .prepare('SELECT count(*) FROM blobs WHERE id NOT IN (SELECT id FROM hourly_rollup_index)')
        .pluck()
        .get() as number;
      toLayoutV4(db);
      assert.equal(
        db.prepare('SELECT count(*) FROM chunks').pluck().get(),
        blocks - rollupRows(db),
      );
      db.close();

      const reopened = createSqliteStore({ path, retentionIntervalMs: 0 });
      const again = await reopened.select(ALL, 0, end);
      assert.deepEqual(
        again.map((s) => [s.labels, s.timestampsMs, s.staleMask]),
        raw.map((s) => [s.labels, s.timestampsMs, s.staleMask]),
      );
      assert.deepEqual(bits(again), bits(raw));
      const rolledAgain = await reopened.selectRollups(ALL, T0, end, 300_000);
      assert.deepEqual(rolledAgain, rollups);

      // New blocks take ids after the migrated ones, and still win over older overlapping data.
      await reopened.append([{ labels: { __name__: 'c' }, timestampMs: T0 + 10 * STEP, value: 9 }]);
      await reopened.flushHeads();
      const c = (await reopened.select([{ name: '__name__', type: '=', value: 'c' }], 0, end))[0];
      assert.equal(c?.values[10], 9);
      assert.equal(c?.values[11], 33);
      await reopened.close();

      const check = new Database(path, { readonly: true });
      const version = check.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
      assert.equal(version.pluck().get(), String(SCHEMA_VERSION));
      const tables = check
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .pluck()
        .all();
      assert.ok(tables.includes('blobs') && !tables.includes('chunks'), String(tables));
      // No block bytes without an index row, nor index rows without bytes.
      const orphans = check
        .prepare(
          `SELECT count(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM chunk_index c WHERE c.id = b.id)
             AND NOT EXISTS (SELECT 1 FROM rollup_index r WHERE r.id = b.id)`,
        )
        .pluck()
        .get();
      assert.equal(orphans, 0);
      const indexRows = check
        .prepare('SELECT (SELECT count(*) FROM chunk_index) + (SELECT count(*) FROM rollup_index)')
        .pluck()
        .get();
      assert.equal(indexRows, check.prepare('SELECT count(*) FROM blobs').pluck().get());
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Label sets of the schema 7 test: shared and unique pairs, escapes, non-ASCII, an empty value. */
const LABEL_SETS: Array<Record<string, string>> = [
  { __name__: 'req_total', job: 'api', code: '200' },
  { __name__: 'req_total', job: 'api', code: '500' },
  { __name__: 'req_total', job: 'batch', code: '200', note: '' },
  { __name__: 'temp', room: 'sal\u00e9 "B"\\n', job: 'api' },
  { __name__: 'temp', room: '\u{1f321}', job: 'batch' },
];

function labelSamples(t: number, value: number): Sample[] {
  // Fresh label objects each time: the store must find the series by their labels.
  return LABEL_SETS.map((labels) => ({ labels: { ...labels }, timestampMs: t, value }));
}

describe('schema version 7: series found by a hash of their labels, label pairs stored once', () => {
  it('migrates a version 6 store: same ids, labels, matchers and samples; no duplicate series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-schema7-'));
    try {
      const path = join(dir, 'v6.db');
      const store = createSqliteStore({ path, retentionIntervalMs: 0 });
      for (let i = 0; i < 10; i++) await store.append(labelSamples(T0 + i * STEP, i));
      const before = await store.select(ALL, 0, T0 + 20 * STEP);
      const names = await store.labelNames();
      const jobs = await store.labelValues('job');
      await store.close();
      const db = new Database(path);
      toLayoutV6(db);
      const oldIds = db.prepare('SELECT id, labels FROM series ORDER BY id').raw().all();
      db.close();

      const reopened = createSqliteStore({ path, retentionIntervalMs: 0 });
      assert.deepEqual(await reopened.select(ALL, 0, T0 + 20 * STEP), before);
      assert.deepEqual(await reopened.labelNames(), names);
      assert.deepEqual(await reopened.labelValues('job'), jobs);
      const api = await reopened.select([{ name: 'job', type: '=', value: 'api' }], 0, T0 * 2);
      assert.deepEqual(
        api.map((s) => s.labels),
        [LABEL_SETS[0], LABEL_SETS[1], LABEL_SETS[3]],
      );
      // The same label sets again, and one new series: found, not duplicated.
      await reopened.append([
        ...labelSamples(T0 + 10 * STEP, 10),
        { labels: { __name__: 'temp', room: 'new' }, timestampMs: T0, value: 1 },
      ]);
      await reopened.close();

      const check = new Database(path, { readonly: true });
      const rows = check.prepare('SELECT id, labels FROM series ORDER BY id').raw().all();
      assert.deepEqual(rows.slice(0, 5), oldIds);
      assert.deepEqual(rows[5], [6, '{"__name__":"temp","room":"new"}']);
      const columns = check.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('series');
      assert.deepEqual(columns, ['id', 'labels', 'labels_hash', 'cut_wal_id', 'cut_before_ts']);
      const indexes = check.prepare('SELECT name FROM pragma_index_list(?)').pluck().all('series');
      assert.deepEqual(indexes, ['series_by_labels_hash']);
      const pairs = check.prepare('SELECT count(*) FROM label_pairs').pluck().get();
      // __name__ x2, job x2, code x2, room x3: each once.
      assert.equal(pairs, 9);
      assert.equal(check.prepare('SELECT count(*) FROM label_postings').pluck().get(), 17);
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells apart series whose labels hash the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-schema7-'));
    try {
      const path = join(dir, 'collide.db');
      let store = createSqliteStore({ path, retentionIntervalMs: 0 });
      await store.append(labelSamples(T0, 1));
      await store.close();
      // Another label set with the first one's hash, found first by the index (lower id).
      const db = new Database(path);
      db.exec(`INSERT INTO series (id, labels, labels_hash)
               SELECT 0, '{"__name__":"decoy"}', labels_hash FROM series WHERE id = 1`);
      db.close();

      store = createSqliteStore({ path, retentionIntervalMs: 0 });
      await store.append(labelSamples(T0 + STEP, 2));
      const all = await store.select(ALL, 0, T0 * 2);
      await store.close();
      assert.equal(all.length, LABEL_SETS.length);
      for (const s of all) assert.deepEqual(s.values, [1, 2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function rollupRows(db: Database.Database): number {
  return db.prepare('SELECT count(*) FROM rollups').pluck().get() as number;
}
