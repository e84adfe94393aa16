/**
 * The SQLite schema of the embedded metric store and its migrations.
 *
 * - `series`: one row per label set. `labels` is the canonical JSON (names sorted, empty values
 *   left out); up to version 6 it doubled as the unique key and `metric` repeated `__name__`.
 *   Since version 7 a series is found by `labels_hash` (labels.ts), then its labels compared.
 * - `label_index` (up to version 6): inverted index (label name, value) -> series id,
 *   `__name__` included; label matchers are resolved against it. Up to version 2 a second
 *   index (by series) served deleting a series; retention deletes a series' rows by its label
 *   pairs. Version 7 splits it into `label_pairs` (each distinct (name, value) once, with an id)
 *   and `label_postings` (pair id, series id).
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
 * - Version 6: compaction keeps the rollups of full-precision float series as 1-hour buckets
 *   (rollup-codec.ts layout 5); their rows' min_ts and max_ts stay 5-minute bucket starts.
 * - Version 7: see MIGRATE_TO_HASHED_SERIES: `series` is found by `labels_hash` (then the
 *   labels compared) and `label_index` is split into `label_pairs` and `label_postings`.
 * - Version 8: rollup blocks are written in layout 6, with each bucket's last point (staleness
 *   markers included; rollup-codec.ts). Blocks of layouts 4 and 5 are kept and still read.
 * - Version 9: `hourly_rollup_index` (see MIGRATE_TO_HOURLY_ROLLUPS): 1-hour rollup rows kept
 *   beside the 5-minute ones of series that keep those, written by compaction (rollup-hourly.ts).
 * - `samples` (version 1 only): one row per sample; converted to chunks on open (migrate-v1.ts).
 * - `meta`: key/value rows; `schema_version` drives migrations, `next_chunk_id` numbers chunks.
 */
import type Database from 'better-sqlite3';
import { LlmwatchError } from '../core/errors.js';
import { labelsKeyHash } from './labels.js';

/**
 * Version 5: block bytes move to the rowid table `blobs`, keyed by the block id, and `chunks` and
 * `rollups` become views over small index tables joined to it (see the file comment). Old rows
 * get new ids in their old id order (chunks first, then rollups), so that both the blob
 * inserts append and "the higher id wins" keeps its meaning within each table.
 */
const MIGRATE_TO_BLOBS = `
  CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
  CREATE TABLE chunk_index (
    series_id INTEGER NOT NULL,
    max_ts INTEGER NOT NULL,
    id INTEGER NOT NULL,
    min_ts INTEGER NOT NULL,
    count INTEGER NOT NULL,
    format INTEGER NOT NULL,
    PRIMARY KEY (series_id, max_ts, id)
  ) WITHOUT ROWID;
  CREATE TABLE rollup_index (
    series_id INTEGER NOT NULL,
    max_ts INTEGER NOT NULL,
    id INTEGER NOT NULL,
    min_ts INTEGER NOT NULL,
    PRIMARY KEY (series_id, max_ts, id)
  ) WITHOUT ROWID;

  CREATE TEMP TABLE v5_ids (new_id INTEGER PRIMARY KEY, kind INTEGER, series_id, max_ts, id);
  INSERT INTO v5_ids (new_id, kind, series_id, max_ts, id)
    SELECT row_number() OVER (ORDER BY id, series_id, max_ts), 0, series_id, max_ts, id
    FROM chunks;
  INSERT INTO v5_ids (new_id, kind, series_id, max_ts, id)
    SELECT (SELECT count(*) FROM chunks) + row_number() OVER (ORDER BY id, series_id, max_ts),
      1, series_id, max_ts, id
    FROM rollups;
  INSERT INTO blobs (id, data)
    SELECT m.new_id, coalesce(c.data, r.data) FROM v5_ids m
    LEFT JOIN chunks c
      ON m.kind = 0 AND c.series_id = m.series_id AND c.max_ts = m.max_ts AND c.id = m.id
    LEFT JOIN rollups r
      ON m.kind = 1 AND r.series_id = m.series_id AND r.max_ts = m.max_ts AND r.id = m.id
    ORDER BY m.new_id;
  INSERT INTO chunk_index (series_id, max_ts, id, min_ts, count, format)
    SELECT c.series_id, c.max_ts, m.new_id, c.min_ts, c.count, c.format FROM v5_ids m
    JOIN chunks c ON c.series_id = m.series_id AND c.max_ts = m.max_ts AND c.id = m.id
    WHERE m.kind = 0;
  INSERT INTO rollup_index (series_id, max_ts, id, min_ts)
    SELECT r.series_id, r.max_ts, m.new_id, r.min_ts FROM v5_ids m
    JOIN rollups r ON r.series_id = m.series_id AND r.max_ts = m.max_ts AND r.id = m.id
    WHERE m.kind = 1;
  INSERT OR REPLACE INTO meta (key, value)
    SELECT 'next_chunk_id', CAST(coalesce(max(new_id), 0) + 1 AS TEXT) FROM v5_ids;
  DROP TABLE v5_ids;
  DROP TABLE chunks;
  DROP TABLE rollups;

  CREATE VIEW chunks AS
    SELECT c.series_id, c.max_ts, c.id, c.min_ts, c.count, b.data, c.format
    FROM chunk_index c JOIN blobs b ON b.id = c.id;
  CREATE TRIGGER chunks_insert INSTEAD OF INSERT ON chunks BEGIN
    INSERT INTO blobs (id, data) VALUES (new.id, new.data);
    INSERT INTO chunk_index (series_id, max_ts, id, min_ts, count, format)
      VALUES (new.series_id, new.max_ts, new.id, new.min_ts, new.count, coalesce(new.format, 0));
  END;
  CREATE TRIGGER chunks_delete INSTEAD OF DELETE ON chunks BEGIN
    DELETE FROM chunk_index
      WHERE series_id = old.series_id AND max_ts = old.max_ts AND id = old.id;
  END;
  CREATE TRIGGER chunk_index_delete AFTER DELETE ON chunk_index BEGIN
    DELETE FROM blobs WHERE id = old.id;
  END;
  CREATE VIEW rollups AS
    SELECT r.series_id, r.max_ts, r.id, r.min_ts, b.data
    FROM rollup_index r JOIN blobs b ON b.id = r.id;
  CREATE TRIGGER rollups_insert INSTEAD OF INSERT ON rollups BEGIN
    INSERT INTO blobs (id, data) VALUES (new.id, new.data);
    INSERT INTO rollup_index (series_id, max_ts, id, min_ts)
      VALUES (new.series_id, new.max_ts, new.id, new.min_ts);
  END;
  CREATE TRIGGER rollups_delete INSTEAD OF DELETE ON rollups BEGIN
    DELETE FROM rollup_index
      WHERE series_id = old.series_id AND max_ts = old.max_ts AND id = old.id;
  END;
  CREATE TRIGGER rollup_index_delete AFTER DELETE ON rollup_index BEGIN
    DELETE FROM blobs WHERE id = old.id;
  END;
`;

/** The SQL function version 7 computes `series.labels_hash` with (registered while migrating). */
const HASH_FUNCTION = 'llmwatch_labels_hash';

/**
 * Version 7: `series` loses its UNIQUE labels index (a second copy of every label set) and
 * `metric` column for a 47-bit hash of the labels (labels.ts labelsKeyHash, through the SQL
 * function HASH_FUNCTION) with a plain index; `label_index`, one (name, value) text pair per
 * series and label, becomes `label_pairs` (each distinct pair once, with an id) and
 * `label_postings` (pair id, series id).
 */
const MIGRATE_TO_HASHED_SERIES = `
  CREATE TABLE series_v7 (
    id INTEGER PRIMARY KEY,
    labels TEXT NOT NULL,
    labels_hash INTEGER NOT NULL,
    cut_wal_id INTEGER NOT NULL DEFAULT 0,
    cut_before_ts INTEGER NOT NULL DEFAULT -9007199254740991
  );
  INSERT INTO series_v7 (id, labels, labels_hash, cut_wal_id, cut_before_ts)
    SELECT id, labels, ${HASH_FUNCTION}(labels), cut_wal_id, cut_before_ts FROM series
    ORDER BY id;
  DROP TABLE series;
  ALTER TABLE series_v7 RENAME TO series;
  CREATE INDEX series_by_labels_hash ON series (labels_hash);

  CREATE TABLE label_pairs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (name, value)
  );
  INSERT INTO label_pairs (name, value)
    SELECT DISTINCT name, value FROM label_index ORDER BY name, value;
  CREATE TABLE label_postings (
    pair_id INTEGER NOT NULL,
    series_id INTEGER NOT NULL,
    PRIMARY KEY (pair_id, series_id)
  ) WITHOUT ROWID;
  INSERT INTO label_postings (pair_id, series_id)
    SELECT p.id, l.series_id FROM label_index l
    JOIN label_pairs p ON p.name = l.name AND p.value = l.value
    ORDER BY p.id, l.series_id;
  DROP TABLE label_index;
`;

/**
 * Version 9: 1-hour rollup blocks (rollup-codec.ts layout 5) of series that also keep 5-minute
 * rows, one row per series and compacted UTC day, keyed like rollup_index; `min_ts` and `max_ts`
 * are the first and last 5-minute bucket start the row stands for (the whole day, whatever
 * buckets hold data). Their bytes live in `blobs` like the others. Nothing is
 * converted: windows compacted before this version keep 5-minute rows only, which readers merge
 * as before (rollup-hourly.ts).
 */
const MIGRATE_TO_HOURLY_ROLLUPS = `
  CREATE TABLE hourly_rollup_index (
    series_id INTEGER NOT NULL,
    max_ts INTEGER NOT NULL,
    id INTEGER NOT NULL,
    min_ts INTEGER NOT NULL,
    PRIMARY KEY (series_id, max_ts, id)
  ) WITHOUT ROWID;
  CREATE TRIGGER hourly_rollup_index_delete AFTER DELETE ON hourly_rollup_index BEGIN
    DELETE FROM blobs WHERE id = old.id;
  END;
`;

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
  MIGRATE_TO_BLOBS,
  // Version 6: rollup blocks may hold 1-hour buckets (rollup-codec.ts layout 5), which older
  // versions cannot read; nothing to convert.
  'SELECT 1;',
  MIGRATE_TO_HASHED_SERIES,
  // Version 8: rollup blocks are written in layout 6 (rollup-codec.ts: the bucket's last point,
  // staleness markers included), which older versions cannot read. Older blocks stay as they
  // are; readers read raw samples where they would need the missing column.
  'SELECT 1;',
  MIGRATE_TO_HOURLY_ROLLUPS,
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

  db.function(HASH_FUNCTION, { deterministic: true }, (labels) => labelsKeyHash(String(labels)));
  const from = db
    .transaction(() => {
      const version = Number(readVersion.get()?.value ?? '0');
      if (!Number.isInteger(version) || version > SCHEMA_VERSION) {
        throw new LlmwatchError(
          'store_schema_too_new',
          `store: ${path} has schema version ${version}, this llmwatch knows up to ${SCHEMA_VERSION}; upgrade llmwatch or use another store.path`,
        );
      }
      for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
      if (version !== SCHEMA_VERSION) writeVersion.run(String(SCHEMA_VERSION));
      return version;
    })
    .immediate();
  // Versions 5 and 7 copy tables: give the old tables' pages back (no-op without auto_vacuum).
  if (from < 7 && from > 0) db.pragma('incremental_vacuum');
}
