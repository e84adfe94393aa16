/**
 * Rebuilding every stored rollup from the stored chunks, once, after schema version 4 changed
 * the buckets from [s, s + R) to left-open (s, s + R] (rollup.ts). The migration deletes the old
 * rollup rows and sets the meta key `rollups_rebuild` to the last series id done ('0'); this
 * rebuilds series by series in transactions of up to 256 series, moving the key along, so an
 * interrupted rebuild resumes where it stopped. Costs one decode of every stored chunk; samples
 * still in the write-ahead log get their rollups when written as chunks, as usual.
 */
import type Database from 'better-sqlite3';
import type { BlockStore } from './blocks.js';
import { splitEncode } from './compaction-rows.js';
import { encodeRollupBlock } from './rollup-codec.js';
import { ROLLUP_BASE_MS, computeRollups, sliceColumns } from './rollup.js';
import { SampleBuffer } from './sample-buffer.js';
import type { Statements } from './statements.js';

/** Meta key holding the rebuild cursor (the last series id done) while a rebuild is due. */
export const REBUILD_KEY = 'rollups_rebuild';

/** Rollup rows are cut at 6-hour boundaries, as compaction's largest windows leave them. */
const ROW_WINDOW_MS = 21_600_000;

/** Rebuilds the rollups if the migration asked for it; returns the number of series rebuilt. */
export function rebuildRollups(
  db: Database.Database,
  stmts: Statements,
  blocks: BlockStore,
  maxRowBytes: number,
): number {
  const cursor = stmts.readMeta.get(REBUILD_KEY);
  if (cursor === undefined) return 0;
  const seriesAfter = db
    .prepare<[number], number>(
      'SELECT DISTINCT series_id FROM chunk_index WHERE series_id > ? ORDER BY series_id LIMIT 256',
    )
    .pluck();
  const forget = db.prepare<[string]>('DELETE FROM meta WHERE key = ?');
  let after = Number(cursor);
  let rebuilt = 0;
  for (;;) {
    const ids = seriesAfter.all(after);
    db.transaction(() => {
      for (const id of ids) rebuildSeries(stmts, blocks, id, maxRowBytes);
      if (ids.length === 0) forget.run(REBUILD_KEY);
      else stmts.writeMeta.run(REBUILD_KEY, String(ids[ids.length - 1]));
      blocks.saveNextId();
    }).immediate();
    if (ids.length === 0) return rebuilt;
    rebuilt += ids.length;
    after = ids[ids.length - 1] as number;
  }
}

function rebuildSeries(stmts: Statements, blocks: BlockStore, id: number, maxBytes: number): void {
  stmts.deleteRollupsBefore.run(id, Number.MAX_SAFE_INTEGER);
  stmts.deleteHourlyRollupsInRange.run(id, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const buffer = new SampleBuffer();
  blocks.readSamples(id, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, [], buffer);
  const { timestampsMs, values, staleIndices } = buffer.toArrays();
  const cols = computeRollups(timestampsMs, values, ROLLUP_BASE_MS, staleIndices);
  const n = cols.startsMs.length;
  for (let from = 0; from < n;) {
    const window = Math.floor((cols.startsMs[from] as number) / ROW_WINDOW_MS);
    let to = from + 1;
    while (to < n && Math.floor((cols.startsMs[to] as number) / ROW_WINDOW_MS) === window) to++;
    const part = sliceColumns(cols, from, to);
    const pieces = splitEncode(to - from, maxBytes, (a, b) =>
      encodeRollupBlock(sliceColumns(part, a, b)),
    );
    for (const piece of pieces) {
      const first = part.startsMs[piece.from] as number;
      const last = part.startsMs[piece.to - 1] as number;
      stmts.insertRollup.run(id, last, blocks.nextId++, first, piece.bytes);
    }
    from = to;
  }
}
