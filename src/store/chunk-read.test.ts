import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeStoredChunk, CHUNK_FORMAT_TAGGED } from './chunk-codec.js';
import { decodeWhole } from './chunk-read.js';
import { createSqliteStore, type SqliteStore } from './sqlite-store.js';
import type { LabelMatcher, Sample, SeriesColumns } from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (6 * HOUR));
const STALE = Buffer.from('7ff0000000000002', 'hex').readDoubleBE(0);
const NAN_PAYLOAD = Buffer.from('7ff8000000000bad', 'hex').readDoubleBE(0);
const ALL: LabelMatcher[] = [{ name: '__name__', type: '=~', value: '.+' }];

/** Samples of 4 series over [fromMs, toMs), with adversarial values; `shift` varies them. */
function samples(fromMs: number, toMs: number, shift: number): Sample[] {
  const out: Sample[] = [];
  const odd = [STALE, NAN_PAYLOAD, Infinity, -Infinity, -0, 1e308, 5e-324];
  for (let ts = fromMs, i = 0; ts < toMs; ts += 15_000, i++) {
    out.push({ labels: { __name__: 'c_total' }, timestampMs: ts, value: i * 3 + shift });
    out.push({ labels: { __name__: 'g' }, timestampMs: ts, value: Math.sin(i + shift) * 1e3 });
    const weird = i % 11 === 0 ? (odd[(i / 11) % odd.length] as number) : i * 0.25 + shift;
    out.push({ labels: { __name__: 'w' }, timestampMs: ts, value: weird });
    // Irregular timestamps: not kept as first and step.
    out.push({ labels: { __name__: 'j' }, timestampMs: ts + (i % 7) * 13, value: i });
  }
  return out;
}

/** Every series' columns as hex, so NaN payloads, -0 and the stale flags count. */
function bits(series: SeriesColumns[]): string[] {
  const hex = (a: Float64Array | Uint8Array) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
  return series.map(
    (s) =>
      `${JSON.stringify(s.labels)} ${hex(s.timestampsMs)} ${hex(s.values)} ` +
      (s.staleMask === undefined ? '-' : hex(s.staleMask)),
  );
}

/** Asserts that both stores select the same samples, bit for bit, over several windows. */
async function assertSame(cached: SqliteStore, plain: SqliteStore, what: string): Promise<void> {
  const windows: Array<[number, number]> = [
    [T0, T0 + 9 * HOUR],
    [T0 + HOUR + 1, T0 + 2 * HOUR - 7],
    [T0 + 5 * HOUR - 60_001, T0 + 8 * HOUR],
    [T0 + 3 * HOUR + 15_000, T0 + 3 * HOUR + 15_000],
    [T0 + 20 * HOUR, T0 + 21 * HOUR],
  ];
  for (const [from, to] of windows) {
    for (let pass = 0; pass < 2; pass++) {
      const got = await cached.selectColumns(ALL, from, to);
      const want = await plain.selectColumns(ALL, from, to);
      assert.deepEqual(bits(got), bits(want), `${what}: ${from - T0}..${to - T0}`);
      // Changing a result must not change what the cache serves next.
      for (const s of got) s.values.fill(42);
    }
  }
}

describe('decodeWhole', () => {
  it('keeps evenly spaced timestamps as first and step, others as a column', () => {
    const even = [0, 1, 2, 3].map((i) => 1000 + 15 * i);
    const chunk = decodeWhole(CHUNK_FORMAT_TAGGED, encodeStoredChunk(even, [1, 2, 3, 4], 4), 4);
    assert.deepEqual(
      [chunk.n, chunk.timestampsMs, chunk.firstMs, chunk.stepMs],
      [4, null, 1000, 15],
    );
    assert.equal(chunk.stale, null);
    const uneven = [1000, 1015, 1031, 1045];
    const other = decodeWhole(CHUNK_FORMAT_TAGGED, encodeStoredChunk(uneven, [1, 2, 3, 4], 4), 4);
    assert.deepEqual(Array.from(other.timestampsMs ?? []), uneven);
    const marked = decodeWhole(
      CHUNK_FORMAT_TAGGED,
      encodeStoredChunk(even, [1, STALE, 3, 4], 4),
      4,
    );
    assert.deepEqual(Array.from(marked.stale ?? []), [0, 1, 0, 0]);
  });
});

describe('chunk cache in the store', () => {
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
      assert.equal(plain.blockCacheStats().entries, 0);

      // Out-of-order rewrites of stored samples: overlapping chunks, the latest winning.
      await both(samples(T0 + HOUR + 15_000, T0 + 2 * HOUR, 1000)); // same timestamps
      await both(samples(T0 + 6 * HOUR, T0 + 8 * HOUR, 0));
      await assertSame(cached, plain, 'after out-of-order writes');

      await cached.flushHeads(); // compacts: merged chunks under new ids, the old ones deleted
      await plain.flushHeads();
      await assertSame(cached, plain, 'after compaction');

      const now = T0 + DAY + 3 * HOUR; // deletes chunks ending before T0 + 3 h
      assert.deepEqual(await cached.enforceRetention(now), await plain.enforceRetention(now));
      await assertSame(cached, plain, 'after retention');
    } finally {
      await cached.close();
      await plain.close();
    }
  });

  it('reads a repeated select from the cache only', async () => {
    const store = createSqliteStore({
      path: ':memory:',
      chunkSamples: 40,
      blockCacheBytes: 1 << 24,
    });
    try {
      await store.append(samples(T0, T0 + HOUR, 0));
      await store.flushHeads();
      // 240 samples per series in chunks of 40: 6 chunks of each of the 4 series.
      await store.selectColumns(ALL, T0, T0 + HOUR);
      const first = store.blockCacheStats();
      assert.deepEqual([first.hits, first.misses, first.entries], [0, 24, 24]);
      await store.selectColumns(ALL, T0 + 1, T0 + HOUR - 1);
      const second = store.blockCacheStats();
      assert.deepEqual([second.hits, second.misses, second.entries], [24, 24, 24]);
      const chunks = store.chunkCacheStats();
      assert.deepEqual([chunks.hits, chunks.misses, chunks.entries], [24, 24, 24]);
      assert.equal(chunks.bytes, second.bytes);
    } finally {
      await store.close();
    }
  });

  it('fills at most a quarter of the bound per select', async () => {
    const store = createSqliteStore({
      path: ':memory:',
      chunkSamples: 40,
      blockCacheBytes: 1 << 16,
    });
    try {
      await store.append(samples(T0, T0 + 6 * HOUR, 0));
      await store.flushHeads();
      // 4 series × 36 chunks of 40 samples: about 85 KB decoded, more than the bound.
      const first = await store.selectColumns(ALL, T0, T0 + 6 * HOUR);
      const stats = store.chunkCacheStats();
      assert.ok(stats.bytes <= (1 << 16) / 4 && stats.entries > 10, JSON.stringify(stats));
      assert.ok(stats.misses > stats.entries, JSON.stringify(stats));
      // A second select hits what the first kept and answers the same.
      assert.deepEqual(bits(await store.selectColumns(ALL, T0, T0 + 6 * HOUR)), bits(first));
      assert.equal(store.chunkCacheStats().hits, stats.entries);
    } finally {
      await store.close();
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
});
