/**
 * The notification pipeline's SQLite file: silences, the notification log (what each receiver
 * integration was last told about each group) and the delivery history (what was sent to whom,
 * when, and how it went). Separate from the metric store so either can be rebuilt alone.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LlmwatchError } from '../../core/errors.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS notify_silences (
  id TEXT PRIMARY KEY,
  matchers TEXT NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  comment TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notify_log (
  group_key TEXT NOT NULL,
  receiver TEXT NOT NULL,
  integration TEXT NOT NULL,
  firing TEXT NOT NULL,
  resolved TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (group_key, receiver, integration)
);
CREATE TABLE IF NOT EXISTS notify_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  group_key TEXT NOT NULL,
  receiver TEXT NOT NULL,
  integration TEXT NOT NULL,
  status TEXT NOT NULL,
  alerts INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT
);
CREATE INDEX IF NOT EXISTS notify_deliveries_at ON notify_deliveries (at);
`;

/** Opens (creating if needed) the notification database; throws `notify_db_open_failed`. */
export function openNotifyDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: 2000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db?.close();
    throw new LlmwatchError(
      'notify_db_open_failed',
      `notify: cannot open ${JSON.stringify(path)}: ${(err as Error).message}; point the notification database at a writable file`,
      { cause: err },
    );
  }
}
