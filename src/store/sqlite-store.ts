/**
 * The embedded metric store on SQLite (better-sqlite3), in WAL mode. Each append() is one
 * transaction: once its promise resolves the batch is in the write-ahead log and survives the
 * process being killed (synchronous=NORMAL).
 *
 * Limitation: better-sqlite3 is synchronous, so a batch is written on the calling thread and
 * blocks the event loop while it runs (see bench/store.ts for the cost per sample); callers
 * bound batch sizes (the sample writer does).
 * Limitation: with synchronous=NORMAL a power loss or OS crash (not a process crash) can lose
 * the last acknowledged batches.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LlmwatchError, isLlmwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { canonicalLabelsKey, compareLabels, parseLabelsKey } from './labels.js';
import { compileMatchers, matchesAll, type CompiledMatcher } from './matchers.js';
import { migrateSchema } from './schema.js';
import { prepareStatements } from './statements.js';
import type { LabelMatcher, Labels, MetricStore, Sample, SeriesData } from './types.js';
import { assertValidSamples } from './validate.js';
import { decodeValue, encodeValue } from './values.js';

/** Options of createSqliteStore. */
export interface SqliteStoreOptions {
  /** Database file; its directory is created if missing. ":memory:" for a throwaway store. */
  path: string;
  /** Receives lifecycle logs (opened, closed). Default: no logging. */
  logger?: Logger;
}

/** Counts over the whole store. */
export interface StoreStats {
  /** Distinct label sets ever written. */
  seriesCount: number;
  /** Stored samples (one per series and timestamp). */
  sampleCount: number;
}

/** The SQLite metric store, with the extra reads the Prometheus HTTP API needs. */
export interface SqliteStore extends MetricStore {
  /**
   * Label names in use, sorted, `__name__` included. With matchers, only names of series
   * matching all of them. Limitation: no time range; series without recent samples count too.
   */
  labelNames(matchers?: readonly LabelMatcher[]): Promise<string[]>;
  /** Values of label `name` in use, sorted; with matchers, only on matching series. */
  labelValues(name: string, matchers?: readonly LabelMatcher[]): Promise<string[]>;
  /** Series and sample counts. Counting samples reads the whole table: for tests and diagnostics. */
  stats(): Promise<StoreStats>;
}

interface SeriesRef {
  id: number;
  labels: Labels;
}

/**
 * Opens (creating and migrating if needed) the SQLite store at `opts.path`. Throws LlmwatchError
 * `store_open_failed` when the file cannot be opened or is not a database, and
 * `store_schema_too_new` when it was written by a newer llmwatch.
 */
export function createSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  const { path, logger } = opts;
  const db = openDatabase(path);
  const stmts = prepareStatements(db);
  // Canonical labels key -> series id, for every series seen since opening.
  const seriesIds = new Map<string, number>();
  let closed = false;
  logger?.info({ path, seriesCount: stmts.countSeries.get() }, 'metric store opened');

  const ensureOpen = (): void => {
    if (closed) throw new LlmwatchError('store_closed', `store: ${path} is closed; open it again`);
  };

  /** Returns the id of the series with this key, creating it (and its index rows) if new. */
  const seriesIdFor = (key: string, labels: Labels, created: string[]): number => {
    const cached = seriesIds.get(key);
    if (cached !== undefined) return cached;
    let id = stmts.seriesIdByLabels.get(key)?.id;
    if (id === undefined) {
      id = Number(stmts.insertSeries.run(labels.__name__ as string, key).lastInsertRowid);
      for (const [name, value] of Object.entries(labels)) {
        if (value !== '') stmts.insertLabel.run(name, value, id);
      }
    }
    seriesIds.set(key, id);
    created.push(key);
    return id;
  };

  const writeBatch = db.transaction(
    (samples: readonly Sample[], keys: string[], created: string[]) => {
      for (let i = 0; i < samples.length; i++) {
        const sample = samples[i] as Sample;
        const id = seriesIdFor(keys[i] as string, sample.labels, created);
        stmts.upsertSample.run(id, sample.timestampMs, encodeValue(sample.value));
      }
    },
  );

  /** Candidate series ids from the index, before checking every matcher on their labels. */
  const candidateIds = (matchers: readonly CompiledMatcher[]): Iterable<number> => {
    let ids: Set<number> | undefined;
    for (const m of matchers) {
      if (m.type !== '=' || m.matchesEmpty) continue;
      const found = stmts.seriesIdsByLabel.all(m.name, m.value);
      ids = ids === undefined ? new Set(found) : new Set(found.filter((id) => ids?.has(id)));
      if (ids.size === 0) return ids;
    }
    if (ids !== undefined) return ids;

    // No equality matcher: use the first matcher that requires the label to be present.
    const required = matchers.find((m) => !m.matchesEmpty);
    if (required === undefined) return stmts.allSeriesIds.all();
    const union = new Set<number>();
    for (const value of stmts.distinctValues.all({ name: required.name })) {
      if (!required.matches(value)) continue;
      for (const id of stmts.seriesIdsByLabel.all(required.name, value)) union.add(id);
    }
    return union;
  };

  const resolveSeries = (matchers: readonly LabelMatcher[]): SeriesRef[] => {
    const compiled = compileMatchers(matchers);
    const result: SeriesRef[] = [];
    for (const id of candidateIds(compiled)) {
      const row = stmts.labelsById.get(id);
      if (row === undefined) continue;
      const labels = parseLabelsKey(row.labels);
      if (matchesAll(labels, compiled)) result.push({ id, labels });
    }
    return result;
  };

  return {
    async append(samples) {
      ensureOpen();
      assertValidSamples(samples);
      if (samples.length === 0) return;
      const keys = samples.map((s) => canonicalLabelsKey(s.labels));
      const created: string[] = [];
      try {
        writeBatch.immediate(samples, keys, created);
      } catch (err) {
        // The transaction rolled back: forget series ids it had handed out.
        for (const key of created) seriesIds.delete(key);
        throw new LlmwatchError(
          'store_write_failed',
          `store: writing ${samples.length} samples to ${path} failed: ${(err as Error).message}; check disk space and file permissions`,
          { cause: err },
        );
      }
    },

    async select(matchers, startMs, endMs) {
      ensureOpen();
      if (Number.isNaN(startMs) || Number.isNaN(endMs)) {
        throw new LlmwatchError(
          'store_invalid_range',
          `store: select range must be numbers of Unix milliseconds, got [${startMs}, ${endMs}]`,
        );
      }
      const result: SeriesData[] = [];
      for (const { id, labels } of resolveSeries(matchers)) {
        const rows = stmts.samplesInRange.all(id, startMs, endMs);
        if (rows.length === 0) continue;
        const timestampsMs = new Array<number>(rows.length);
        const values = new Array<number>(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i] as [number, unknown];
          timestampsMs[i] = row[0];
          values[i] = decodeValue(row[1]);
        }
        result.push({ labels, timestampsMs, values });
      }
      return result.sort((a, b) => compareLabels(a.labels, b.labels));
    },

    async labelNames(matchers) {
      ensureOpen();
      if (matchers === undefined || matchers.length === 0) return stmts.distinctNames.all();
      const names = new Set<string>();
      for (const { labels } of resolveSeries(matchers)) {
        for (const name of Object.keys(labels)) names.add(name);
      }
      return [...names].sort();
    },

    async labelValues(name, matchers) {
      ensureOpen();
      if (matchers === undefined || matchers.length === 0)
        return stmts.distinctValues.all({ name });
      const values = new Set<string>();
      for (const { labels } of resolveSeries(matchers)) {
        const value = Object.hasOwn(labels, name) ? labels[name] : undefined;
        if (value !== undefined) values.add(value);
      }
      return [...values].sort();
    },

    async stats() {
      ensureOpen();
      return {
        seriesCount: stmts.countSeries.get() ?? 0,
        sampleCount: stmts.countSamples.get() ?? 0,
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      // Every append commits before resolving, so nothing is pending; close checkpoints the WAL.
      db.close();
      logger?.info({ path }, 'metric store closed');
    },
  };
}

/** Opens the file with the store's pragmas, wrapping failures in `store_open_failed`. */
function openDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:' && !path.startsWith('file:'))
      mkdirSync(dirname(path), { recursive: true });
    // A short busy timeout: only this process should write the file, and waiting blocks the loop.
    db = new Database(path, { timeout: 2000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -16000');
    // Each batch dirties about one page per series it touches; checkpointing less often lets a
    // checkpoint copy a page once for many commits (WAL up to ~40 MB, trimmed to 64 MB after).
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('journal_size_limit = 67108864');
    migrateSchema(db, path);
    return db;
  } catch (err) {
    db?.close();
    if (isLlmwatchError(err)) throw err;
    throw new LlmwatchError(
      'store_open_failed',
      `store: cannot open ${JSON.stringify(path)}: ${(err as Error).message}; check store.path points to a writable llmwatch database file`,
      { cause: err },
    );
  }
}
