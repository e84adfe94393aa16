/**
 * Opening the store's SQLite file with its pragmas and schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LlmwatchError, isLlmwatchError } from '../core/errors.js';
import { migrateSchema } from './schema.js';

/**
 * Returns the database's free pages to the file system (PRAGMA incremental_vacuum), so the file
 * does not keep its high-water size; a no-op on stores created without auto_vacuum.
 */
export function releaseFreePages(db: Database.Database): void {
  db.pragma('incremental_vacuum');
}

/** Default bound of the write-ahead log before a commit checkpoints it itself: 8 MB. */
export const WAL_AUTOCHECKPOINT_BYTES = 8_388_608;

/**
 * Opens the file with the store's pragmas, wrapping failures in `store_open_failed`.
 * `walAutocheckpointBytes`: write-ahead log size past which a commit checkpoints it (default
 * WAL_AUTOCHECKPOINT_BYTES; larger when a checkpointer.ts worker does it in the background).
 */
export function openDatabase(
  path: string,
  walAutocheckpointBytes = WAL_AUTOCHECKPOINT_BYTES,
): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:' && !path.startsWith('file:'))
      mkdirSync(dirname(path), { recursive: true });
    // A short busy timeout: only this process should write the file, and waiting blocks the loop.
    db = new Database(path, { timeout: 2000 });
    // 16 KiB pages leave less unused space at the end of each page for rows of a few hundred
    // bytes to 2 KiB (merged chunks). auto_vacuum lets releaseFreePages() give pages freed by
    // deleted WAL rows, merged chunks and retention back to the file system. Both take effect
    // only on a new file (before its first table); older stores keep 4 KiB pages and reuse free
    // pages inside the file (VACUUM once converts them).
    db.pragma('page_size = 16384');
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -16000');
    // A checkpoint runs inside the commit that crosses this many pages and blocks it: 8 MB
    // (2,000 pages of 4 KiB, 500 of 16 KiB) copies a page once for many commits yet keeps that
    // pause near 50 ms, where 40 MB paused a 10,000-series append for over 100 ms. With the
    // background checkpointer the bound is larger and rarely reached (pages then mostly copied).
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = Math.max(1, Math.round(walAutocheckpointBytes / pageSize));
    db.pragma(`wal_autocheckpoint = ${pages}`);
    db.pragma('journal_size_limit = 67108864');
    migrateSchema(db, path);
    return db;
  } catch (err) {
    db?.close();
    if (isLlmwatchError(err)) throw err;
    throw new LlmwatchError(
      'store_open_failed',
      `store: cannot open ${JSON.stringify(path)}: ${(err as Error).message}; check store.path points to a writable llmwatch database file`,
      { cause: err },
    );
  }
}
