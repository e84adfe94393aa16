/**
 * Test support: turns a store file of schema version 5 or later (block bytes in `blobs`, `chunks`
 * and `rollups` as views; series and label tables as store-layout-v6.ts leaves them) back into
 * the table layout of schema version 4, exactly as version 4
 * created it, so that tests can check the migrations from older stores on data written by the
 * current code.
 */
import type Database from 'better-sqlite3';
import { toLayoutV6 } from './store-layout-v6.js';

/** Rewrites the open database `db` into the version 4 layout and sets schema_version 4. */
export function toLayoutV4(db: Database.Database): void {
  toLayoutV6(db);
  db.transaction(() => {
    db.exec(`
      CREATE TABLE v4_chunks (
        series_id INTEGER NOT NULL,
        max_ts INTEGER NOT NULL,
        id INTEGER NOT NULL,
        min_ts INTEGER NOT NULL,
        count INTEGER NOT NULL,
        data BLOB NOT NULL,
        format INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (series_id, max_ts, id)
      ) WITHOUT ROWID;
      CREATE TABLE v4_rollups (
        series_id INTEGER NOT NULL,
        max_ts INTEGER NOT NULL,
        id INTEGER NOT NULL,
        min_ts INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (series_id, max_ts, id)
      ) WITHOUT ROWID;
      INSERT INTO v4_chunks SELECT series_id, max_ts, id, min_ts, count, data, format FROM chunks;
      INSERT INTO v4_rollups SELECT series_id, max_ts, id, min_ts, data FROM rollups;
      DROP VIEW chunks;
      DROP VIEW rollups;
      DROP TABLE chunk_index;
      DROP TABLE rollup_index;
      DROP TABLE blobs;
      ALTER TABLE v4_chunks RENAME TO chunks;
      ALTER TABLE v4_rollups RENAME TO rollups;
      UPDATE meta SET value = '4' WHERE key = 'schema_version';
    `);
  })();
}
