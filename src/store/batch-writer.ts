/**
 * Writing one append() batch: its new series (with their label index rows) and the batch
 * itself as one write-ahead-log row (wal-codec.ts), in one transaction.
 *
 * Series ids only grow, past deleted series too (a counter in meta, `next_series_id`): WAL rows
 * may still hold samples of a series retention deleted, and replay must never hand them to a
 * newer series with the same id.
 */
import type Database from 'better-sqlite3';
import type { Statements } from './statements.js';
import { encodeWalBatch } from './wal-codec.js';

/** A series first seen in a batch: its canonical key and labels. */
export interface NewSeries {
  key: string;
  labels: Record<string, string>;
}

/** Writes batches; see the file comment. */
export interface BatchWriter {
  /**
   * Inserts `newSeries`, replaces each negative id -k in `ids` by the id of newSeries[k - 1],
   * and appends the batch as a WAL row, in one IMMEDIATE transaction (throws SQLite's error).
   */
  write(
    newSeries: readonly NewSeries[],
    ids: Float64Array,
    ts: Float64Array,
    values: Float64Array,
  ): { walId: number; newIds: number[] };
}

/** A batch writer over the store's statements. */
export function createBatchWriter(db: Database.Database, stmts: Statements): BatchWriter {
  let nextSeriesId = Math.max(
    Number(stmts.readMeta.get('next_series_id') ?? '1'),
    stmts.maxSeriesId.get()! + 1,
  );

  const insertSeries = (newSeries: readonly NewSeries[]): number[] => {
    if (newSeries.length === 0) return [];
    const ids = newSeries.map(({ key, labels }, k) => {
      const id = nextSeriesId + k;
      stmts.insertSeries.run(id, key);
      for (const [name, value] of Object.entries(labels)) {
        if (value !== '') stmts.insertLabel.run(name, value, id);
      }
      return id;
    });
    stmts.writeMeta.run('next_series_id', String(nextSeriesId + newSeries.length));
    return ids;
  };

  const transaction = db.transaction(
    (
      newSeries: readonly NewSeries[],
      ids: Float64Array,
      ts: Float64Array,
      values: Float64Array,
    ) => {
      const newIds = insertSeries(newSeries);
      for (let i = 0; i < ids.length; i++) {
        const ref = ids[i] as number;
        if (ref < 0) ids[i] = newIds[-ref - 1] as number;
      }
      const blob = encodeWalBatch(ids, ts, values, ids.length);
      return { walId: Number(stmts.insertWal.run(blob).lastInsertRowid), newIds };
    },
  );

  return {
    write(newSeries, ids, ts, values) {
      const written = transaction.immediate(newSeries, ids, ts, values);
      nextSeriesId += newSeries.length; // only once committed
      return written;
    },
  };
}
