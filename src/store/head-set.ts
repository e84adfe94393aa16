/**
 * The in-memory heads of all active series, and the policy that decides when a head is cut
 * into a stored chunk: at the first sample of a new 5-minute rollup bucket once the head holds
 * `chunkSamples` samples or spans `maxChunkSpanMs`, or at once when it holds four times
 * `chunkSamples` (a series scraped many times per bucket).
 *
 * Each series with a head gets a dense slot number; its open head lives in the columns of
 * OpenHeads (open-heads.ts) and a head cut from it becomes a standalone SeriesHead in `pending`
 * until written as a chunk.
 */
import { SeriesHead } from './head.js';
import { OpenHeads } from './open-heads.js';
import { ROLLUP_BASE_MS, sampleBucket } from './rollup.js';

/** storedEndBucket of a series whose newest stored chunk is not known. */
const UNKNOWN_BUCKET = -0x80000000;

/** Cutting policy; see the file comment. */
export interface CutPolicy {
  chunkSamples: number;
  maxChunkSpanMs: number;
}

// Series ids below this find their slot in a typed array (ids are SQLite rowids, dense from 1);
// larger ones in a Map.
const DENSE_IDS = 1 << 26;

function isDense(id: number): boolean {
  return id >= 0 && id < DENSE_IDS && (id | 0) === id;
}

/** Series id -> slot, for the series that have one. */
export class SlotIndex {
  private byId = new Int32Array(1024);
  private readonly sparse = new Map<number, number>();
  /** Slots held. */
  size = 0;

  /** The slot of series `id`, or undefined. */
  get(id: number): number | undefined {
    if (isDense(id)) {
      const slotPlus1 = id < this.byId.length ? (this.byId[id] as number) : 0;
      return slotPlus1 === 0 ? undefined : slotPlus1 - 1;
    }
    return this.sparse.get(id);
  }

  /** Ids of the series that have a slot. */
  *keys(): IterableIterator<number> {
    for (let id = 0; id < this.byId.length; id++) if (this.byId[id] !== 0) yield id;
    yield* this.sparse.keys();
  }

  set(id: number, slot: number): void {
    if (this.get(id) === undefined) this.size++;
    if (isDense(id)) {
      if (id >= this.byId.length) {
        const grown = new Int32Array(Math.max(id + 1, this.byId.length * 2));
        grown.set(this.byId);
        this.byId = grown;
      }
      this.byId[id] = slot + 1;
    } else {
      this.sparse.set(id, slot);
    }
  }

  delete(id: number): void {
    if (this.get(id) === undefined) return;
    this.size--;
    if (isDense(id)) this.byId[id] = 0;
    else this.sparse.delete(id);
  }
}

/** Heads by series, plus the heads cut and waiting to be written. */
export class HeadSet {
  /** Slot of each series that has one (reader.ts looks series up here). */
  readonly states = new SlotIndex();
  /** Heads cut but not yet written as chunks, in cut order, by series id. */
  readonly pending = new Map<number, SeriesHead[]>();
  private readonly open = new OpenHeads();
  /** Series id of each slot (-1: free). */
  private idOf = new Float64Array(0);
  /**
   * Per slot, the newest max_ts of the series' stored chunks rounded up to a rollup bucket end,
   * in buckets (4 bytes where a timestamp takes 8), or UNKNOWN_BUCKET (see noteWritten).
   */
  private storedEndBucket = new Int32Array(0);
  private readonly freeSlots: number[] = [];
  private slotsUsed = 0;

  constructor(private readonly policy: CutPolicy) {}

  /** The slot of series `id`, created when absent. */
  slotFor(id: number): number {
    const known = this.states.get(id);
    if (known !== undefined) return known;
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotsUsed++;
      if (slot >= this.open.capacity) {
        this.open.reserve(slot + 1);
        const grown = new Float64Array(this.open.capacity).fill(-1);
        grown.set(this.idOf);
        this.idOf = grown;
        const grownEnds = new Int32Array(this.open.capacity);
        grownEnds.set(this.storedEndBucket);
        this.storedEndBucket = grownEnds;
      }
    }
    this.idOf[slot] = id;
    this.storedEndBucket[slot] = UNKNOWN_BUCKET;
    this.states.set(id, slot);
    return slot;
  }

  /** Adds a sample written in WAL row `walId`, freezing the head first when it is due. */
  add(slot: number, timestampMs: number, value: number, walId: number): void {
    const open = this.open;
    if ((open.count[slot] as number) > 0 && this.due(slot, timestampMs)) {
      // Samples of this WAL row may land in either head: only earlier rows are fully cut.
      this.freeze(slot, walId - 1);
    }
    if (open.count[slot] === 0) open.firstWalId[slot] = walId;
    open.add(slot, timestampMs, value);
  }

  /** Moves the open head of `slot` to `pending`; `cutWalId` is the last row it fully holds. */
  freeze(slot: number, cutWalId: number): void {
    const open = this.open;
    const count = open.count[slot] as number;
    if (count === 0) return;
    const head = SeriesHead.fromChunk(
      open.toBytes(slot),
      count,
      open.minTs[slot] as number,
      open.maxTs[slot] as number,
      open.firstWalId[slot] as number,
    );
    head.cutWalId = cutWalId;
    const id = this.idOf[slot] as number;
    const frozen = this.pending.get(id);
    if (frozen === undefined) this.pending.set(id, [head]);
    else frozen.push(head);
    open.clear(slot);
  }

  /** Heads of the series in `slot` in write order: pending ones, then a copy of the open one. */
  headsOf(slot: number | undefined): SeriesHead[] {
    if (slot === undefined) return [];
    const frozen = this.pending.get(this.idOf[slot] as number);
    const heads = frozen === undefined ? [] : [...frozen];
    const open = this.open;
    const count = open.count[slot] as number;
    if (count > 0) {
      heads.push(
        SeriesHead.fromChunk(
          open.toBytes(slot),
          count,
          open.minTs[slot] as number,
          open.maxTs[slot] as number,
          open.firstWalId[slot] as number,
        ),
      );
    }
    return heads;
  }

  /**
   * At least the newest max_ts of the stored chunks of series `id` (the end of the rollup bucket
   * holding it), when known: lets a chunk write skip asking SQLite whether older chunks reach
   * into its buckets. Known once a chunk written through noteWritten since the series got its
   * slot showed that none did; deleting chunks leaves it an upper bound.
   */
  newestStoredTs(id: number): number | undefined {
    const slot = this.states.get(id);
    const end = slot === undefined ? UNKNOWN_BUCKET : (this.storedEndBucket[slot] as number);
    return end === UNKNOWN_BUCKET ? undefined : end * ROLLUP_BASE_MS;
  }

  /**
   * Records that a chunk ending at `maxTs` was written for series `id`; `overlapped`: older
   * chunks reached into its buckets, so whether some end after it is not known.
   */
  noteWritten(id: number, maxTs: number, overlapped: boolean): void {
    const slot = this.states.get(id);
    if (slot === undefined) return;
    const known = this.storedEndBucket[slot] as number;
    let end = Math.ceil(maxTs / ROLLUP_BASE_MS);
    if (known !== UNKNOWN_BUCKET) end = Math.max(end, known);
    else if (overlapped) return;
    // Beyond ±2^31 buckets (±20,000 years) it stays unknown: SQLite is asked.
    this.storedEndBucket[slot] = end > UNKNOWN_BUCKET && end <= 0x7fffffff ? end : UNKNOWN_BUCKET;
  }

  /** Smallest WAL row id still needed to rebuild a head (Infinity when none is). */
  minNeededWalId(): number {
    let min = Infinity;
    const { count, firstWalId } = this.open;
    for (let slot = 0; slot < this.slotsUsed; slot++) {
      if (count[slot] !== 0 && (firstWalId[slot] as number) < min) min = firstWalId[slot] as number;
    }
    for (const frozen of this.pending.values()) {
      for (const f of frozen) if (f.firstWalId < min) min = f.firstWalId;
    }
    return min;
  }

  /** Freezes every head that needs WAL rows before `walId`; `lastWalId` is fully applied. */
  freezeOlderThan(walId: number, lastWalId: number): void {
    const { count, firstWalId } = this.open;
    for (let slot = 0; slot < this.slotsUsed; slot++) {
      if (count[slot] !== 0 && (firstWalId[slot] as number) < walId) this.freeze(slot, lastWalId);
    }
  }

  /** True when series `id` has samples not yet written as chunks. */
  hasUnsaved(id: number): boolean {
    const slot = this.states.get(id);
    return (slot !== undefined && this.open.count[slot] !== 0) || this.pending.has(id);
  }

  /** Forgets series `id` (deleted): frees its slot and drops its heads. */
  remove(id: number): void {
    const slot = this.states.get(id);
    this.pending.delete(id);
    if (slot === undefined) return;
    this.open.clear(slot);
    this.idOf[slot] = -1;
    this.states.delete(id);
    this.freeSlots.push(slot);
  }

  /** Forgets series without any unsaved samples (frees their memory). */
  dropIdle(): void {
    for (let slot = 0; slot < this.slotsUsed; slot++) {
      const id = this.idOf[slot] as number;
      if (id !== -1 && !this.hasUnsaved(id)) this.remove(id);
    }
  }

  /** Open heads' bytes in pages, and the pages reserved (tests, diagnostics). */
  pageBytes(): { inUse: number; reserved: number } {
    return this.open.pageBytes();
  }

  private due(slot: number, timestampMs: number): boolean {
    const { chunkSamples, maxChunkSpanMs } = this.policy;
    const count = this.open.count[slot] as number;
    const maxTs = this.open.maxTs[slot] as number;
    if (count >= chunkSamples * 4) return true;
    if (timestampMs <= maxTs) return false;
    // Checked first: most samples end here, without the divisions below.
    if (count < chunkSamples && timestampMs - (this.open.minTs[slot] as number) < maxChunkSpanMs)
      return false;
    // Rollup buckets are left-open, (s, s + R]: a sample on a boundary ends its bucket.
    return sampleBucket(timestampMs, ROLLUP_BASE_MS) !== sampleBucket(maxTs, ROLLUP_BASE_MS);
  }
}
