/**
 * The prepared statements of the SQLite store, prepared once per connection.
 */
import type Database from 'better-sqlite3';

/**
 * A stored chunk or rollup block row: [id, min_ts, max_ts, count, data, format] (rollups: count
 * and format 0).
 */
export type BlockRow = [number, number, number, number, Uint8Array, number];

/** Prepared statements bound to one open database. */
export interface Statements {
  seriesIdByLabels: Database.Statement<[string], number>;
  insertSeries: Database.Statement<[number, string, string]>;
  maxSeriesId: Database.Statement<[], number>;
  insertLabel: Database.Statement<[string, string, number]>;
  labelsById: Database.Statement<[number], { labels: string }>;
  allSeriesIds: Database.Statement<[], number>;
  seriesIdsByLabel: Database.Statement<[string, string], number>;
  distinctNames: Database.Statement<[], string>;
  distinctValues: Database.Statement<[{ name: string }], string>;
  countSeries: Database.Statement<[], number>;
  insertWal: Database.Statement<[Uint8Array]>;
  walRows: Database.Statement<[], [number, Uint8Array]>;
  deleteWalBefore: Database.Statement<[number]>;
  lastWalId: Database.Statement<[], number>;
  seriesCut: Database.Statement<[number], [number, number]>;
  updateSeriesCut: Database.Statement<[number, number, number]>;
  insertChunk: Database.Statement<[number, number, number, number, number, Uint8Array, number]>;
  chunksInRange: Database.Statement<[number, number, number], BlockRow>;
  deleteChunksEndingIn: Database.Statement<[number, number, number]>;
  deleteRollupsEndingIn: Database.Statement<[number, number, number]>;
  hasChunkFrom: Database.Statement<[number, number], number>;
  insertRollup: Database.Statement<[number, number, number, number, Uint8Array]>;
  rollupsInRange: Database.Statement<[number, number, number], BlockRow>;
  deleteChunksBefore: Database.Statement<[number, number]>;
  deleteRollupsBefore: Database.Statement<[number, number]>;
  seriesWithoutData: Database.Statement<[], number>;
  deleteSeries: Database.Statement<[number]>;
  deleteLabel: Database.Statement<[string, string, number]>;
  seriesWithChunks: Database.Statement<[], number>;
  readMeta: Database.Statement<[string], string>;
  writeMeta: Database.Statement<[string, string]>;
}

/** Prepares every statement the store uses. */
export function prepareStatements(db: Database.Database): Statements {
  return {
    seriesIdByLabels: db
      .prepare<[string], number>('SELECT id FROM series WHERE labels = ?')
      .pluck(),
    insertSeries: db.prepare('INSERT INTO series (id, metric, labels) VALUES (?, ?, ?)'),
    maxSeriesId: db.prepare<[], number>('SELECT coalesce(max(id), 0) FROM series').pluck(),
    insertLabel: db.prepare(
      'INSERT OR IGNORE INTO label_index (name, value, series_id) VALUES (?, ?, ?)',
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
    countSeries: db.prepare<[], number>('SELECT count(*) FROM series').pluck(),
    insertWal: db.prepare('INSERT INTO wal (data) VALUES (?)'),
    walRows: db.prepare<[], [number, Uint8Array]>('SELECT id, data FROM wal ORDER BY id').raw(),
    deleteWalBefore: db.prepare('DELETE FROM wal WHERE id < ?'),
    lastWalId: db
      .prepare<[], number>("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'wal'")
      .pluck(),
    seriesCut: db
      .prepare<[number], [number, number]>(
        'SELECT cut_wal_id, cut_before_ts FROM series WHERE id = ?',
      )
      .raw(),
    updateSeriesCut: db.prepare('UPDATE series SET cut_wal_id = ?, cut_before_ts = ? WHERE id = ?'),
    insertChunk: db.prepare(
      `INSERT INTO chunks (series_id, max_ts, id, min_ts, count, data, format)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    chunksInRange: db
      .prepare<[number, number, number], BlockRow>(
        `SELECT id, min_ts, max_ts, count, data, format FROM chunks
         WHERE series_id = ? AND max_ts >= ? AND min_ts <= ?`,
      )
      .raw(),
    deleteChunksEndingIn: db.prepare(
      'DELETE FROM chunks WHERE series_id = ? AND max_ts >= ? AND max_ts < ?',
    ),
    deleteRollupsEndingIn: db.prepare(
      'DELETE FROM rollups WHERE series_id = ? AND max_ts >= ? AND max_ts < ?',
    ),
    hasChunkFrom: db
      .prepare<[number, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM chunks WHERE series_id = ? AND max_ts >= ? LIMIT 1)',
      )
      .pluck(),
    insertRollup: db.prepare(
      'INSERT INTO rollups (series_id, max_ts, id, min_ts, data) VALUES (?, ?, ?, ?, ?)',
    ),
    rollupsInRange: db
      .prepare<[number, number, number], BlockRow>(
        `SELECT id, min_ts, max_ts, 0, data, 0 FROM rollups
         WHERE series_id = ? AND max_ts >= ? AND min_ts <= ?`,
      )
      .raw(),
    deleteChunksBefore: db.prepare('DELETE FROM chunks WHERE series_id = ? AND max_ts < ?'),
    deleteRollupsBefore: db.prepare('DELETE FROM rollups WHERE series_id = ? AND max_ts < ?'),
    seriesWithoutData: db
      .prepare<[], number>(
        `SELECT id FROM series s
         WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.series_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM rollups r WHERE r.series_id = s.id)`,
      )
      .pluck(),
    deleteSeries: db.prepare('DELETE FROM series WHERE id = ?'),
    deleteLabel: db.prepare(
      'DELETE FROM label_index WHERE name = ? AND value = ? AND series_id = ?',
    ),
    seriesWithChunks: db
      .prepare<[], number>('SELECT DISTINCT series_id FROM chunks ORDER BY series_id')
      .pluck(),
    readMeta: db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck(),
    writeMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
  };
}
