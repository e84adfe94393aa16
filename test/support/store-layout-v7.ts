/**
 * Test support: turns a store file of schema version 9 (1-hour rollup rows kept beside the
 * 5-minute ones, rollup-hourly.ts) back into the layout of schema version 7, as version 7 wrote
 * it: the 1-hour rows and their bytes go, so the store holds what the code of version 7 would
 * have written for the same data (its 5-minute rows and its compacted float rows are the same).
 * Rollup blocks stay in the layout they were written in (layout 6 since schema version 8, which
 * version 7 could not read); tests of older block layouts rewrite those separately.
 */
import type Database from 'better-sqlite3';

/** Rewrites the open database `db` into the version 7 layout and sets schema_version 7. */
export function toLayoutV7(db: Database.Database): void {
  db.transaction(() => {
    db.exec(`
      DELETE FROM hourly_rollup_index;
      DROP TABLE hourly_rollup_index;
      DELETE FROM meta WHERE key = 'hourly_rollups_until';
      UPDATE meta SET value = '7' WHERE key = 'schema_version';
    `);
  })();
}
