/**
 * Sizes of the in-memory structures the SQLite store keeps, for tests and diagnostics: all of
 * them are bounded by the number of active series (or by a byte bound), never by the span of
 * data written, which memory-stats.test.ts checks over many compaction windows.
 */
import type { BlockStore } from './blocks.js';
import type { HeadSet } from './head-set.js';
import type { SeriesCache } from './series-cache.js';
import type { SeriesLabels } from './series-index.js';

/** Sizes of a store's in-memory structures. */
export interface StoreMemoryStats {
  /** Bytes of the pages that open heads use (64-byte pages). */
  headPageBytesInUse: number;
  /** Bytes the head page pool holds, used or free; it never shrinks (its peak). */
  headPageBytesReserved: number;
  /** Series holding a head slot (series with unsaved samples, since the last flushHeads). */
  headSlots: number;
  /** Series with heads cut and not yet written as chunks. */
  pendingSeries: number;
  /** Label sets in the append path's series cache (every series written since opening). */
  cachedLabelSets: number;
  /** Series whose parsed labels the read path keeps (every series read since opening). */
  labelledSeries: number;
  /** Bytes held by the decoded block cache (bounded by blockCacheBytes). */
  blockCacheBytes: number;
}

/** The parts of a store that memoryStatsOf reads. */
export interface MemoryParts {
  heads: HeadSet;
  seriesCache: SeriesCache;
  seriesLabels: SeriesLabels;
  blocks: BlockStore;
}

/** Reads the sizes of `parts`; cheap (no allocation beyond the result). */
export function memoryStatsOf(parts: MemoryParts): StoreMemoryStats {
  const pages = parts.heads.pageBytes();
  return {
    headPageBytesInUse: pages.inUse,
    headPageBytesReserved: pages.reserved,
    headSlots: parts.heads.states.size,
    pendingSeries: parts.heads.pending.size,
    cachedLabelSets: parts.seriesCache.size,
    labelledSeries: parts.seriesLabels.size,
    blockCacheBytes: parts.blocks.cache.stats().bytes,
  };
}
