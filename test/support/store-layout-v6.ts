/**
 * Test support: turns a store file of schema version 7 or later (series found by a hash of
 * their labels, label pairs stored once; later versions first go back to version 7,
 * store-layout-v7.ts) back into the series and label tables of schema version 6, exactly as
 * versions 1 to 6 created them, so that tests can check the migration from older stores on data
 * written by the current code.
 */
import type Database from 'better-sqlite3';
import { toLayoutV7 } from './store-layout-v7.js';

/** Rewrites the open database `db` into the version 6 layout and sets schema_version 6. */
export function toLayoutV6(db: Database.Database): void {
  toLayoutV7(db);
  db.transaction(() => {
    db.exec(`
      CREATE TABLE v6_series (
        id INTEGER PRIMARY KEY,
        metric TEXT NOT NULL,
        labels TEXT NOT NULL UNIQUE,
        cut_wal_id INTEGER NOT NULL DEFAULT 0,
        cut_before_ts INTEGER NOT NULL DEFAULT -9007199254740991
      );
      INSERT INTO v6_series (id, metric, labels, cut_wal_id, cut_before_ts)
        SELECT id, json_extract(labels, '$.__name__'), labels, cut_wal_id, cut_before_ts
        FROM series;
      CREATE TABLE label_index (
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        series_id INTEGER NOT NULL,
        PRIMARY KEY (name, value, series_id)
      ) WITHOUT ROWID;
      INSERT INTO label_index (name, value, series_id)
        SELECT p.name, p.value, l.series_id FROM label_postings l
        JOIN label_pairs p ON p.id = l.pair_id;
      DROP TABLE series;
      DROP TABLE label_pairs;
      DROP TABLE label_postings;
      ALTER TABLE v6_series RENAME TO series;
      UPDATE meta SET value = '6' WHERE key = 'schema_version';
    `);
  })();
}
