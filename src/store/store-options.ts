/**
 * The options of createSqliteStore (sqlite-store.ts): what each means, its default, and the
 * check that turns a bad one into a clear error before anything is opened.
 */
import { LlmwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { StoreLimits } from './reader.js';

/** Options of createSqliteStore. */
export interface SqliteStoreOptions extends Partial<StoreLimits> {
  /** Database file; its directory is created if missing. ":memory:" for a throwaway store. */
  path: string;
  /** Receives lifecycle logs (opened, closed, retention, failed cuts). Default: none. */
  logger?: Logger;
  /** Data older than this many days is deleted by enforceRetention(). Default 30; 0 keeps all. */
  retentionDays?: number;
  /**
   * How often retention runs on its own, in ms (the first run comes a minute after opening, or
   * sooner when this is shorter). Default 3,600,000; 0 turns the timer off.
   */
  retentionIntervalMs?: number;
  /** Samples after which a head is cut into a chunk (at the next 5-minute boundary). Default 120. */
  chunkSamples?: number;
  /** Time span after which a head is cut (at the next 5-minute boundary), in ms. Default 2 h. */
  maxChunkSpanMs?: number;
  /** WAL rows kept at most before heads holding old rows are cut early. Default 3,600. */
  maxWalRows?: number;
  /**
   * Time one append() spends at most writing cut heads as chunks, in ms (checked every 8
   * series); the rest is written by later appends. Default 20; bounds how long an append that
   * cuts many series blocks the event loop.
   */
  chunkWriteBudgetMs?: number;
  /**
   * Time one append() spends at most merging small chunks into bigger ones (compaction.ts), in
   * ms, once no cut heads wait to be written. Default 10; 0 merges only in flushHeads().
   */
  compactionBudgetMs?: number;
  /**
   * Bound of the cache of decoded blocks that queries read (block-cache.ts), in bytes. Default
   * 128 MiB (a 24 h Quantity dashboard over 6,912 series reads about 100 MiB of decoded
   * rollups); 0 turns it off.
   */
  blockCacheBytes?: number;
  /**
   * How long after its last read a cache entry is kept rather than evicted for a new one, in ms
   * (block-cache.ts): longer than a dashboard's refresh interval, so that a dashboard bigger than
   * the cache keeps a stable part of it cached. Default 60000; 0 makes the cache a plain LRU.
   */
  blockCacheProtectMs?: number;
  /**
   * Checkpoint the SQLite write-ahead log from a worker thread (checkpointer.ts) instead of in
   * the commits of appends. Default true for database files; always off for ":memory:" and
   * "file:" URIs.
   */
  backgroundCheckpoint?: boolean;
}

/** The options with defaults filled in, each checked. */
export interface ParsedStoreOptions {
  retentionDays: number;
  retentionIntervalMs: number;
  limits: StoreLimits;
  chunkSamples: number;
  maxChunkSpanMs: number;
  maxWalRows: number;
  chunkWriteBudgetMs: number;
  compactionBudgetMs: number;
  blockCacheBytes: number;
  blockCacheProtectMs: number;
}

/** Fills in defaults; throws LlmwatchError `store_invalid_option` naming a bad option. */
export function parseStoreOptions(opts: SqliteStoreOptions): ParsedStoreOptions {
  return {
    retentionDays: checkOption('retentionDays', opts.retentionDays ?? 30, 0),
    retentionIntervalMs: checkOption(
      'retentionIntervalMs',
      opts.retentionIntervalMs ?? 3_600_000,
      0,
    ),
    limits: {
      maxSeriesPerSelect: checkOption('maxSeriesPerSelect', opts.maxSeriesPerSelect ?? 100_000, 1),
      maxSamplesPerSelect: checkOption(
        'maxSamplesPerSelect',
        opts.maxSamplesPerSelect ?? 50_000_000,
        1,
      ),
    },
    chunkSamples: checkOption('chunkSamples', opts.chunkSamples ?? 120, 1),
    maxChunkSpanMs: checkOption('maxChunkSpanMs', opts.maxChunkSpanMs ?? 7_200_000, 1),
    maxWalRows: checkOption('maxWalRows', opts.maxWalRows ?? 3600, 1),
    chunkWriteBudgetMs: checkOption('chunkWriteBudgetMs', opts.chunkWriteBudgetMs ?? 20, 0),
    compactionBudgetMs: checkOption('compactionBudgetMs', opts.compactionBudgetMs ?? 10, 0),
    blockCacheBytes: checkOption('blockCacheBytes', opts.blockCacheBytes ?? 128 << 20, 0),
    blockCacheProtectMs: checkOption('blockCacheProtectMs', opts.blockCacheProtectMs ?? 60_000, 0),
  };
}

/** Returns `value` when it is an integer >= `min`, else throws `store_invalid_option`. */
function checkOption(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new LlmwatchError(
      'store_invalid_option',
      `store: option ${name} must be an integer >= ${min}, got ${String(value)}`,
    );
  }
  return value;
}
