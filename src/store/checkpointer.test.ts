import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Logger } from '../core/log.js';
import { startCheckpointer } from './checkpointer.js';
import { WAL_AUTOCHECKPOINT_BYTES, openDatabase } from './open.js';
import { createSqliteStore } from './sqlite-store.js';

/** A temporary folder removed after `fn`. */
async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-checkpointer-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits for `condition`, checking every 20 ms, failing after `limitMs` (not a timing claim). */
async function waitFor(condition: () => boolean, limitMs = 20_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > limitMs) assert.fail('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A logger that keeps the messages of its warnings. */
function warningsLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const logger = { warn: (_fields: unknown, message: string) => warnings.push(message) };
  return { logger: logger as unknown as Logger, warnings };
}

describe('background checkpointer', () => {
  it('copies committed pages into the database file while the writer keeps its connection', () =>
    withDir(async (dir) => {
      const path = join(dir, 'db.sqlite');
      const db = openDatabase(path);
      db.pragma('wal_autocheckpoint = 0');
      db.exec('CREATE TABLE t (data BLOB)');
      const insert = db.prepare('INSERT INTO t (data) VALUES (?)');
      for (let i = 0; i < 64; i++) insert.run(Buffer.alloc(16_384, i));
      // Every page is still in the WAL file only.
      assert.ok(statSync(path).size < 200_000, `database file ${statSync(path).size} bytes`);

      const checkpointer = startCheckpointer(path, { intervalMs: 10 });
      await waitFor(() => statSync(path).size > 64 * 16_384);
      await checkpointer.stop();
      assert.equal(db.prepare<[], number>('SELECT count(*) FROM t').pluck().get(), 64);
      db.close();
    }));

  it('warns once when it cannot open the database, and stops cleanly', () =>
    withDir(async (dir) => {
      const { logger, warnings } = warningsLogger();
      const checkpointer = startCheckpointer(join(dir, 'missing.sqlite'), { logger });
      await waitFor(() => warnings.length > 0);
      await checkpointer.stop();
      assert.deepEqual(warnings, [
        'background checkpoint worker stopped; appends checkpoint the write-ahead log themselves',
      ]);
    }));

  it('raises the store connection own checkpoint bound only when a worker runs', () =>
    withDir(async (dir) => {
      const plain = openDatabase(join(dir, 'a.sqlite'));
      const raised = openDatabase(join(dir, 'b.sqlite'), 4 * WAL_AUTOCHECKPOINT_BYTES);
      // 16 KiB pages: 8 MB is 512 pages.
      assert.equal(plain.pragma('wal_autocheckpoint', { simple: true }), 512);
      assert.equal(raised.pragma('wal_autocheckpoint', { simple: true }), 2048);
      plain.close();
      raised.close();
    }));

  it('leaves a closed store as before: WAL file removed, every acknowledged sample read back', () =>
    withDir(async (dir) => {
      const path = join(dir, 'metrics.db');
      const store = createSqliteStore({ path });
      const labels = { __name__: 'm' };
      for (let t = 1; t <= 50; t++) await store.append([{ labels, timestampMs: t, value: t }]);
      assert.equal(existsSync(`${path}-wal`), true);
      await store.close();
      assert.equal(existsSync(`${path}-wal`), false);
      const reopened = createSqliteStore({ path, backgroundCheckpoint: false });
      const got = await reopened.select([{ name: '__name__', type: '=', value: 'm' }], 0, 100);
      assert.equal(got[0]?.timestampsMs.length, 50);
      await reopened.close();
    }));
});
