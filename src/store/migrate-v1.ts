/**
 * Converts a version-1 store (one `samples` row per sample) to chunks and rollups, then drops
 * the old table, in one transaction: an interrupted conversion leaves the old table to redo.
 */
import type Database from 'better-sqlite3';
import type { BlockStore } from './blocks.js';
import { SeriesHead } from './head.js';
import { decodeValue } from './values.js';

/** Converts the `samples` table if present; returns the number of samples converted. */
export function convertRowSamples(
  db: Database.Database,
  blocks: BlockStore,
  chunkSamples: number,
): number {
  const hasTable = db
    .prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'samples'")
    .pluck()
    .get();
  if (hasTable === 0) return 0;
  const seriesIds = db
    .prepare<[], number>('SELECT DISTINCT series_id FROM samples ORDER BY series_id')
    .pluck();
  const rows = db
    .prepare<[number], [number, unknown]>(
      'SELECT ts, value FROM samples WHERE series_id = ? ORDER BY ts',
    )
    .raw();
  let converted = 0;
  db.transaction(() => {
    for (const id of seriesIds.all()) {
      let head = new SeriesHead(0);
      for (const [ts, stored] of rows.all(id)) {
        head.add(ts, decodeValue(stored));
        converted++;
        if (head.count >= chunkSamples) {
          blocks.writeChunk(id, head);
          head = new SeriesHead(0);
        }
      }
      if (head.count > 0) blocks.writeChunk(id, head);
    }
    db.exec('DROP TABLE samples');
    blocks.saveNextId();
  }).immediate();
  return converted;
}
