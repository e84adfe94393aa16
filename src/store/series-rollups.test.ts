import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSqliteStore, type SqliteStore } from './sqlite-store.js';
import type { LabelMatcher, RollupSeriesData, Sample } from './types.js';
import { prng } from '../promql/rollup-fixture.js';
import { COLUMN_KEYS } from './rollup.js';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (6 * HOUR));
const ALL: LabelMatcher[] = [{ name: '__name__', type: '=~', value: '.+' }];

/** Two counters scraped every 15 s over [fromMs, toMs); `add` shifts their values. */
function counters(fromMs: number, toMs: number, add = 0): Sample[] {
  const out: Sample[] = [];
  for (let ts = fromMs, i = 0; ts < toMs; ts += 15_000, i++) {
    for (const name of ['a_total', 'b_total']) {
      out.push({ labels: { __name__: name }, timestampMs: ts, value: i * 2 + add });
    }
  }
  return out;
}

/** A store holding 12 hours of both counters, every sample written as a chunk. */
async function filledStore(blockCacheBytes: number): Promise<SqliteStore> {
  const store = createSqliteStore({ path: ':memory:', chunkSamples: 60, blockCacheBytes });
  await store.append(counters(T0, T0 + 12 * HOUR));
  await store.flushHeads();
  return store;
}

const read = (store: SqliteStore, fromMs: number, toMs: number): Promise<RollupSeriesData[]> =>
  store.selectRollups(ALL, fromMs, toMs, 300_000, ['counts', 'increases']);

/** The buckets' starts, counts and increases, for comparing two reads. */
function values(series: RollupSeriesData[]): number[][] {
  return series.flatMap((s) => [[...s.startsMs], [...s.counts], [...s.increases]]);
}

describe("a series' cached rollups (series-rollups.ts)", () => {
  it('answers a repeated read, and a narrower one, from one entry per series', async () => {
    const store = await filledStore(1 << 24);
    try {
      const first = await read(store, T0, T0 + 10 * HOUR);
      const before = store.blockCacheStats();
      const again = await read(store, T0, T0 + 10 * HOUR);
      const narrow = await read(store, T0 + 2 * HOUR, T0 + 3 * HOUR);
      const after = store.blockCacheStats();
      assert.deepEqual(values(again), values(first));
      assert.equal(after.hits - before.hits, 4, 'one hit per series and read');
      assert.equal(after.misses, before.misses, 'no block looked up again');
      // The narrower read views the entry's buffer: nothing was copied.
      assert.equal(narrow[0]?.startsMs.buffer, first[0]?.startsMs.buffer);
      assert.equal(narrow[0]?.startsMs[0], T0 + 2 * HOUR);
      assert.equal(narrow[0]?.startsMs.length, 13);
    } finally {
      await store.close();
    }
  });

  it('drops the entry when the series is written again, and answers as a store without a cache', async () => {
    const cached = await filledStore(1 << 24);
    const plain = await filledStore(0);
    try {
      await read(cached, T0, T0 + 10 * HOUR);
      // Rewrites an hour in the middle (the latest write wins), then compacts.
      for (const store of [cached, plain]) {
        await store.append(counters(T0 + 4 * HOUR, T0 + 5 * HOUR, 1e6));
        await store.flushHeads();
      }
      const got = await read(cached, T0, T0 + 10 * HOUR);
      assert.deepEqual(values(got), values(await read(plain, T0, T0 + 10 * HOUR)));
      const bucket = got[0]?.startsMs.indexOf(T0 + 4 * HOUR + 300_000) ?? -1;
      assert.ok(bucket > 0 && (got[0]?.increases[bucket] ?? 0) > 0);
    } finally {
      await cached.close();
      await plain.close();
    }
  });

  it('keeps an entry through writes after its range, and grows it as the range moves on', async () => {
    // Unmerged 15-minute rows (no compaction), as a live store holds its newest data.
    const opts = { path: ':memory:', chunkSamples: 60, compactionBudgetMs: 0 };
    const cached = createSqliteStore({ ...opts, blockCacheBytes: 1 << 24 });
    const plain = createSqliteStore({ ...opts, blockCacheBytes: 0 });
    const misses = () => cached.blockCacheStats().misses;
    try {
      for (const store of [cached, plain]) await store.append(counters(T0, T0 + 12 * HOUR));
      let before = misses();
      await read(cached, T0, T0 + 10 * HOUR);
      const firstMisses = misses() - before;
      for (const store of [cached, plain]) {
        await store.append(counters(T0 + 12 * HOUR, T0 + 14 * HOUR, 2880));
      }
      before = misses();
      await read(cached, T0, T0 + 10 * HOUR);
      assert.equal(misses(), before, 'the entry was kept: the new rows follow its range');

      before = misses();
      const moved = await read(cached, T0 + HOUR, T0 + 13 * HOUR);
      const movedMisses = misses() - before;
      assert.ok(movedMisses < firstMisses / 2, `only the new part read: ${movedMisses}`);
      assert.deepEqual(values(moved), values(await read(plain, T0 + HOUR, T0 + 13 * HOUR)));
      before = misses();
      const again = await read(cached, T0 + 30 * 60_000, T0 + 13 * HOUR);
      assert.equal(misses(), before, 'the grown entry answers');
      assert.deepEqual(values(again), values(await read(plain, T0 + 30 * 60_000, T0 + 13 * HOUR)));
    } finally {
      await cached.close();
      await plain.close();
    }
  });

  it('grows an entry over a nearby range, and reads a far one on its own', async () => {
    const cached = await filledStore(1 << 24);
    const plain = await filledStore(0);
    try {
      const ranges: Array<[number, number]> = [
        [T0 + 2 * HOUR, T0 + 4 * HOUR],
        [T0 + 3 * HOUR, T0 + 6 * HOUR], // overlaps: the entry becomes [2 h, 6 h]
        [T0 + 2 * HOUR, T0 + 6 * HOUR], // inside it: a hit
        [T0 + 11 * HOUR, T0 + 12 * HOUR], // far: the entry becomes [11 h, 12 h]
        [T0, T0 + 12 * HOUR],
      ];
      for (const [from, to] of ranges) {
        const before = cached.blockCacheStats();
        const got = await read(cached, from, to);
        assert.deepEqual(values(got), values(await read(plain, from, to)), `${from - T0}`);
        if (from === T0 + 2 * HOUR && to === T0 + 6 * HOUR) {
          assert.equal(cached.blockCacheStats().misses, before.misses, 'served by the entry');
        }
      }
    } finally {
      await cached.close();
      await plain.close();
    }
  });

  it('serves fewer columns from an entry with more, and reads more columns anew', async () => {
    const cached = await filledStore(1 << 24);
    const plain = await filledStore(0);
    try {
      const counts = (s: SqliteStore) =>
        s.selectRollups(ALL, T0, T0 + 6 * HOUR, 300_000, ['counts']);
      const all = (s: SqliteStore) => s.selectRollups(ALL, T0, T0 + 6 * HOUR, 300_000);
      await counts(cached);
      const wide = await all(cached);
      assert.deepEqual(wide, await all(plain));
      const narrow = await counts(cached);
      assert.deepEqual(narrow[0]?.counts, (await counts(plain))[0]?.counts);
      assert.equal(narrow[0]?.sums.length, 0, 'a column not asked for is left empty');
    } finally {
      await cached.close();
      await plain.close();
    }
  });
});

describe("a series' cached rollups under interleaved writes (seeded)", () => {
  for (const seed of [7, 11, 23]) {
    it(`answer every read as a store without a cache (seed ${seed})`, async () => {
      const random = prng(seed);
      const pick = (n: number): number => Math.floor(random() * n);
      const opts = { path: ':memory:', chunkSamples: 40, compactionBudgetMs: 5, retentionDays: 1 };
      const cached = createSqliteStore({ ...opts, blockCacheBytes: 1 << 22 });
      const plain = createSqliteStore({ ...opts, blockCacheBytes: 0 });
      const columnSets = [
        ['counts', 'increases'],
        ['counts'],
        ['lasts', 'maxs'],
        undefined,
      ] as const;
      let newest = T0;
      try {
        for (let step = 0; step < 120; step++) {
          const action = pick(10);
          if (action < 4) {
            // In order: the next 20 to 80 minutes; out of order: a stretch of the last 12 hours.
            const inOrder = action < 3;
            const from = inOrder ? newest : newest - (1 + pick(12)) * HOUR + pick(20) * 15_000;
            const to = from + (20 + pick(60)) * 60_000;
            const batch = counters(from, to, inOrder ? 0 : 1000 + step);
            for (const store of [cached, plain]) await store.append(batch);
            if (inOrder) newest = to;
          } else if (action === 4) {
            for (const store of [cached, plain]) await store.flushHeads();
          } else if (action === 5 && step > 80) {
            const now = newest + 12 * HOUR;
            assert.deepEqual(await cached.enforceRetention(now), await plain.enforceRetention(now));
          } else {
            const span = newest - T0;
            const from = T0 + Math.floor(random() * span);
            const to = Math.min(newest, from + (1 + pick(16)) * HOUR);
            const resolution = [300_000, 600_000, 3_600_000][pick(3)] as number;
            const cols = columnSets[pick(columnSets.length)];
            const args = [ALL, from, to, resolution, cols?.slice()] as const;
            const got = await cached.selectRollups(...args);
            const want = await plain.selectRollups(...args);
            const names = cols === undefined ? undefined : (['startsMs', ...cols] as const);
            const message = `step ${step}: ${from - T0}..${to - T0} at ${resolution} ${String(cols)}`;
            assert.deepEqual(columnsOf(got, names), columnsOf(want, names), message);
          }
        }
        assert.ok(cached.blockCacheStats().hits > 0);
      } finally {
        await cached.close();
        await plain.close();
      }
    });
  }
});

/** The named columns (all when undefined) of each series, as plain arrays. */
function columnsOf(
  series: RollupSeriesData[],
  names: readonly string[] = ['startsMs', ...COLUMN_KEYS],
): Array<[string, number[][]]> {
  return series.map((s) => [
    JSON.stringify(s.labels),
    names.map((k) => [...(s[k as keyof RollupSeriesData] as Float64Array)]),
  ]);
}
