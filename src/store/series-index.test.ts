import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import { compareLabels } from './labels.js';
import { openDatabase } from './open.js';
import { deleteExpired } from './retention.js';
import { HeadSet } from './head-set.js';
import { SeriesCache } from './series-cache.js';
import { compareRefs, resolveSeries, SeriesLabels } from './series-index.js';
import { createSqliteStore } from './sqlite-store.js';
import { prepareStatements, type Statements } from './statements.js';
import type { Labels } from './types.js';

const DAY_MS = 86_400_000;

/** Label sets whose order differs between compareLabels and naive string orders. */
const LABEL_SETS: Labels[] = [
  { __name__: 'm', a: 'x ' }, // ' ' sorts before '"' (JSON) and after the end of 'x'
  { __name__: 'm', a: 'x' },
  { __name__: 'm', a: 'x', b: '' + '1' },
  { __name__: 'm', ab: 'x' },
  { __name__: 'm', a: 'é' },
  { __name__: 'm', a: '\u0001' },
  { __name__: 'm', a: 'x"y' },
  { __name__: 'm', __proto__x: 'p' },
];

function withStatements(fn: (stmts: Statements, db: Database.Database) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-series-index-'));
  const db = openDatabase(join(dir, 's.db'));
  try {
    fn(prepareStatements(db), db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function insertSeries(stmts: Statements, id: number, labels: Labels): void {
  const key = JSON.stringify(Object.fromEntries(Object.entries(labels).sort()));
  stmts.insertSeries.run(id, key);
  for (const [name, value] of Object.entries(labels)) stmts.insertLabel.run(name, value, id);
}

describe('SeriesLabels', () => {
  it('parses each series once, returns the same frozen object, skips unknown ids', () => {
    withStatements((stmts) => {
      LABEL_SETS.forEach((labels, i) => insertSeries(stmts, 10 + i, labels));
      const cache = new SeriesLabels(stmts);
      const first = cache.refsOf([12, 99, 10]);
      assert.deepEqual(
        first.map((r) => [r.id, r.labels, r.names]),
        [
          [12, { __name__: 'm', a: 'x', b: '1' }, ['__name__', 'a', 'b']],
          [10, { __name__: 'm', a: 'x ' }, ['__name__', 'a']],
        ],
      );
      assert.ok(Object.isFrozen(first[0]?.labels));
      assert.throws(() => {
        (first[0]?.labels as Labels).a = 'changed';
      }, TypeError);
      assert.equal(cache.size, 2);
      const again = cache.refsOf([10, 12]);
      assert.equal(again[0], first[1]);
      assert.equal(again[1], first[0]);

      cache.forget([10]);
      assert.equal(cache.size, 1);
      const reread = cache.refsOf([10]);
      assert.notEqual(reread[0], first[1]);
      assert.deepEqual(reread[0]?.labels, first[1]?.labels);
    });
  });

  it('reads more ids than one query batch', () => {
    withStatements((stmts) => {
      const ids = Array.from({ length: 5000 }, (_, i) => i + 1);
      for (const id of ids) insertSeries(stmts, id, { __name__: 'm', n: String(id) });
      const refs = new SeriesLabels(stmts).refsOf(ids);
      assert.equal(refs.length, 5000);
      assert.deepEqual(refs[4999]?.labels, { __name__: 'm', n: '5000' });
      assert.deepEqual(
        refs.map((r) => r.id),
        ids,
      );
    });
  });

  it('compareRefs orders as compareLabels does; resolveSeries filters by every matcher', () => {
    withStatements((stmts) => {
      LABEL_SETS.forEach((labels, i) => insertSeries(stmts, i + 1, labels));
      const cache = new SeriesLabels(stmts);
      const refs = resolveSeries(stmts, cache, [{ name: '__name__', type: '=', value: 'm' }]);
      assert.deepEqual(
        refs.map((r) => r.id),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
      const byRefs = [...refs].sort(compareRefs).map((r) => r.labels);
      const byLabels = [...refs].map((r) => r.labels).sort(compareLabels);
      assert.deepEqual(byRefs, byLabels);
      assert.deepEqual(byRefs.slice(0, 3), [
        { __name__: 'm', __proto__x: 'p' },
        { __name__: 'm', a: '\u0001' },
        { __name__: 'm', a: 'x' },
      ]);
      const some = resolveSeries(stmts, cache, [
        { name: '__name__', type: '=', value: 'm' },
        { name: 'a', type: '=~', value: 'x.*' },
        { name: 'b', type: '!=', value: '1' },
      ]);
      assert.deepEqual(
        some.map((r) => r.id),
        [1, 2, 7],
      );
    });
  });

  it('retention forgets the series it deletes', () => {
    withStatements((stmts, db) => {
      insertSeries(stmts, 1, { __name__: 'gone' });
      insertSeries(stmts, 2, { __name__: 'kept' });
      stmts.insertChunk.run(2, 5 * DAY_MS, 1, 5 * DAY_MS, 1, new Uint8Array([0]), 1);
      const seriesLabels = new SeriesLabels(stmts);
      seriesLabels.refsOf([1, 2]);
      const heads = new HeadSet({ chunkSamples: 120, maxChunkSpanMs: 7_200_000 });
      const deps = { db, stmts, heads, seriesCache: new SeriesCache(), seriesLabels, path: 'x' };
      assert.equal(deleteExpired(deps, DAY_MS).deletedSeries, 1);
      assert.equal(seriesLabels.size, 1);
      assert.deepEqual(
        seriesLabels.refsOf([1, 2]).map((r) => r.id),
        [2],
      );
    });
  });
});

describe('store selects with cached labels', () => {
  it('returns series sorted by labels, the same label objects each time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-series-index-'));
    const store = createSqliteStore({ path: join(dir, 's.db'), retentionIntervalMs: 0 });
    try {
      const t = 1_700_000_000_000;
      // Written in reverse order, so ids and label order differ.
      const sets = [...LABEL_SETS].reverse();
      await store.append(
        sets.map((labels) => ({ labels: { ...labels }, timestampMs: t, value: 1 })),
      );
      await store.flushHeads();
      await store.append(sets.map((labels) => ({ labels, timestampMs: t + 15_000, value: 2 })));
      const matchers = [{ name: '__name__', type: '=' as const, value: 'm' }];
      const first = await store.selectColumns(matchers, t, t + 15_000);
      const expected = LABEL_SETS.map((l) =>
        Object.fromEntries(Object.entries(l).filter(([, v]) => v !== '')),
      ).sort(compareLabels);
      assert.deepEqual(
        first.map((s) => s.labels),
        expected,
      );
      assert.deepEqual(
        first.map((s) => [...s.values]),
        expected.map(() => [1, 2]),
      );
      const second = await store.select(matchers, t, t);
      assert.deepEqual(
        second.map((s) => s.values),
        expected.map(() => [1]),
      );
      second.forEach((s, i) => assert.equal(s.labels, first[i]?.labels));
      const rollups = await store.selectRollups(matchers, t - 300_000, t + 300_000, 300_000);
      assert.deepEqual(
        rollups.map((s) => s.labels),
        expected,
      );
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
