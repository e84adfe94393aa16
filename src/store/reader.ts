/**
 * The read side of the store: raw samples (chunks + heads) and rollups per matched series,
 * within the select limits.
 */
import { LlmwatchError } from '../core/errors.js';
import { samplesBound, type BlockStore } from './blocks.js';
import type { SeriesHead } from './head.js';
import type { HeadSet } from './head-set.js';
import {
  ROLLUP_BASE_MS,
  bucketStart,
  coarsenRollups,
  computeRollups,
  concatColumns,
  emptyColumns,
  sampleBucket,
  type RollupColumns,
} from './rollup.js';
import { compareRefs, resolveSeries, SeriesLabels, type SeriesRef } from './series-index.js';
import type { BlockRow, Statements } from './statements.js';
import { SampleBuffer } from './sample-buffer.js';
import {
  chunkReadsBound,
  columnsOfChunks,
  readCachedChunks,
  SELECT_CACHE_SHARE,
  type ChunkRead,
} from './chunk-read.js';
import { columnsToDecode } from './rollup-codec.js';
import type {
  Labels,
  LabelMatcher,
  RollupColumnName,
  RollupReadOptions,
  RollupSeriesData,
  SeriesColumns,
  SeriesData,
} from './types.js';

/** Limits of one select() or selectRollups() call. */
export interface StoreLimits {
  /** Most series one select may return. Default 100,000. */
  maxSeriesPerSelect: number;
  /** Most samples (or rollup buckets) one select may return in total. Default 50,000,000. */
  maxSamplesPerSelect: number;
}

/** What the reader reads from. */
export interface ReaderDeps {
  stmts: Statements;
  blocks: BlockStore;
  heads: HeadSet;
  /** Parsed labels by series id; retention forgets deleted series. */
  seriesLabels: SeriesLabels;
  limits: StoreLimits;
}

/** Reads series data; every method is synchronous (SQLite) and throws LlmwatchError. */
export interface StoreReader {
  select(matchers: readonly LabelMatcher[], startMs: number, endMs: number): SeriesData[];
  /** As select, as typed columns (no copies; see SeriesColumns). */
  selectColumns(matchers: readonly LabelMatcher[], startMs: number, endMs: number): SeriesColumns[];
  /** See MetricStore.selectRollups. */
  selectRollups(
    matchers: readonly LabelMatcher[],
    startMs: number,
    endMs: number,
    resolutionMs: number,
    columns?: readonly RollupColumnName[],
    options?: RollupReadOptions,
  ): RollupSeriesData[];
  /** Samples stored over all series (decodes everything). */
  countSamples(): number;
}

/** Creates the reader over the given store parts. */
export function createReader(deps: ReaderDeps): StoreReader {
  const { stmts, blocks, heads, seriesLabels, limits } = deps;

  /** Counts returned series and samples, throwing once a limit is passed. */
  const budget = () => {
    let series = 0;
    let samples = 0;
    return (sampleCount: number): void => {
      series += 1;
      samples += sampleCount;
      if (series > limits.maxSeriesPerSelect) {
        throw new LlmwatchError(
          'store_too_many_series',
          `store: the query selects more than maxSeriesPerSelect=${limits.maxSeriesPerSelect} series; narrow the label matchers or the time range, or raise the limit`,
        );
      }
      if (samples > limits.maxSamplesPerSelect) {
        throw new LlmwatchError(
          'store_too_many_samples',
          `store: the query reads more than maxSamplesPerSelect=${limits.maxSamplesPerSelect} samples; narrow the label matchers or the time range (or use rollups), or raise the limit`,
        );
      }
    };
  };

  const readRaw = (id: number, startMs: number, endMs: number): SampleBuffer => {
    const out = new SampleBuffer();
    blocks.readSamples(id, startMs, endMs, heads.headsOf(heads.states.get(id)), out);
    return out;
  };

  const selectColumns = (
    matchers: readonly LabelMatcher[],
    startMs: number,
    endMs: number,
  ): SeriesColumns[] => {
    checkRange(startMs, endMs);
    const count = budget();
    if (endMs < startMs) return [];
    // Series are read in label order, so the result needs no sort. The chunk rows of up to
    // QUERY_SERIES series come from one query; then their samples are decoded in batches: the
    // rows' sample counts size one set of columns (an upper bound), into which each series
    // decodes after the one before and of which it gets a view. A few allocations per select
    // instead of two per series; limits are checked series by series. Regular timestamps make
    // that bound exact.
    const refs = resolveSeries(stmts, seriesLabels, matchers).sort(compareRefs);
    const result: SeriesColumns[] = [];
    // One select caches at most a share of the bound of new chunks (see SELECT_CACHE_SHARE).
    const admit = blocks.cache.maxBytes * SELECT_CACHE_SHARE;
    return blocks.cache.withAdmission(admit, () => {
      for (let q = 0; q < refs.length; q += QUERY_SERIES) {
        const queried = refs.slice(q, q + QUERY_SERIES);
        const ids = queried.map((ref) => ref.id);
        // Through the block cache when it is on (chunk-read.ts), else straight from the rows.
        const sourceOf = blocks.cache.enabled
          ? cachedSources(
              readCachedChunks(stmts, blocks.cache, blocks.chunkCounts, ids, startMs, endMs),
            )
          : rowSources(blocks.chunkRowsOf(ids, startMs, endMs));
        for (let i = 0; i < queried.length;) {
          const batch: Array<{ labels: Labels; source: ChunkSource; heads: SeriesHead[] }> = [];
          let capacity = 0;
          while (i < queried.length && (batch.length === 0 || capacity < BATCH_SAMPLES)) {
            const { id, labels } = queried[i++] as SeriesRef;
            const seriesHeads = heads.headsOf(heads.states.get(id));
            const source = sourceOf(id);
            capacity += source.bound(seriesHeads, startMs, endMs);
            batch.push({ labels, source, heads: seriesHeads });
          }
          const out = new SampleBuffer(Math.min(capacity, limits.maxSamplesPerSelect));
          const found: Array<{ labels: Labels; at: number; n: number }> = [];
          for (const { labels, source, heads: seriesHeads } of batch) {
            const at = out.length;
            source.read(startMs, endMs, seriesHeads, out);
            const n = out.length - at;
            if (n === 0) continue;
            count(n);
            found.push({ labels, at, n });
          }
          for (const series of viewsOf(out, found)) result.push(series);
        }
      }
      return result;
    });
  };

  /** One series' stored chunks as BlockStore rows. */
  const rowSources =
    (rowsOf: Map<number, BlockRow[]>) =>
    (id: number): ChunkSource => {
      const rows = rowsOf.get(id) ?? [];
      return {
        bound: (seriesHeads, startMs, endMs) => samplesBound(rows, seriesHeads, startMs, endMs),
        read: (startMs, endMs, seriesHeads, out) =>
          blocks.columnsOfRows(rows, startMs, endMs, seriesHeads, out),
      };
    };

  return {
    selectColumns,

    select(matchers, startMs, endMs) {
      return selectColumns(matchers, startMs, endMs).map((columns) => {
        const series: SeriesData = {
          labels: columns.labels,
          timestampsMs: plainArray(columns.timestampsMs),
          values: plainArray(columns.values),
        };
        if (columns.staleMask !== undefined) series.staleMask = columns.staleMask;
        return series;
      });
    },

    selectRollups(matchers, startMs, endMs, resolutionMs, columns, options) {
      checkRange(startMs, endMs);
      if (
        !Number.isSafeInteger(resolutionMs) ||
        resolutionMs <= 0 ||
        resolutionMs % ROLLUP_BASE_MS !== 0
      ) {
        throw new LlmwatchError(
          'store_invalid_resolution',
          `store: rollup resolution must be a positive multiple of ${ROLLUP_BASE_MS} ms (5 minutes), got ${String(resolutionMs)}`,
        );
      }
      const count = budget();
      const fromMs = bucketStart(startMs, resolutionMs);
      const toMs = bucketStart(endMs, resolutionMs);
      const result: RollupSeriesData[] = [];
      if (endMs < startMs) return result;
      const decoded = columns === undefined ? undefined : columnsToDecode(columns);
      const refs = resolveSeries(stmts, seriesLabels, matchers).sort(compareRefs);
      // One read caches at most a share of the bound of new blocks, as selects of chunks do.
      const admit = blocks.cache.maxBytes * SELECT_CACHE_SHARE;
      return blocks.cache.withAdmission(admit, () => {
        for (const { id, labels } of refs) {
          const base = baseRollups(
            id,
            fromMs,
            toMs + resolutionMs - 1,
            resolutionMs,
            decoded,
            options?.storedOnly,
          );
          if (base === null) {
            throw new LlmwatchError(
              'store_rollups_not_stored',
              `store: series ${JSON.stringify(labels)} keeps no rollups of ${resolutionMs} ms buckets for this range; read its raw samples, or call selectRollups without storedOnly`,
            );
          }
          const cols = coarsen(base, resolutionMs, fromMs, toMs);
          if (cols.startsMs.length === 0) continue;
          count(cols.startsMs.length);
          result.push({ labels, resolutionMs, ...cols });
        }
        return result;
      });
    },

    countSamples() {
      const ids = new Set<number>(stmts.seriesWithChunks.all());
      for (const id of heads.states.keys()) ids.add(id);
      let total = 0;
      for (const id of ids) total += readRaw(id, -8.64e15, 8.64e15).length;
      return total;
    },
  };

  /**
   * Buckets of series `id` starting in [fromMs, toMs], to be merged into `resolutionMs`: stored
   * rollups up to the bucket of the oldest unsaved sample, computed from raw samples from there
   * on (buckets with samples still in memory have no complete stored rollup yet), or from the
   * start when stored 1-hour buckets cannot give this resolution (full-precision floats).
   * `columns`: see readRollups. With `storedOnly`, null instead of computing from the start.
   */
  function baseRollups(
    id: number,
    fromMs: number,
    toMs: number,
    resolutionMs: number,
    columns?: number,
    storedOnly = false,
  ): RollupColumns | null {
    let rawFromMs = Infinity;
    for (const head of heads.headsOf(heads.states.get(id))) {
      if (head.count > 0) rawFromMs = Math.min(rawFromMs, sampleBucket(head.minTs, ROLLUP_BASE_MS));
    }
    let stored = blocks.readRollups(
      id,
      fromMs,
      Math.min(toMs, rawFromMs - 1),
      resolutionMs,
      columns,
    );
    if (stored === null) {
      if (storedOnly) return null;
      stored = emptyColumns();
      rawFromMs = fromMs;
    }
    if (rawFromMs > toMs) return stored;
    const rawStart = Math.max(rawFromMs, fromMs);
    // Buckets are left-open: those starting in [rawStart, toMs] hold (rawStart, toMs + R].
    const { timestampsMs, values, staleIndices } = readRaw(
      id,
      rawStart + 1,
      bucketStart(toMs, ROLLUP_BASE_MS) + ROLLUP_BASE_MS,
    ).toArrays();
    const fresh = computeRollups(timestampsMs, values, ROLLUP_BASE_MS, staleIndices);
    return concatColumns(stored, fresh);
  }
}

/** One series' stored chunks, as rows or decoded, ready to be read with its heads. */
interface ChunkSource {
  /** Most samples in [startMs, endMs] the chunks and `heads` can give. */
  bound(heads: readonly SeriesHead[], startMs: number, endMs: number): number;
  /** Appends the samples in [startMs, endMs], with `heads`' after, to `out` (as columnsOfRows). */
  read(startMs: number, endMs: number, heads: readonly SeriesHead[], out: SampleBuffer): void;
}

/** One series' decoded chunks (chunk-read.ts). */
function cachedSources(readsOf: Map<number, ChunkRead[]>): (id: number) => ChunkSource {
  return (id) => {
    const reads = readsOf.get(id) ?? [];
    return {
      bound: (heads, startMs, endMs) => chunkReadsBound(reads, heads, startMs, endMs),
      read: (startMs, endMs, heads, out) => columnsOfChunks(reads, startMs, endMs, heads, out),
    };
  };
}

const HOUR_MS = 3_600_000;

/**
 * Buckets of `base` (5-minute ones, and 1-hour ones where stored) merged into `resolutionMs`,
 * those starting in [fromMs, toMs]. Resolutions of several hours are merged into hours first,
 * then into the resolution: 1-hour rows (rollup-hourly.ts) hold the hours so merged, and the
 * sums, added in the same order either way, keep the same bits whichever rows were read.
 */
function coarsen(
  base: RollupColumns,
  resolutionMs: number,
  fromMs: number,
  toMs: number,
): RollupColumns {
  if (resolutionMs === ROLLUP_BASE_MS) return base;
  if (resolutionMs === HOUR_MS || resolutionMs % HOUR_MS !== 0) {
    return coarsenRollups(base, resolutionMs, fromMs, toMs);
  }
  const hours = coarsenRollups(base, HOUR_MS, -Infinity, Infinity);
  return coarsenRollups(hours, resolutionMs, fromMs, toMs);
}

/** Samples of a batch of series read into one set of columns (see selectColumns). */
const BATCH_SAMPLES = 1 << 20;
/** Series whose chunk rows one query reads (their rows are held at once). */
const QUERY_SERIES = 128;

/** Each found series' part of `out` as its columns (views, no copies). */
function viewsOf(
  out: SampleBuffer,
  found: ReadonlyArray<{ labels: Labels; at: number; n: number }>,
): SeriesColumns[] {
  const stale = out.hasStale() ? out.stale : null;
  return found.map(({ labels, at, n }) => {
    const series: SeriesColumns = {
      labels,
      timestampsMs: out.timestampsMs.subarray(at, at + n),
      values: out.values.subarray(at, at + n),
    };
    const mask = stale?.subarray(at, at + n);
    if (mask !== undefined && mask.indexOf(1) >= 0) series.staleMask = mask;
    return series;
  });
}

/**
 * The numbers as a plain array, element by element: several times faster than Array.from on a
 * typed array, which also makes every NaN the canonical one (payloads are kept here).
 */
function plainArray(numbers: Float64Array): number[] {
  const out = new Array<number>(numbers.length);
  for (let i = 0; i < numbers.length; i++) out[i] = numbers[i] as number;
  return out;
}

function checkRange(startMs: number, endMs: number): void {
  if (
    Number.isNaN(startMs) ||
    Number.isNaN(endMs) ||
    typeof startMs !== 'number' ||
    typeof endMs !== 'number'
  ) {
    throw new LlmwatchError(
      'store_invalid_range',
      `store: select range must be numbers of Unix milliseconds, got [${startMs}, ${endMs}]`,
    );
  }
}
