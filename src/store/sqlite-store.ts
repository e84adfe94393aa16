/**
 * The embedded metric store on SQLite (better-sqlite3, WAL journal mode), laid out like
 * Prometheus's TSDB: a compressed in-memory head per series, a write-ahead log for durability
 * and compressed chunks (chunk-codec.ts) with 5-minute rollups on disk, merged into bigger rows
 * by compaction.ts (see schema.ts).
 *
 * append() commits ONE row (the batch in binary, wal-codec.ts) plus any new series
 * (batch-writer.ts), then adds the samples to the heads; once its promise resolves the batch survives the process being
 * killed. Heads that are due are cut into chunks right after, in a second transaction, and WAL
 * rows whose samples are all in chunks are deleted. Opening replays the WAL into the heads
 * (wal-replay.ts).
 *
 * Limitation: better-sqlite3 is synchronous, so a batch is written on the calling thread and
 * blocks the event loop while it runs (see bench/store.ts for the cost per sample); only the
 * checkpoints of SQLite's write-ahead log run on a worker thread (checkpointer.ts).
 * Limitation: with synchronous=NORMAL a power loss or OS crash (not a process crash) can lose
 * the last acknowledged batches.
 */
import { LlmwatchError } from '../core/errors.js';
import { createBatchWriter } from './batch-writer.js';
import { resolveBatch, type NewBatchSeries } from './batch-resolve.js';
import type { BlockCacheStats, BlockKindStats } from './block-cache.js';
import { BlockStore } from './blocks.js';
import { Compactor } from './compaction.js';
import { maxRowBytes } from './compaction-rows.js';
import { memoryStatsOf, type StoreMemoryStats } from './memory-stats.js';
import { HeadSet } from './head-set.js';
import { convertRowSamples } from './migrate-v1.js';
import { startCheckpointer } from './checkpointer.js';
import { WAL_AUTOCHECKPOINT_BYTES, openDatabase, releaseFreePages } from './open.js';
import { createReader } from './reader.js';
import { parseStoreOptions, type SqliteStoreOptions } from './store-options.js';
import { deleteExpired, type RetentionResult } from './retention.js';
import { prepareStatements } from './statements.js';
import type {
  LabelMatcher,
  MetricStore,
  RollupColumnName,
  RollupReadOptions,
  RollupSeriesData,
} from './types.js';
import { rebuildRollups } from './rollup-rebuild.js';
import { resolveSeries, SeriesLabels } from './series-index.js';
import { SeriesCache } from './series-cache.js';
import { replayWal } from './wal-replay.js';

/**
 * Write-ahead log bound of the store's own connection when a worker checkpoints: 32 MB, four
 * times the usual, so the appends checkpoint only when the worker falls behind.
 */
const BACKGROUND_AUTOCHECKPOINT_BYTES = 4 * WAL_AUTOCHECKPOINT_BYTES;

/** Delay of the first retention run after opening, ms. */
const RETENTION_FIRST_RUN_MS = 60_000;

export type { SqliteStoreOptions } from './store-options.js';

/** Counts over the whole store. */
export interface StoreStats {
  /** Distinct label sets stored. */
  seriesCount: number;
  /** Stored samples (one per series and timestamp). */
  sampleCount: number;
}

export type { RetentionResult } from './retention.js';
export type { StoreMemoryStats } from './memory-stats.js';

/** The SQLite metric store, with the extra reads the Prometheus HTTP API needs. */
export interface SqliteStore extends MetricStore {
  /** As select, as typed columns without copies (always present here). */
  selectColumns: NonNullable<MetricStore['selectColumns']>;
  /**
   * Label names in use, sorted, `__name__` included. With matchers, only names of series
   * matching all of them. Limitation: no time range; series without recent samples count too.
   */
  labelNames(matchers?: readonly LabelMatcher[]): Promise<string[]>;
  /** Values of label `name` in use, sorted; with matchers, only on matching series. */
  labelValues(name: string, matchers?: readonly LabelMatcher[]): Promise<string[]>;
  /** Series and sample counts. Decodes every chunk: for tests and diagnostics only. */
  stats(): Promise<StoreStats>;
  /** Hits, misses and size of the decoded block cache (see blockCacheBytes). */
  blockCacheStats(): BlockCacheStats;
  /** The raw chunks' part of blockCacheStats (walks every cached entry: for diagnostics). */
  chunkCacheStats(): BlockKindStats;
  /** Sizes of the in-memory structures (heads, caches): for tests and diagnostics. */
  memoryStats(): StoreMemoryStats;
  /** See MetricStore.selectRollups. */
  selectRollups(
    matchers: readonly LabelMatcher[],
    startMs: number,
    endMs: number,
    resolutionMs: number,
    columns?: readonly RollupColumnName[],
    options?: RollupReadOptions,
  ): Promise<RollupSeriesData[]>;
  /**
   * Deletes chunks and rollups whose newest sample is older than `nowMs` minus the retention,
   * then series left without data. Runs on a timer too (retentionIntervalMs).
   */
  enforceRetention(nowMs: number): Promise<RetentionResult>;
  /** Cuts every head into chunks now and trims the WAL (tests, benchmarks, before a backup). */
  flushHeads(): Promise<void>;
}

/**
 * Opens (creating and migrating if needed) the SQLite store at `opts.path` and replays its
 * write-ahead log. Throws LlmwatchError `store_open_failed` when the file cannot be opened or is
 * not a database, `store_schema_too_new` when written by a newer llmwatch, and
 * `store_invalid_option` for a bad option.
 */
export function createSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  const { path, logger } = opts;
  const {
    retentionDays,
    retentionIntervalMs,
    limits,
    chunkSamples,
    maxChunkSpanMs,
    maxWalRows,
    chunkWriteBudgetMs,
    compactionBudgetMs,
    blockCacheBytes,
    blockCacheProtectMs,
  } = parseStoreOptions(opts);
  const heads = new HeadSet({ chunkSamples, maxChunkSpanMs });

  const inBackground =
    (opts.backgroundCheckpoint ?? true) && path !== ':memory:' && !path.startsWith('file:');
  const db = openDatabase(
    path,
    inBackground ? BACKGROUND_AUTOCHECKPOINT_BYTES : WAL_AUTOCHECKPOINT_BYTES,
  );
  const stmts = prepareStatements(db);
  const blocks = new BlockStore(stmts, blockCacheBytes, blockCacheProtectMs);
  const compactor = new Compactor(db, stmts, blocks);
  const rebuiltStart = performance.now();
  const rebuiltSeries = rebuildRollups(
    db,
    stmts,
    blocks,
    maxRowBytes(db.pragma('page_size', { simple: true }) as number),
  );
  if (rebuiltSeries > 0) {
    const ms = Math.round(performance.now() - rebuiltStart);
    logger?.info({ path, rebuiltSeries, ms }, 'metric store rollups rebuilt (left-open buckets)');
  }
  const convertedSamples = convertRowSamples(db, blocks, chunkSamples);
  if (convertedSamples > 0) logger?.info({ path, convertedSamples }, 'metric store converted');
  // Label set -> series id, for label sets seen since opening.
  const seriesCache = new SeriesCache();
  let lastWalId = stmts.lastWalId.get() ?? 0;
  // WAL rows before this id are known deleted.
  let oldestWalId = 0;
  let closed = false;

  const ensureOpen = (): void => {
    if (closed) throw new LlmwatchError('store_closed', `store: ${path} is closed; open it again`);
  };

  /**
   * Writes frozen heads as chunks in one transaction, stopping after about `budgetMs` (checked
   * every 8 series) so that one append never pays for cutting every series at once; the rest
   * stay pending (still read from memory, still covered by the WAL) for the next append. On
   * failure keeps them all for the next try.
   */
  const writePending = (budgetMs: number): void => {
    if (heads.pending.size === 0) return;
    const firstId = blocks.nextId;
    const deadline = performance.now() + budgetMs;
    const written: number[] = [];
    try {
      db.transaction(() => {
        for (const [id, frozen] of heads.pending) {
          for (const head of frozen) {
            const overlapped = blocks.writeChunk(id, head, heads.newestStoredTs(id));
            heads.noteWritten(id, head.maxTs, overlapped);
            stmts.updateSeriesCut.run(head.cutWalId, head.maxTs + 1, id);
          }
          written.push(id);
          if ((written.length & 7) === 0 && performance.now() > deadline) break;
        }
        blocks.saveNextId();
      }).immediate();
    } catch (err) {
      blocks.nextId = firstId;
      logger?.warn({ err, path, seriesCount: heads.pending.size }, 'chunk write failed');
      return;
    }
    for (const id of written) heads.pending.delete(id);
  };

  /**
   * Cuts heads that hold the WAL back too long, writes pending chunks, trims the WAL, and
   * merges small chunks when no cut heads wait (within `compactMs`).
   */
  const maintain = (budgetMs: number, compactMs: number): void => {
    const minNeeded = heads.minNeededWalId();
    if (minNeeded !== Infinity && lastWalId - minNeeded >= maxWalRows) {
      heads.freezeOlderThan(lastWalId - Math.floor(maxWalRows / 2), lastWalId);
    }
    const hadPending = heads.pending.size > 0;
    writePending(budgetMs);
    const keepFrom = Math.min(hadPending ? heads.minNeededWalId() : minNeeded, lastWalId + 1);
    if (keepFrom > oldestWalId) {
      try {
        stmts.deleteWalBefore.run(keepFrom);
        oldestWalId = keepFrom;
      } catch (err) {
        logger?.warn({ err, path }, 'write-ahead log trim failed');
      }
    }
    if (heads.pending.size > 0 || compactMs <= 0) return;
    try {
      compactor.run(blocks.newestTs, blocks.oldestTs, compactMs);
    } catch (err) {
      logger?.warn({ err, path }, 'chunk compaction failed');
    }
  };

  const applyBatch = (
    ids: ArrayLike<number>,
    ts: ArrayLike<number>,
    values: ArrayLike<number>,
    walId: number,
  ): void => {
    for (let i = 0; i < ids.length; i++) {
      heads.add(heads.slotFor(ids[i] as number), ts[i] as number, values[i] as number, walId);
    }
  };

  const replayedSamples = replayWal(stmts, heads);
  maintain(Infinity, 0);
  logger?.info(
    { path, seriesCount: stmts.countSeries.get(), replayedSamples },
    'metric store opened',
  );

  const batchWriter = createBatchWriter(db, stmts);
  // Started once the file exists with its schema, WAL replayed.
  const checkpointer = inBackground ? startCheckpointer(path, { logger }) : null;

  // Series id -> parsed labels, for reads (retention forgets deleted series).
  const seriesLabels = new SeriesLabels(stmts);
  const reader = createReader({ stmts, blocks, heads, seriesLabels, limits });

  const enforceRetention = (nowMs: number): RetentionResult => {
    ensureOpen();
    if (retentionDays === 0) return { deletedChunks: 0, deletedRollupBlocks: 0, deletedSeries: 0 };
    const result = deleteExpired(
      { db, stmts, heads, seriesCache, seriesLabels, path, logger },
      nowMs - retentionDays * 86_400_000,
    );
    releaseFreePages(db);
    return result;
  };

  const runRetention = (): void => {
    try {
      enforceRetention(Date.now());
    } catch (err) {
      logger?.warn({ err, path }, 'retention failed');
    }
  };
  // Retention runs a minute after opening (so a process restarted more often than the interval
  // still enforces it), then every retentionIntervalMs.
  const retentionOn = retentionIntervalMs > 0 && retentionDays > 0;
  const timer = retentionOn ? setInterval(runRetention, retentionIntervalMs) : null;
  const firstRun = retentionOn
    ? setTimeout(runRetention, Math.min(RETENTION_FIRST_RUN_MS, retentionIntervalMs))
    : null;
  timer?.unref();
  firstRun?.unref();

  return {
    async append(samples) {
      ensureOpen();
      const n = samples.length;
      if (n === 0) return;
      const { ids, ts, values, newSeries } = resolveBatch(samples, seriesCache, stmts);

      let written: { walId: number; newIds: number[] };
      try {
        written = batchWriter.write(newSeries, ids, ts, values);
      } catch (err) {
        throw new LlmwatchError(
          'store_write_failed',
          `store: writing ${n} samples to ${path} failed: ${(err as Error).message}; check disk space and file permissions`,
          { cause: err },
        );
      }
      lastWalId = written.walId;
      for (let k = 0; k < newSeries.length; k++) {
        const id = written.newIds[k] as number;
        for (const labels of (newSeries[k] as NewBatchSeries).seen) seriesCache.set(labels, id);
      }
      applyBatch(ids, ts, values, written.walId);
      maintain(chunkWriteBudgetMs, compactionBudgetMs);
    },

    async select(matchers, startMs, endMs) {
      ensureOpen();
      return reader.select(matchers, startMs, endMs);
    },

    async selectColumns(matchers, startMs, endMs) {
      ensureOpen();
      return reader.selectColumns(matchers, startMs, endMs);
    },

    async selectRollups(matchers, startMs, endMs, resolutionMs, columns, options) {
      ensureOpen();
      return reader.selectRollups(matchers, startMs, endMs, resolutionMs, columns, options);
    },

    async labelNames(matchers) {
      ensureOpen();
      if (matchers === undefined || matchers.length === 0) return stmts.distinctNames.all();
      const names = new Set<string>();
      for (const { labels } of resolveSeries(stmts, seriesLabels, matchers)) {
        for (const name of Object.keys(labels)) names.add(name);
      }
      return [...names].sort();
    },

    async labelValues(name, matchers) {
      ensureOpen();
      if (matchers === undefined || matchers.length === 0)
        return stmts.distinctValues.all({ name });
      const values = new Set<string>();
      for (const { labels } of resolveSeries(stmts, seriesLabels, matchers)) {
        const value = Object.hasOwn(labels, name) ? labels[name] : undefined;
        if (value !== undefined) values.add(value);
      }
      return [...values].sort();
    },

    async stats() {
      ensureOpen();
      return { seriesCount: stmts.countSeries.get() ?? 0, sampleCount: reader.countSamples() };
    },

    blockCacheStats() {
      return blocks.cache.stats();
    },

    chunkCacheStats() {
      return blocks.chunkCacheStats();
    },

    memoryStats() {
      return memoryStatsOf({ heads, seriesCache, seriesLabels, blocks });
    },

    async enforceRetention(nowMs) {
      return enforceRetention(nowMs);
    },

    async flushHeads() {
      ensureOpen();
      heads.freezeOlderThan(Infinity, lastWalId);
      maintain(Infinity, Infinity);
      heads.dropIdle();
      releaseFreePages(db);
    },

    async close() {
      if (closed) return;
      closed = true;
      if (timer !== null) clearInterval(timer);
      if (firstRun !== null) clearTimeout(firstRun);
      // The worker first, so that no connection of this store outlives close().
      await checkpointer?.stop();
      // Every append committed before resolving; heads are rebuilt from the WAL on open.
      db.close();
      logger?.info({ path }, 'metric store closed');
    },
  };
}
