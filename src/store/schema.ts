/**
 * The SQLite schema of the embedded metric store and its migrations.
 *
 * - `series`: one row per label set. `labels` is the canonical JSON (names sorted, empty values
 *   left out) and doubles as the unique key; `metric` repeats `__name__` for readability.
 * - `label_index`: inverted index (label name, value) -> series id, `__name__` included; label
 *   matchers are resolved against it. The second index serves deleting a series (retention).
 * - `samples`: (series_id, ts) -> value, clustered by series then time (WITHOUT ROWID), so a
 *   range read of one series is one contiguous scan. `value` is REAL; NaN is an 8-byte BLOB
 *   (see values.ts).
 * - `meta`: key/value rows; `schema_version` drives migrations.
 */
import type Database from 'better-sqlite3';
import { LlmwatchError } from '../core/errors.js';

/** Each entry migrates from schema version `index` to `index + 1`. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    metric TEXT NOT NULL,
    labels TEXT NOT NULL UNIQUE
  );
  CREATE TABLE label_index (
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    series_id INTEGER NOT NULL,
    PRIMARY KEY (name, value, series_id)
  ) WITHOUT ROWID;
  CREATE INDEX label_index_by_series ON label_index (series_id);
  CREATE TABLE samples (
    series_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    value REAL,
    PRIMARY KEY (series_id, ts)
  ) WITHOUT ROWID;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database to SCHEMA_VERSION in one transaction. Throws LlmwatchError
 * `store_schema_too_new` when the file was written by a newer llmwatch.
 */
export function migrateSchema(db: Database.Database, path: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const readVersion = db.prepare<[], { value: string }>(
    "SELECT value FROM meta WHERE key = 'schema_version'",
  );
  const writeVersion = db.prepare<[string]>(
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
  );

  db.transaction(() => {
    const version = Number(readVersion.get()?.value ?? '0');
    if (!Number.isInteger(version) || version > SCHEMA_VERSION) {
      throw new LlmwatchError(
        'store_schema_too_new',
        `store: ${path} has schema version ${version}, this llmwatch knows up to ${SCHEMA_VERSION}; upgrade llmwatch or use another store.path`,
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
    if (version !== SCHEMA_VERSION) writeVersion.run(String(SCHEMA_VERSION));
  }).immediate();
}
