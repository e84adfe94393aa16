/**
 * The prepared statements of the SQLite store, prepared once per connection.
 */
import type Database from 'better-sqlite3';
import type { StoredValue } from './values.js';

/** Prepared statements bound to one open database. */
export interface Statements {
  seriesIdByLabels: Database.Statement<[string], { id: number }>;
  insertSeries: Database.Statement<[string, string]>;
  insertLabel: Database.Statement<[string, string, number]>;
  upsertSample: Database.Statement<[number, number, StoredValue]>;
  labelsById: Database.Statement<[number], { labels: string }>;
  allSeriesIds: Database.Statement<[], number>;
  seriesIdsByLabel: Database.Statement<[string, string], number>;
  distinctNames: Database.Statement<[], string>;
  distinctValues: Database.Statement<[{ name: string }], string>;
  samplesInRange: Database.Statement<[number, number, number], [number, unknown]>;
  countSeries: Database.Statement<[], number>;
  countSamples: Database.Statement<[], number>;
}

/** Prepares every statement the store uses. */
export function prepareStatements(db: Database.Database): Statements {
  return {
    seriesIdByLabels: db.prepare('SELECT id FROM series WHERE labels = ?'),
    insertSeries: db.prepare('INSERT INTO series (metric, labels) VALUES (?, ?)'),
    insertLabel: db.prepare(
      'INSERT OR IGNORE INTO label_index (name, value, series_id) VALUES (?, ?, ?)',
    ),
    // A sample at an existing (series, timestamp) replaces the old one.
    upsertSample: db.prepare(
      'INSERT OR REPLACE INTO samples (series_id, ts, value) VALUES (?, ?, ?)',
    ),
    labelsById: db.prepare('SELECT labels FROM series WHERE id = ?'),
    allSeriesIds: db.prepare<[], number>('SELECT id FROM series ORDER BY id').pluck(),
    seriesIdsByLabel: db
      .prepare<[string, string], number>(
        'SELECT series_id FROM label_index WHERE name = ? AND value = ?',
      )
      .pluck(),
    // Loose index scans: one index seek per distinct name or value, not one per row.
    distinctNames: db
      .prepare<[], string>(
        `WITH RECURSIVE names(n) AS (
           SELECT min(name) FROM label_index
           UNION ALL
           SELECT (SELECT min(name) FROM label_index WHERE name > n) FROM names WHERE n IS NOT NULL
         ) SELECT n FROM names WHERE n IS NOT NULL`,
      )
      .pluck(),
    distinctValues: db
      .prepare<[{ name: string }], string>(
        `WITH RECURSIVE label(v) AS (
           SELECT (SELECT min(value) FROM label_index WHERE name = @name)
           UNION ALL
           SELECT (SELECT min(value) FROM label_index WHERE name = @name AND value > v)
           FROM label WHERE v IS NOT NULL
         ) SELECT v FROM label WHERE v IS NOT NULL`,
      )
      .pluck(),
    samplesInRange: db
      .prepare<[number, number, number], [number, unknown]>(
        'SELECT ts, value FROM samples WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts',
      )
      .raw(),
    countSeries: db.prepare<[], number>('SELECT count(*) FROM series').pluck(),
    countSamples: db.prepare<[], number>('SELECT count(*) FROM samples').pluck(),
  };
}
