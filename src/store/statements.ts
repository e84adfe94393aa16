/**
 * The prepared statements of the SQLite store, prepared once per connection.
 */
import type Database from 'better-sqlite3';
import { labelsKeyHash } from './labels.js';

/**
 * A stored chunk or rollup block row: [id, min_ts, max_ts, count, data, format] (rollups: count
 * and format 0).
 */
export type BlockRow = [number, number, number, number, Uint8Array, number];

/** A chunk row of one of several series: a BlockRow followed by its series id. */
export type SeriesBlockRow = [...BlockRow, number];

/** A chunk's index row without its bytes: [id, min_ts, max_ts, count, format, series_id]. */
export type ChunkIndexRow = [number, number, number, number, number, number];

/** See Statements.rollupRowsChanged. */
export type RollupRowsListener = (seriesId: number, span: () => [number, number]) => void;

/** Prepared statements bound to one open database. */
export interface Statements {
  /** The id of the series whose canonical labels key is `key` (by its hash, then the key). */
  seriesIdByLabels: { get(key: string): number | undefined };
  /** (id, canonical labels key). */
  insertSeries: { run(id: number, key: string): void };
  maxSeriesId: Database.Statement<[], number>;
  /** (name, value, series id): the pair (added once), then the posting. */
  insertLabel: { run(name: string, value: string, seriesId: number): void };
  labelsById: Database.Statement<[number], { labels: string }>;
  /** [id, labels] of the series whose ids are in the JSON array given. */
  labelsOfIds: Database.Statement<[string], [number, string]>;
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
  /** (series_id, max_ts, id, min_ts, count, data, format): the bytes, then the index row. */
  insertChunk: { run(...row: [number, number, number, number, number, Uint8Array, number]): void };
  chunksInRange: Database.Statement<[number, number, number], BlockRow>;
  /** As chunksInRange for the series whose ids are in the JSON array given, by series id. */
  chunksOfSeriesInRange: Database.Statement<[string, number, number], SeriesBlockRow>;
  /** As chunksOfSeriesInRange without the bytes (for the block cache). */
  chunkIndexOfSeriesInRange: Database.Statement<[string, number, number], ChunkIndexRow>;
  deleteChunksEndingIn: Database.Statement<[number, number, number]>;
  /** (series, from, to): deletes the rollup rows of a series ending in [from, to). */
  deleteRollupsEndingIn: { run(id: number, fromMs: number, toMs: number): Database.RunResult };
  hasChunkFrom: Database.Statement<[number, number], number>;
  /** (series_id, max_ts, id, min_ts, data): the bytes, then the index row. */
  insertRollup: { run(...row: [number, number, number, number, Uint8Array]): void };
  rollupsInRange: Database.Statement<[number, number, number], BlockRow>;
  /** As rollupsInRange without the bytes: [id, min_ts, max_ts] (for the block cache). */
  rollupIndexInRange: Database.Statement<[number, number, number], [number, number, number]>;
  /** (series_id, max_ts, id, min_ts, data): a 1-hour rollup row (schema version 9). */
  insertHourlyRollup: { run(...row: [number, number, number, number, Uint8Array]): void };
  /** [id, min_ts, max_ts] of the 1-hour rollup rows of a series reaching into [from, to]. */
  hourlyRollupIndexInRange: Database.Statement<[number, number, number], [number, number, number]>;
  /** (series, max_ts, id): deletes one 1-hour rollup row. */
  deleteHourlyRollup: Database.Statement<[number, number, number]>;
  /** Deletes the 1-hour rollup rows of a series reaching into [from, to]. */
  deleteHourlyRollupsInRange: Database.Statement<[number, number, number]>;
  /** (series, cutoff + longest window, cutoff): deletes 1-hour rows starting before cutoff. */
  deleteHourlyRollupsBefore: Database.Statement<[number, number, number]>;
  /** The bytes of block `id` (table blobs); undefined when deleted. */
  blobById: Database.Statement<[number], Uint8Array>;
  /** [id, data] of the blocks whose ids are in the JSON array given. */
  blobsOfIds: Database.Statement<[string], [number, Uint8Array]>;
  deleteChunksBefore: Database.Statement<[number, number]>;
  /** (series, cutoff): deletes the rollup rows of a series ending before the cutoff. */
  deleteRollupsBefore: { run(id: number, cutoffMs: number): Database.RunResult };
  /**
   * Called before every change to a series' `rollup_index` rows made through insertRollup,
   * deleteRollupsEndingIn or deleteRollupsBefore (the only statements that change them), with
   * the series id and a function giving the span of bucket starts [min_ts, max_ts] the changed
   * rows cover (it may run a query: call it only when needed). Caches of a series' assembled
   * rollups listen here.
   */
  readonly rollupRowsChanged: Set<RollupRowsListener>;
  seriesWithoutData: Database.Statement<[], number>;
  deleteSeries: Database.Statement<[number]>;
  /** (name, value, series id): the posting, then the pair when no other series has it. */
  deleteLabel: { run(name: string, value: string, seriesId: number): void };
  seriesWithChunks: Database.Statement<[], number>;
  maxBlockId: Database.Statement<[], number>;
  readMeta: Database.Statement<[string], string>;
  writeMeta: Database.Statement<[string, string]>;
}

/** Prepares every statement the store uses. */
export function prepareStatements(db: Database.Database): Statements {
  const rollupRowsChanged = new Set<RollupRowsListener>();
  const changing = (id: number, span: () => [number, number]): void => {
    for (const listener of rollupRowsChanged) listener(id, span);
  };
  const deleteRollupsEndingIn = db.prepare<[number, number, number]>(
    'DELETE FROM rollup_index WHERE series_id = ? AND max_ts >= ? AND max_ts < ?',
  );
  const firstOfRollupsEndingIn = db
    .prepare<[number, number, number], number | null>(
      'SELECT min(min_ts) FROM rollup_index WHERE series_id = ? AND max_ts >= ? AND max_ts < ?',
    )
    .pluck();
  const deleteRollupsBefore = db.prepare<[number, number]>(
    'DELETE FROM rollup_index WHERE series_id = ? AND max_ts < ?',
  );
  const insertRollup = insertBlock(
    db,
    'INSERT INTO rollup_index (series_id, max_ts, id, min_ts) VALUES (?, ?, ?, ?)',
    (row: [number, number, number, number, Uint8Array]) => [row[0], row[1], row[2], row[3]],
    (row) => [row[2], row[4]],
  );
  return {
    rollupRowsChanged,
    ...seriesStatements(db),
    maxSeriesId: db.prepare<[], number>('SELECT coalesce(max(id), 0) FROM series').pluck(),
    labelsById: db.prepare('SELECT labels FROM series WHERE id = ?'),
    labelsOfIds: db
      .prepare<[string], [number, string]>(
        'SELECT id, labels FROM series WHERE id IN (SELECT value FROM json_each(?))',
      )
      .raw(),
    allSeriesIds: db.prepare<[], number>('SELECT id FROM series ORDER BY id').pluck(),
    seriesIdsByLabel: db
      .prepare<[string, string], number>(
        `SELECT series_id FROM label_postings
         WHERE pair_id = (SELECT id FROM label_pairs WHERE name = ? AND value = ?)
         ORDER BY series_id`,
      )
      .pluck(),
    // Loose index scans: one index seek per distinct name or value, not one per row.
    distinctNames: db
      .prepare<[], string>(
        `WITH RECURSIVE names(n) AS (
           SELECT min(name) FROM label_pairs
           UNION ALL
           SELECT (SELECT min(name) FROM label_pairs WHERE name > n) FROM names WHERE n IS NOT NULL
         ) SELECT n FROM names WHERE n IS NOT NULL`,
      )
      .pluck(),
    distinctValues: db
      .prepare<[{ name: string }], string>(
        `WITH RECURSIVE label(v) AS (
           SELECT (SELECT min(value) FROM label_pairs WHERE name = @name)
           UNION ALL
           SELECT (SELECT min(value) FROM label_pairs WHERE name = @name AND value > v)
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
    insertChunk: insertBlock(
      db,
      `INSERT INTO chunk_index (series_id, max_ts, id, min_ts, count, format)
       VALUES (?, ?, ?, ?, ?, ?)`,
      (row) => [row[0], row[1], row[2], row[3], row[4], row[6]],
      (row) => [row[2], row[5]],
    ),
    chunksInRange: db
      .prepare<[number, number, number], BlockRow>(
        `SELECT id, min_ts, max_ts, count, data, format FROM chunks
         WHERE series_id = ? AND max_ts >= ? AND min_ts <= ?`,
      )
      .raw(),
    // One query for many series: their ids go in as a JSON array (json_each), which saves a
    // statement call per series; SQLite seeks each id in the primary key, in id order.
    chunksOfSeriesInRange: db
      .prepare<[string, number, number], SeriesBlockRow>(
        `SELECT id, min_ts, max_ts, count, data, format, series_id FROM chunks
         WHERE series_id IN (SELECT value FROM json_each(?)) AND max_ts >= ? AND min_ts <= ?
         ORDER BY series_id, max_ts, id`,
      )
      .raw(),
    chunkIndexOfSeriesInRange: db
      .prepare<[string, number, number], ChunkIndexRow>(
        `SELECT id, min_ts, max_ts, count, format, series_id FROM chunk_index
         WHERE series_id IN (SELECT value FROM json_each(?)) AND max_ts >= ? AND min_ts <= ?
         ORDER BY series_id, max_ts, id`,
      )
      .raw(),
    deleteChunksEndingIn: db.prepare(
      'DELETE FROM chunk_index WHERE series_id = ? AND max_ts >= ? AND max_ts < ?',
    ),
    deleteRollupsEndingIn: {
      run(id, fromMs, toMs) {
        changing(id, () => [firstOfRollupsEndingIn.get(id, fromMs, toMs) ?? fromMs, toMs - 1]);
        return deleteRollupsEndingIn.run(id, fromMs, toMs);
      },
    },
    hasChunkFrom: db
      .prepare<[number, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM chunk_index WHERE series_id = ? AND max_ts >= ? LIMIT 1)',
      )
      .pluck(),
    insertRollup: {
      run(...row) {
        changing(row[0], () => [row[3], row[1]]);
        insertRollup.run(...row);
      },
    },
    rollupsInRange: db
      .prepare<[number, number, number], BlockRow>(
        `SELECT id, min_ts, max_ts, 0, data, 0 FROM rollups
         WHERE series_id = ? AND max_ts >= ? AND min_ts <= ?`,
      )
      .raw(),
    rollupIndexInRange: db
      .prepare<[number, number, number], [number, number, number]>(
        `SELECT id, min_ts, max_ts FROM rollup_index
         WHERE series_id = ? AND max_ts >= ? AND min_ts <= ?`,
      )
      .raw(),
    insertHourlyRollup: insertBlock(
      db,
      'INSERT INTO hourly_rollup_index (series_id, max_ts, id, min_ts) VALUES (?, ?, ?, ?)',
      (row) => [row[0], row[1], row[2], row[3]],
      (row) => [row[2], row[4]],
    ),
    hourlyRollupIndexInRange: db
      .prepare<[number, number, number], [number, number, number]>(
        `SELECT id, min_ts, max_ts FROM hourly_rollup_index
         WHERE series_id = ? AND max_ts >= ? AND min_ts <= ? ORDER BY max_ts, id`,
      )
      .raw(),
    deleteHourlyRollup: db.prepare(
      'DELETE FROM hourly_rollup_index WHERE series_id = ? AND max_ts = ? AND id = ?',
    ),
    deleteHourlyRollupsInRange: db.prepare(
      'DELETE FROM hourly_rollup_index WHERE series_id = ? AND max_ts >= ? AND min_ts <= ?',
    ),
    deleteHourlyRollupsBefore: db.prepare(
      'DELETE FROM hourly_rollup_index WHERE series_id = ? AND max_ts < ? AND min_ts < ?',
    ),
    blobById: db.prepare<[number], Uint8Array>('SELECT data FROM blobs WHERE id = ?').pluck(),
    blobsOfIds: db
      .prepare<[string], [number, Uint8Array]>(
        'SELECT id, data FROM blobs WHERE id IN (SELECT value FROM json_each(?))',
      )
      .raw(),
    deleteChunksBefore: db.prepare('DELETE FROM chunk_index WHERE series_id = ? AND max_ts < ?'),
    deleteRollupsBefore: {
      run(id, cutoffMs) {
        changing(id, () => [-Infinity, cutoffMs - 1]);
        return deleteRollupsBefore.run(id, cutoffMs);
      },
    },
    seriesWithoutData: db
      .prepare<[], number>(
        `SELECT id FROM series s
         WHERE NOT EXISTS (SELECT 1 FROM chunk_index c WHERE c.series_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM rollup_index r WHERE r.series_id = s.id)`,
      )
      .pluck(),
    deleteSeries: db.prepare('DELETE FROM series WHERE id = ?'),
    seriesWithChunks: db
      .prepare<[], number>('SELECT DISTINCT series_id FROM chunk_index ORDER BY series_id')
      .pluck(),
    maxBlockId: db.prepare<[], number>('SELECT coalesce(max(id), 0) FROM blobs').pluck(),
    readMeta: db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck(),
    writeMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
  };
}

/**
 * The statements on `series` and the label tables (schema version 7: series found by the hash
 * of their labels key, label pairs stored once and referenced by id; see schema.ts).
 */
function seriesStatements(
  db: Database.Database,
): Pick<Statements, 'seriesIdByLabels' | 'insertSeries' | 'insertLabel' | 'deleteLabel'> {
  const byHash = db
    .prepare<[number, string], number>('SELECT id FROM series WHERE labels_hash = ? AND labels = ?')
    .pluck();
  const insertSeries = db.prepare<[number, string, number]>(
    'INSERT INTO series (id, labels, labels_hash) VALUES (?, ?, ?)',
  );
  const insertPair = db.prepare<[string, string]>(
    'INSERT OR IGNORE INTO label_pairs (name, value) VALUES (?, ?)',
  );
  const insertPosting = db.prepare<[number, string, string]>(
    `INSERT OR IGNORE INTO label_postings (pair_id, series_id)
     SELECT id, ? FROM label_pairs WHERE name = ? AND value = ?`,
  );
  const pairId = db
    .prepare<[string, string], number>('SELECT id FROM label_pairs WHERE name = ? AND value = ?')
    .pluck();
  const deletePosting = db.prepare<[number, number]>(
    'DELETE FROM label_postings WHERE pair_id = ? AND series_id = ?',
  );
  const deleteUnusedPair = db.prepare<[number, number]>(
    `DELETE FROM label_pairs
     WHERE id = ? AND NOT EXISTS (SELECT 1 FROM label_postings WHERE pair_id = ?)`,
  );
  return {
    seriesIdByLabels: { get: (key) => byHash.get(labelsKeyHash(key), key) },
    insertSeries: { run: (id, key) => void insertSeries.run(id, key, labelsKeyHash(key)) },
    insertLabel: {
      run(name, value, seriesId) {
        insertPair.run(name, value);
        insertPosting.run(seriesId, name, value);
      },
    },
    deleteLabel: {
      run(name, value, seriesId) {
        const id = pairId.get(name, value);
        if (id === undefined) return;
        deletePosting.run(id, seriesId);
        deleteUnusedPair.run(id, id);
      },
    },
  };
}

/**
 * Writes a block's bytes into `blobs` and its index row with two plain statements: inserting
 * through the views' INSTEAD OF triggers (schema.ts) costs several times as much per row.
 */
function insertBlock<Row extends unknown[]>(
  db: Database.Database,
  indexSql: string,
  indexPart: (row: Row) => unknown[],
  blobPart: (row: Row) => [number, Uint8Array],
): { run(...row: Row): void } {
  const insertIndex = db.prepare(indexSql);
  const insertBlob = db.prepare('INSERT INTO blobs (id, data) VALUES (?, ?)');
  return {
    run(...row: Row): void {
      insertBlob.run(...blobPart(row));
      insertIndex.run(...indexPart(row));
    },
  };
}
