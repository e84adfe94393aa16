import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COLUMN_KEYS } from './rollup.js';
import { BlockCache, ENTRY_OVERHEAD_BYTES } from './block-cache.js';
import { createSqliteStore, type SqliteStore } from './sqlite-store.js';
import type { LabelMatcher, RollupSeriesData, Sample } from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (6 * HOUR));
const STALE = Buffer.from('7ff0000000000002', 'hex').readDoubleBE(0);
const NAN_PAYLOAD = Buffer.from('7ff8000000000bad', 'hex').readDoubleBE(0);
const ALL: LabelMatcher[] = [{ name: '__name__', type: '=~', value: '.+' }];
const COLUMN_NAMES = ['startsMs', ...COLUMN_KEYS] as const;

describe('BlockCache', () => {
  it('does not evict entries used within protectMs: a new block is left uncached instead', () => {
    let now = 0;
    const entry = ENTRY_OVERHEAD_BYTES + 100;
    const cache = new BlockCache<string>(2 * entry, 100, () => now);
    cache.set(1, 'a', 100);
    cache.set(2, 'b', 100);
    now = 50;
    cache.set(3, 'c', 100); // 1 (used at 0) and 2 are protected
    assert.equal(cache.get(3), undefined);
    assert.equal(cache.get(2), 'b'); // 2 used at 50
    now = 120;
    cache.set(3, 'c', 100); // 1 was last used 120 ms ago: evicted
    assert.equal(cache.get(1), undefined);
    assert.equal(cache.get(3), 'c');
    now = 130;
    cache.set(4, 'd', 100); // least recently used is 2, used 80 ms ago: kept
    assert.deepEqual(
      [2, 3, 4].map((id) => cache.get(id)),
      ['b', 'c', undefined],
    );
    now = 400;
    cache.set(4, 'd', 100); // both last used at 130: the older of them (2) goes
    assert.deepEqual(
      [2, 3, 4].map((id) => cache.get(id)),
      [undefined, 'c', 'd'],
    );
    assert.equal(cache.stats().bytes, 2 * entry);
  });

  it('evicts the least recently used entries at the byte bound', () => {
    const cache = new BlockCache<string>(3 * (ENTRY_OVERHEAD_BYTES + 100));
    cache.set(1, 'a', 100);
    cache.set(2, 'b', 100);
    cache.set(3, 'c', 100);
    assert.equal(cache.get(1), 'a'); // 1 is now the newest: 2 goes first
    cache.set(4, 'd', 100);
    assert.equal(cache.get(2), undefined);
    assert.deepEqual(
      [1, 3, 4].map((id) => cache.get(id)),
      ['a', 'c', 'd'],
    );
    assert.deepEqual(cache.stats(), {
      hits: 4,
      misses: 1,
      entries: 3,
      bytes: 3 * (ENTRY_OVERHEAD_BYTES + 100),
      maxBytes: 3 * (ENTRY_OVERHEAD_BYTES + 100),
    });
    // Two entries' worth: evicts the two least recently used, 1 and 3 (then 4).
    cache.set(5, 'big', ENTRY_OVERHEAD_BYTES + 200);
    assert.deepEqual(
      [1, 3, 4, 5].map((id) => cache.get(id)),
      [undefined, undefined, 'd', 'big'],
    );
    assert.equal(cache.stats().bytes, 3 * (ENTRY_OVERHEAD_BYTES + 100));
  });

  it('evicts in least-recently-used order over long runs of gets and sets (checked against a model)', () => {
    const bound = 20 * (ENTRY_OVERHEAD_BYTES + 10);
    const cache = new BlockCache<number>(bound);
    let model: Array<{ id: number; bytes: number }> = []; // oldest first
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let op = 0; op < 20_000; op++) {
      const id = Math.floor(next() * 60);
      const at = model.findIndex((e) => e.id === id);
      if (next() < 0.5) {
        const got = cache.get(id);
        assert.equal(got, at >= 0 ? id : undefined, `get ${id} at op ${op}`);
        if (at >= 0) model.push(...model.splice(at, 1));
      } else {
        const bytes = ENTRY_OVERHEAD_BYTES + 1 + Math.floor(next() * 30);
        cache.set(id, id, bytes - ENTRY_OVERHEAD_BYTES);
        if (at >= 0) model.splice(at, 1);
        model.push({ id, bytes });
        let total = model.reduce((sum, e) => sum + e.bytes, 0);
        while (total > bound) total -= (model.shift() as { bytes: number }).bytes;
      }
      const stats = cache.stats();
      assert.equal(stats.entries, model.length, `entries at op ${op}`);
      assert.equal(
        stats.bytes,
        model.reduce((sum, e) => sum + e.bytes, 0),
        `bytes at op ${op}`,
      );
    }
    model = model.filter((e) => cache.get(e.id) === e.id);
    assert.equal(model.length, cache.stats().entries);
  });

  it('keeps at most the admitted bytes of new entries during withAdmission, then all again', () => {
    const entry = ENTRY_OVERHEAD_BYTES + 100;
    const cache = new BlockCache<string>(10 * entry);
    cache.set(1, 'old', 100);
    const kept = cache.withAdmission(2 * entry, () => {
      for (let id = 2; id <= 5; id++) cache.set(id, `new ${id}`, 100);
      return cache.get(1); // gets are not limited
    });
    assert.equal(kept, 'old');
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((id) => cache.get(id)),
      ['old', 'new 2', 'new 3', undefined, undefined],
    );
    cache.set(4, 'later', 100); // outside: no limit
    assert.equal(cache.get(4), 'later');
    assert.throws(() =>
      cache.withAdmission(0, () => {
        throw new Error('read failed');
      }),
    );
    cache.set(5, 'after a failed read', 100); // the limit is lifted even when the read throws
    assert.equal(cache.get(5), 'after a failed read');
  });

  it('keeps nothing larger than the bound, and nothing at all with a bound of 0', () => {
    const cache = new BlockCache<string>(1000);
    cache.set(1, 'a', 10);
    cache.set(1, 'huge', 2000); // replacing with an oversized value drops the entry
    assert.equal(cache.get(1), undefined);
    assert.equal(cache.stats().bytes, 0);
    const off = new BlockCache<string>(0);
    assert.equal(off.enabled, false);
    off.set(1, 'a', 0);
    assert.equal(off.get(1), undefined);
  });
});

/** Samples of 3 series every 15 s over [fromMs, toMs), with adversarial values; `shift` varies them. */
function samples(fromMs: number, toMs: number, shift: number): Sample[] {
  const out: Sample[] = [];
  const odd = [STALE, NAN_PAYLOAD, Infinity, -Infinity, -0, 1e308, 5e-324];
  for (let ts = fromMs, i = 0; ts < toMs; ts += 15_000, i++) {
    out.push({ labels: { __name__: 'c_total' }, timestampMs: ts, value: i * 3 + shift });
    out.push({ labels: { __name__: 'g' }, timestampMs: ts, value: Math.sin(i + shift) * 1e3 });
    const weird = i % 11 === 0 ? (odd[(i / 11) % odd.length] as number) : i * 0.25 + shift;
    out.push({ labels: { __name__: 'w' }, timestampMs: ts, value: weird });
  }
  return out;
}

/**
 * Every column of every series as bytes, so -0 counts. NaNs are written as one NaN: a NaN's
 * payload bits may or may not survive a plain JS array depending on how far V8 has optimised the
 * code that stored it, so two reads of the same block can differ there (and PromQL never shows
 * a payload; staleness markers are not in rollups).
 */
function bits(
  series: RollupSeriesData[],
  names: readonly (typeof COLUMN_NAMES)[number][] = COLUMN_NAMES,
): Array<[string, string[]]> {
  const hex = (column: Float64Array): string => {
    const copy = Float64Array.from(column, (v) => (Number.isNaN(v) ? Number.NaN : v));
    return Buffer.from(copy.buffer).toString('hex');
  };
  return series.map((s) => [JSON.stringify(s.labels), names.map((key) => hex(s[key]))]);
}

/** Asserts that both stores answer several rollup reads bit for bit alike. */
async function assertSame(cached: SqliteStore, plain: SqliteStore, what: string): Promise<void> {
  const reads: Array<[number, number, number, (typeof COLUMN_NAMES)[number][] | undefined]> = [
    [T0, T0 + 8 * HOUR, 300_000, ['counts']],
    [T0, T0 + 8 * HOUR, 300_000, undefined],
    [T0 + HOUR + 1, T0 + 5 * HOUR - 7, 300_000, ['counts', 'increases']],
    [T0, T0 + 8 * HOUR, 3_600_000, undefined],
    [T0 + 2 * HOUR, T0 + 3 * HOUR, 300_000, ['maxs']],
  ];
  for (const [from, to, res, cols] of reads) {
    for (let pass = 0; pass < 2; pass++) {
      const got = await cached.selectRollups(ALL, from, to, res, cols);
      const want = await plain.selectRollups(ALL, from, to, res, cols);
      // Columns not asked for hold nothing defined: only those asked for are compared.
      const names = cols === undefined ? COLUMN_NAMES : (['startsMs', ...cols] as const);
      const message = `${what}: ${from}..${to} ${res} ${String(cols)}`;
      assert.deepEqual(bits(got, names), bits(want, names), message);
    }
  }
}

describe('block cache in the store', () => {
  it('answers as the store without it across rewrites, compaction and retention', async () => {
    const opts = { path: ':memory:', chunkSamples: 40, compactionBudgetMs: 0, retentionDays: 1 };
    const cached = createSqliteStore({ ...opts, blockCacheBytes: 1 << 24 });
    const plain = createSqliteStore({ ...opts, blockCacheBytes: 0 });
    const both = async (batch: Sample[]) => {
      await cached.append(batch);
      await plain.append(batch);
    };
    try {
      await both(samples(T0, T0 + 6 * HOUR, 0));
      await assertSame(cached, plain, 'written in order');
      assert.ok(cached.blockCacheStats().hits > 0, 'the cache serves the second reads');
      assert.equal(plain.blockCacheStats().entries, 0);

      // Out-of-order rewrites of stored buckets: new overlapping blocks, the latest winning.
      await both(samples(T0 + HOUR + 7_000, T0 + 2 * HOUR, 1000));
      await both(samples(T0 + 6 * HOUR, T0 + 8 * HOUR, 0));
      await assertSame(cached, plain, 'after out-of-order writes');

      await cached.flushHeads(); // compacts: merged blocks under new ids, the old ones deleted
      await plain.flushHeads();
      await assertSame(cached, plain, 'after compaction');

      const now = T0 + DAY + 3 * HOUR; // deletes blocks ending before T0 + 3 h
      assert.deepEqual(await cached.enforceRetention(now), await plain.enforceRetention(now));
      await assertSame(cached, plain, 'after retention');
    } finally {
      await cached.close();
      await plain.close();
    }
  });

  it('stays within a small bound and still answers the same', async () => {
    const opts = { path: ':memory:', chunkSamples: 40 };
    const cached = createSqliteStore({ ...opts, blockCacheBytes: 4096 });
    const plain = createSqliteStore({ ...opts, blockCacheBytes: 0 });
    try {
      for (const store of [cached, plain]) {
        await store.append(samples(T0, T0 + 6 * HOUR, 0));
        await store.flushHeads();
      }
      await assertSame(cached, plain, 'small cache');
      const stats = cached.blockCacheStats();
      assert.ok(stats.entries > 0 && stats.bytes <= 4096, JSON.stringify(stats));
      assert.ok(stats.misses > stats.entries, 'entries were evicted');
    } finally {
      await cached.close();
      await plain.close();
    }
  });

  it('refuses a negative bound or a fractional protection with a clear error', () => {
    assert.throws(() => createSqliteStore({ path: ':memory:', blockCacheBytes: -1 }), {
      message: /blockCacheBytes must be an integer >= 0/,
    });
    assert.throws(() => createSqliteStore({ path: ':memory:', blockCacheProtectMs: 1.5 }), {
      message: /blockCacheProtectMs must be an integer >= 0/,
    });
  });
});
