/**
 * The SQLite schema of the embedded metric store and its migrations.
 *
 * - `series`: one row per label set. `labels` is the canonical JSON (names sorted, empty values
 *   left out) and doubles as the unique key; `metric` repeats `__name__` for readability.
 * - `label_index`: inverted index (label name, value) -> series id, `__name__` included; label
 *   matchers are resolved against it. Up to version 2 a second index (by series) served
 *   deleting a series; retention now deletes a series' rows by its label pairs.
 * - `wal` (version 2): the write-ahead log, one row per append() holding the batch in binary
 *   (wal-codec.ts); rows whose samples are all in chunks are deleted. AUTOINCREMENT keeps ids
 *   growing even after every row was deleted: the checkpoint compares them.
 * - `series.cut_wal_id`, `series.cut_before_ts` (version 2): samples of this series in WAL rows
 *   up to cut_wal_id with timestamps before cut_before_ts are already in chunks (replay skips).
 * - `chunks` (version 2): compressed samples of one series, clustered by series then max_ts;
 *   `id` grows with write order, so where chunks overlap the higher id wins. `format`
 *   (version 3) says how `data` is encoded (chunk-codec.ts): 0 for a bare Gorilla chunk (rows
 *   written before version 3), 1 for a tagged chunk (columns or Gorilla).
 * - `rollups` (version 2): 5-minute aggregates of one series (rollup-codec.ts), laid out like
 *   chunks; each block names its own layout version.
 * - Version 3 drops the indexes on max_ts and label_index by series: retention deletes through
 *   the primary keys (retention.ts), which saves an index entry per row.
 * - Version 4 makes rollup buckets left-open, (s, s + R] instead of [s, s + R): it deletes every
 *   rollup row and sets meta `rollups_rebuild`, and the store rebuilds them from the chunks on
 *   open (rollup-rebuild.ts; the key is deleted when done).
 * - `samples` (version 1 only): one row per sample; converted to chunks on open (migrate-v1.ts).
 * - `meta`: key/value rows; `schema_version` drives migrations, `next_chunk_id` numbers chunks.
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
  `
  ALTER TABLE series ADD COLUMN cut_wal_id INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE series ADD COLUMN cut_before_ts INTEGER NOT NULL DEFAULT -9007199254740991;
  CREATE TABLE wal (id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL);
  CREATE TABLE chunks (
    series_id INTEGER NOT NULL,
    max_ts INTEGER NOT NULL,
    id INTEGER NOT NULL,
    min_ts INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (series_id, max_ts, id)
  ) WITHOUT ROWID;
  CREATE INDEX chunks_by_max_ts ON chunks (max_ts);
  CREATE TABLE rollups (
    series_id INTEGER NOT NULL,
    max_ts INTEGER NOT NULL,
    id INTEGER NOT NULL,
    min_ts INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (series_id, max_ts, id)
  ) WITHOUT ROWID;
  CREATE INDEX rollups_by_max_ts ON rollups (max_ts);
  INSERT OR IGNORE INTO meta (key, value) VALUES ('next_chunk_id', '1');
  `,
  `
  ALTER TABLE chunks ADD COLUMN format INTEGER NOT NULL DEFAULT 0;
  DROP INDEX chunks_by_max_ts;
  DROP INDEX rollups_by_max_ts;
  DROP INDEX label_index_by_series;
  `,
  `
  DELETE FROM rollups;
  INSERT OR REPLACE INTO meta (key, value) VALUES ('rollups_rebuild', '0');
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
