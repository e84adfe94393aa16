/**
 * Retention: deleting chunks and rollup blocks whose newest sample is older than a cutoff (and
 * 1-hour rollup rows whose day starts before it), then the series left without data. Deletes
 * go series by series through the tables' primary keys (series_id, max_ts, id), so no index on
 * max_ts is needed: one index seek per series.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../core/log.js';
import type { HeadSet } from './head-set.js';
import { MAX_HOURLY_WINDOW_MS } from './rollup-hourly.js';
import type { SeriesCache } from './series-cache.js';
import type { SeriesLabels } from './series-index.js';
import type { Statements } from './statements.js';

/** What one enforceRetention() call deleted. */
export interface RetentionResult {
  deletedChunks: number;
  /** Rows of `rollups`; the 1-hour rows kept beside them (rollup-hourly.ts) are not counted. */
  deletedRollupBlocks: number;
  deletedSeries: number;
}

/** What retention works on. */
export interface RetentionDeps {
  db: Database.Database;
  stmts: Statements;
  heads: HeadSet;
  seriesCache: SeriesCache;
  /** The reader's labels by series id: deleted series are forgotten. */
  seriesLabels?: SeriesLabels;
  path: string;
  logger?: Logger;
}

/**
 * Deletes, in one transaction, chunks and rollup blocks with max_ts before `cutoffMs`, then
 * series with neither stored data nor samples in memory (and their label index rows).
 */
export function deleteExpired(deps: RetentionDeps, cutoffMs: number): RetentionResult {
  const { db, stmts, heads, seriesCache, seriesLabels, path, logger } = deps;
  return db
    .transaction(() => {
      let deletedChunks = 0;
      let deletedRollupBlocks = 0;
      for (const id of stmts.allSeriesIds.all()) {
        deletedChunks += stmts.deleteChunksBefore.run(id, cutoffMs).changes;
        deletedRollupBlocks += stmts.deleteRollupsBefore.run(id, cutoffMs).changes;
        // A 1-hour row goes once its day starts before the cutoff: the part of the day left
        // is read from its remaining 5-minute rows, as it would be without 1-hour rows.
        const seekTo = cutoffMs + MAX_HOURLY_WINDOW_MS;
        stmts.deleteHourlyRollupsBefore.run(id, seekTo, cutoffMs);
      }
      let deletedSeries = 0;
      const removed = new Set<number>();
      for (const id of stmts.seriesWithoutData.all()) {
        if (heads.hasUnsaved(id)) continue;
        const row = stmts.labelsById.get(id);
        const labels = row === undefined ? {} : (JSON.parse(row.labels) as Record<string, string>);
        for (const [name, value] of Object.entries(labels)) stmts.deleteLabel.run(name, value, id);
        stmts.deleteHourlyRollupsInRange.run(id, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        stmts.deleteSeries.run(id);
        heads.remove(id);
        removed.add(id);
        deletedSeries++;
      }
      if (removed.size > 0) seriesCache.deleteIds(removed);
      seriesLabels?.forget(removed);
      logger?.info(
        { path, cutoffMs, deletedChunks, deletedRollupBlocks, deletedSeries },
        'retention enforced',
      );
      return { deletedChunks, deletedRollupBlocks, deletedSeries };
    })
    .immediate();
}
