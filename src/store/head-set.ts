/**
 * The in-memory heads of all active series, and the policy that decides when a head is cut
 * into a stored chunk: at the first sample of a new 5-minute rollup bucket once the head holds
 * `chunkSamples` samples or spans `maxChunkSpanMs`, or at once when it holds four times
 * `chunkSamples` (a series scraped many times per bucket).
 */
import { SeriesHead } from './head.js';
import { ROLLUP_BASE_MS } from './rollup.js';

/** The in-memory state of one series that has unsaved samples. */
export interface SeriesState {
  id: number;
  head: SeriesHead | null;
  /** Heads cut but not yet written as chunks (written after the append's commit). */
  frozen: SeriesHead[] | null;
  /** From the series row, for write-ahead log replay: see schema.ts. */
  cutWalId: number;
  cutBeforeTs: number;
}

/** Cutting policy; see the file comment. */
export interface CutPolicy {
  chunkSamples: number;
  maxChunkSpanMs: number;
}

/** Heads by series id, plus the series with heads waiting to be written. */
export class HeadSet {
  /** Series states by id (sparse). */
  readonly states = new Map<number, SeriesState>();
  /** Series with frozen heads. */
  readonly pending = new Set<SeriesState>();

  constructor(private readonly policy: CutPolicy) {}

  /** The state of series `id`, created with the given cut info when absent. */
  state(id: number, cutWalId = 0, cutBeforeTs = -Infinity): SeriesState {
    let st = this.states.get(id);
    if (st === undefined) {
      st = { id, head: null, frozen: null, cutWalId, cutBeforeTs };
      this.states.set(id, st);
    }
    return st;
  }

  /** Adds a sample written in WAL row `walId`, freezing the head first when it is due. */
  add(st: SeriesState, timestampMs: number, value: number, walId: number): void {
    let head = st.head;
    if (head !== null && head.count > 0 && this.due(head, timestampMs)) {
      // Samples of this WAL row may land in either head: only earlier rows are fully cut.
      this.freeze(st, walId - 1);
      head = null;
    }
    if (head === null) {
      head = new SeriesHead(walId);
      st.head = head;
    }
    head.add(timestampMs, value);
  }

  /** Moves the head of `st` to its frozen list; `cutWalId` is the last row it fully holds. */
  freeze(st: SeriesState, cutWalId: number): void {
    const head = st.head;
    if (head === null || head.count === 0) return;
    head.cutWalId = cutWalId;
    (st.frozen ??= []).push(head);
    st.head = null;
    this.pending.add(st);
  }

  /** Heads of `st` in write order: frozen ones, then the open one. */
  headsOf(st: SeriesState | undefined): SeriesHead[] {
    if (st === undefined) return [];
    const heads = st.frozen === null ? [] : [...st.frozen];
    if (st.head !== null) heads.push(st.head);
    return heads;
  }

  /** Smallest WAL row id still needed to rebuild a head (Infinity when none is). */
  minNeededWalId(): number {
    let min = Infinity;
    for (const st of this.states.values()) {
      if (st.head !== null && st.head.firstWalId < min) min = st.head.firstWalId;
      for (const f of st.frozen ?? []) if (f.firstWalId < min) min = f.firstWalId;
    }
    return min;
  }

  /** Freezes every head that needs WAL rows before `walId`; `lastWalId` is fully applied. */
  freezeOlderThan(walId: number, lastWalId: number): void {
    for (const st of this.states.values()) {
      if (st.head !== null && st.head.firstWalId < walId) this.freeze(st, lastWalId);
    }
  }

  /** Forgets series without any unsaved samples (frees their memory). */
  dropIdle(): void {
    for (const [id, st] of this.states) {
      if (st.head === null && st.frozen === null) this.states.delete(id);
    }
  }

  private due(head: SeriesHead, timestampMs: number): boolean {
    const { chunkSamples, maxChunkSpanMs } = this.policy;
    if (head.count >= chunkSamples * 4) return true;
    if (timestampMs <= head.maxTs) return false;
    const newBucket =
      Math.floor(timestampMs / ROLLUP_BASE_MS) !== Math.floor(head.maxTs / ROLLUP_BASE_MS);
    return newBucket && (head.count >= chunkSamples || timestampMs - head.minTs >= maxChunkSpanMs);
  }
}
