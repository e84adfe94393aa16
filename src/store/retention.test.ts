// Retention and series ids: a series deleted by retention may still have samples in write-ahead
// log rows (other heads keep those rows), so its id must never be given to a newer series, or
// replay after a restart would hand the old samples to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from './sqlite-store.js';

const DAY_MS = 86_400_000;

test('series ids are never reused after retention deletes the newest series', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-retention-'));
  const path = join(dir, 'store.db');
  const opts = { path, retentionDays: 30, retentionIntervalMs: 0 };
  const now = 1_796_400_000_000;
  try {
    let store = createSqliteStore(opts);
    await store.append([{ labels: { __name__: 'kept' }, timestampMs: now, value: 1 }]);
    await store.append([
      { labels: { __name__: 'expired' }, timestampMs: now - 40 * DAY_MS, value: 2 },
    ]);
    await store.flushHeads();
    const result = await store.enforceRetention(now);
    assert.equal(result.deletedSeries, 1);
    // Its label pair went with it (no other series has it); the shared name stays.
    assert.deepEqual(await store.labelValues('__name__'), ['kept']);
    assert.deepEqual(await store.labelNames(), ['__name__']);
    await store.close();

    // A restart in between: the next id must come from what was persisted, not max(id) + 1.
    store = createSqliteStore(opts);
    await store.append([{ labels: { __name__: 'fresh' }, timestampMs: now + 1000, value: 3 }]);
    await store.close();

    const db = new Database(path, { readonly: true });
    const rows = db
      .prepare("SELECT id, json_extract(labels, '$.__name__') AS metric FROM series ORDER BY id")
      .all();
    const pairs = db.prepare('SELECT name, value FROM label_pairs ORDER BY id').raw().all();
    db.close();
    assert.deepEqual(rows, [
      { id: 1, metric: 'kept' },
      { id: 3, metric: 'fresh' },
    ]);
    assert.deepEqual(pairs, [
      ['__name__', 'kept'],
      ['__name__', 'fresh'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retention first runs a minute after opening, not only after the hourly interval', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-retention-'));
  const path = join(dir, 'store.db');
  const now = Date.now();
  try {
    const seed = createSqliteStore({ path, retentionIntervalMs: 0 });
    await seed.append([{ labels: { __name__: 'old' }, timestampMs: now - 40 * DAY_MS, value: 1 }]);
    await seed.flushHeads();
    await seed.close();

    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const store = createSqliteStore({ path, retentionDays: 30 }); // default hourly interval
    const count = async () =>
      (await store.select([{ name: '__name__', type: '=', value: 'old' }], 0, now)).length;
    assert.equal(await count(), 1);
    t.mock.timers.tick(59_000);
    assert.equal(await count(), 1);
    t.mock.timers.tick(1_000);
    assert.equal(await count(), 0);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
