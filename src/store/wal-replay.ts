/**
 * Replaying the write-ahead log into the heads when a store opens, skipping samples already in
 * chunks: those of rows up to a series' cut_wal_id with timestamps before its cut_before_ts
 * (schema.ts), and those of series deleted by retention since.
 */
import type { HeadSet } from './head-set.js';
import type { Statements } from './statements.js';
import { decodeWalBatch } from './wal-codec.js';

/** Replays every WAL row into `heads`; returns the samples read (replayed or skipped). */
export function replayWal(stmts: Statements, heads: HeadSet): number {
  let samples = 0;
  const cuts = new Map<number, [number, number] | null>();
  for (const [walId, data] of stmts.walRows.iterate()) {
    const batch = decodeWalBatch(data, walId);
    for (let i = 0; i < batch.seriesIds.length; i++) {
      const id = batch.seriesIds[i] as number;
      const t = batch.timestampsMs[i] as number;
      let cut = cuts.get(id);
      if (cut === undefined) {
        cut = stmts.seriesCut.get(id) ?? null; // null: deleted by retention since
        cuts.set(id, cut);
      }
      if (cut === null || (walId <= cut[0] && t < cut[1])) continue;
      heads.add(heads.slotFor(id), t, batch.values[i] as number, walId);
    }
    samples += batch.seriesIds.length;
  }
  return samples;
}
