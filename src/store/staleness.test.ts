import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createPromqlEngine } from '../promql/index.js';
import { STALE_NAN } from '../promql/staleness.js';
import { computeRollups } from './rollup.js';
import { createSqliteStore, type SqliteStore } from './sqlite-store.js';
import type { LabelMatcher, MetricStore, Sample } from './types.js';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);
const STEP_MS = 15_000;
const NAME: LabelMatcher[] = [{ name: '__name__', type: '=', value: 'up_ratio' }];
const READS = 1000;

/** 10 samples of 0.5, 1.5, ... every 15 s, then a staleness marker at sample 10. */
function seriesWithMarker(job: string): Sample[] {
  const labels = { __name__: 'up_ratio', job };
  const out: Sample[] = [];
  for (let i = 0; i < 10; i++) out.push({ labels, timestampMs: T0 + i * STEP_MS, value: i + 0.5 });
  out.push({ labels, timestampMs: T0 + 10 * STEP_MS, value: STALE_NAN });
  return out;
}

const MARKER_MS = T0 + 10 * STEP_MS;

/**
 * The worst V8 may do: every NaN read back from the store becomes the canonical quiet NaN
 * (0x7ff8000000000000), as when a marker passes through a plain double array on a slow path.
 */
function canonicalising(store: MetricStore): MetricStore {
  return {
    append: (samples) => store.append(samples),
    close: () => store.close(),
    async select(matchers, startMs, endMs) {
      const series = await store.select(matchers, startMs, endMs);
      return series.map((s) => ({
        ...s,
        values: s.values.map((v) => (Number.isNaN(v) ? Number.NaN : v)),
      }));
    },
  };
}

/** Reads `READS` times; returns how many reads gave a point for the marker-only window. */
async function pointsForMarkerOnlyWindow(store: MetricStore): Promise<number> {
  const engine = createPromqlEngine(store);
  let points = 0;
  for (let k = 0; k < READS; k++) {
    // The 5-minute lookback at these times holds the marker and nothing else of job "a".
    const timeMs = MARKER_MS + 4 * 60_000 + 1 + (k % 50) * 100;
    const result = await engine.instantQuery('up_ratio{job="a"}', timeMs);
    assert.equal(result.resultType, 'vector');
    points += (result.result as unknown[]).length;
  }
  return points;
}

async function withStore(fn: (store: SqliteStore, path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-stale-'));
  try {
    await fn(createSqliteStore({ path: join(dir, 's.db'), retentionIntervalMs: 0 }), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asserts `READS` selects flag exactly the marker, at index 10 of series job="a". */
async function assertMarkerFlagged(store: MetricStore): Promise<void> {
  for (let k = 0; k < READS; k++) {
    const [a] = await store.select([...NAME, { name: 'job', type: '=', value: 'a' }], T0, T0 + 1e7);
    assert.ok(a !== undefined);
    assert.equal(a.timestampsMs[10], MARKER_MS);
    assert.deepEqual([...(a.staleMask ?? [])], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  }
}

describe('staleness markers end to end (store -> engine)', () => {
  it('select() flags the marker explicitly, from the head, from chunks and after replay', async () => {
    await withStore(async (store, dir) => {
      await store.append([...seriesWithMarker('a'), ...seriesWithMarker('b')]);
      await assertMarkerFlagged(store); // in the head
      await store.flushHeads();
      await assertMarkerFlagged(store); // in a chunk
      // Out of order into the cut range: chunk and head overlap, the merge path reads them.
      await store.append([
        { labels: { __name__: 'up_ratio', job: 'a' }, timestampMs: T0 + 5 * STEP_MS, value: 9.25 },
      ]);
      await assertMarkerFlagged(store);
      await store.close();
      const reopened = createSqliteStore({ path: join(dir, 's.db'), retentionIntervalMs: 0 });
      await assertMarkerFlagged(reopened); // after write-ahead log replay
      await reopened.close();
    });
  });

  it('select() keeps the flag when an out-of-order write re-encodes the head', async () => {
    await withStore(async (store) => {
      const samples = seriesWithMarker('a');
      // The marker first, then the rest out of order: the head is re-encoded ten times.
      await store.append([samples[10] as Sample]);
      for (const s of samples.slice(0, 10)) await store.append([s]);
      await assertMarkerFlagged(store);
      await store.close();
    });
  });

  it('the engine never returns a point for a marker-only lookback window (1,000 reads)', async () => {
    await withStore(async (store) => {
      await store.append([...seriesWithMarker('a'), ...seriesWithMarker('b')]);
      assert.equal(await pointsForMarkerOnlyWindow(store), 0);
      await store.flushHeads();
      assert.equal(await pointsForMarkerOnlyWindow(store), 0);
      await store.close();
    });
  });

  it('the engine honours the mask even when every NaN payload was lost on the way', async () => {
    await withStore(async (store) => {
      await store.append(seriesWithMarker('a'));
      const lossy = canonicalising(store);
      assert.equal(await pointsForMarkerOnlyWindow(lossy), 0);
      // The sample before the marker is still seen where the window does not reach the marker.
      const engine = createPromqlEngine(lossy);
      const before = await engine.instantQuery('up_ratio{job="a"}', MARKER_MS - 1);
      assert.deepEqual(before.result, [
        {
          metric: { __name__: 'up_ratio', job: 'a' },
          value: [(MARKER_MS - 1) / 1000, '9.5'],
        },
      ]);
      // Range selectors skip the marker: 10 samples, not 11.
      const counted = await engine.instantQuery(
        'count_over_time(up_ratio{job="a"}[10m])',
        MARKER_MS + 1000,
      );
      assert.deepEqual(counted.result, [
        { metric: { job: 'a' }, value: [(MARKER_MS + 1000) / 1000, '10'] },
      ]);
      await store.close();
    });
  });

  it('rollups leave out a marker reported by index even when its bits were lost', () => {
    const cols = computeRollups(
      [T0 + STEP_MS, T0 + 2 * STEP_MS, T0 + 3 * STEP_MS],
      [1, Number.NaN, 3],
      300_000,
      [1],
    );
    assert.deepEqual([...cols.counts], [2]);
    assert.deepEqual([...cols.sums], [4]);
    assert.deepEqual([...cols.lasts], [3]);
  });
});
