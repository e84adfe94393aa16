import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteStore } from './sqlite-store.js';
import { STALE_MARKER, allocColumns, computeRollups, type RollupColumns } from './rollup.js';
import {
  BLOCK_COLUMN_ORDER,
  columnsToDecode,
  decodeRollupBlock,
  decodeRollupBlockInto,
  encodeRollupBlock,
} from './rollup-codec.js';
import type { LabelMatcher, Sample } from './types.js';

const T0 = 1_699_999_200_000; // an hour boundary
const STALE = Buffer.from('020000000000f07f', 'hex').readDoubleLE(0);
const M: LabelMatcher[] = [{ name: '__name__', type: '=', value: 'c' }];

/** An integer counter with resets and irregular 7 to 23 s gaps, plus one staleness marker. */
function counterSamples(): Sample[] {
  const out: Sample[] = [];
  let t = T0 + 3000;
  let v = 0;
  for (let i = 0; i < 900; i++) {
    t += 7000 + ((i * 7919) % 16_000);
    v = i % 97 === 50 ? i % 5 : v + ((i * 31) % 9);
    out.push({ labels: { __name__: 'c' }, timestampMs: t, value: i === 400 ? STALE : v });
  }
  return out;
}

/**
 * A clock-aligned counter: a sample every 15 s, so one on every 5-minute boundary; resets on a
 * boundary sample and on the sample after one, and a staleness marker on a boundary.
 */
function alignedSamples(): Sample[] {
  const out: Sample[] = [];
  let v = 0;
  for (let i = 1; i <= 900; i++) {
    const t = T0 + i * 15_000;
    v = i % 140 === 0 || i % 140 === 81 ? 2 : v + ((i * 31) % 9);
    out.push({ labels: { __name__: 'c' }, timestampMs: t, value: i === 400 ? STALE : v });
  }
  return out;
}

/** Brute force, Prometheus's formulas, over the raw samples of each bucket. */
function expected(samples: Sample[], resolutionMs: number) {
  const buckets = new Map<number, Sample[]>();
  for (const s of samples) {
    if (Number.isNaN(s.value)) continue; // the only NaN is the staleness marker
    // Left-open buckets: a sample on a boundary ends the bucket before it.
    const start = Math.ceil(s.timestampMs / resolutionMs) * resolutionMs - resolutionMs;
    buckets.set(start, [...(buckets.get(start) ?? []), s]);
  }
  const rows = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  return rows.map(([start, ss]) => {
    const vs = ss.map((s) => s.value);
    let resets = 0;
    for (let i = 1; i < vs.length; i++)
      if ((vs[i] as number) < (vs[i - 1] as number)) resets += vs[i - 1] as number;
    return {
      start,
      count: vs.length,
      sum: vs.reduce((a, b) => a + b, 0),
      min: Math.min(...vs),
      max: Math.max(...vs),
      first: vs[0],
      firstTs: ss[0]?.timestampMs,
      last: vs[vs.length - 1],
      lastTs: ss[ss.length - 1]?.timestampMs,
      increase: (vs[vs.length - 1] as number) - (vs[0] as number) + resets,
    };
  });
}

/** The columns as plain arrays (typed-array views compare by their whole buffer otherwise). */
function plain(cols: RollupColumns): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(cols).map(([k, v]) => [k, v instanceof Float64Array ? [...v] : v]),
  );
}

describe('rollups', () => {
  it('encode and decode a block exactly', () => {
    const cols = computeRollups(
      [1, 2, 400_000, 900_000],
      [5, Number.NaN, -Infinity, 1e300],
      300_000,
    );
    assert.deepEqual(plain(decodeRollupBlock(encodeRollupBlock(cols))), plain(cols));
  });

  it('sizes the columns to the buckets, boundaries and markers included', () => {
    // Left-open buckets: 300,000 closes the first; the marker alone in (600,000, 900,000] makes
    // no bucket.
    const cols = computeRollups(
      [1, 300_000, 300_001, 600_000, 600_001],
      [1, 2, 3, 4, STALE_MARKER],
      300_000,
    );
    assert.deepEqual(plain(cols), {
      startsMs: [0, 300_000],
      counts: [2, 2],
      sums: [3, 7],
      mins: [1, 3],
      maxs: [2, 4],
      firsts: [1, 3],
      firstTimestampsMs: [1, 300_001],
      lasts: [2, 4],
      lastTimestampsMs: [300_000, 600_000],
      lastPointTimestampsMs: [300_000, 600_000],
      increases: [1, 1],
    });
  });

  it('stores a counter in 307 bytes per 2,400 samples (layout 4: 304, version 2: 753, version 1: 1,812) and reads it back', () => {
    const ts: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < 2400; i++) {
      ts.push(1_700_000_000_000 + i * 15_000 + 123);
      values.push(i * 37 + Math.floor(i / 3));
    }
    const cols = computeRollups(ts, values, 300_000);
    const block = encodeRollupBlock(cols);
    assert.equal(block.length, 307);
    assert.equal(encodeRollupBlock(cols, 300_000, true).length, 304);
    assert.deepEqual(plain(decodeRollupBlock(block)), plain(cols));
  });

  const cases = [
    [300_000, 'irregular', counterSamples],
    [3_600_000, 'irregular', counterSamples],
    [300_000, 'clock-aligned', alignedSamples],
    [3_600_000, 'clock-aligned', alignedSamples],
  ] as const;
  for (const [resolutionMs, kind, make] of cases) {
    it(`match ${kind} raw data exactly at ${resolutionMs / 60_000} min, across chunks and head`, async () => {
      const store = createSqliteStore({ path: ':memory:', chunkSamples: 40 });
      const samples = make();
      for (let i = 0; i < samples.length; i += 50) await store.append(samples.slice(i, i + 50));
      const endMs = T0 + 10 * 3_600_000;
      const got = await store.selectRollups(M, T0, endMs, resolutionMs);
      assert.equal(got.length, 1);
      const g = got[0]!;
      const rows = [...g.startsMs].map((start, i) => ({
        start,
        count: g.counts[i],
        sum: g.sums[i],
        min: g.mins[i],
        max: g.maxs[i],
        first: g.firsts[i],
        firstTs: g.firstTimestampsMs[i],
        last: g.lasts[i],
        lastTs: g.lastTimestampsMs[i],
        increase: g.increases[i],
      }));
      const want = expected(samples, resolutionMs);
      assert.ok(want.length >= 4);
      assert.deepEqual(rows, want);
      // Some buckets come from stored rollups, the newest from the head.
      await store.flushHeads();
      const flushed = await store.selectRollups(M, T0, endMs, resolutionMs);
      assert.deepEqual(flushed.map(plain), got.map(plain));
      await store.close();
    });
  }
});

describe('head cuts with left-open buckets', () => {
  it('put each clock-aligned sample in one bucket: no rollup row overlaps another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-cuts-'));
    try {
      const path = join(dir, 'c.db');
      const opts = { path, chunkSamples: 40, compactionBudgetMs: 0, retentionIntervalMs: 0 };
      const store = createSqliteStore(opts);
      const samples = alignedSamples();
      for (let i = 0; i < samples.length; i += 50) await store.append(samples.slice(i, i + 50));
      await store.flushHeads();
      await store.close();
      const db = new Database(path, { readonly: true });
      const chunks = db.prepare('SELECT max_ts FROM chunks ORDER BY max_ts').pluck().all();
      const rollups = db
        .prepare('SELECT min_ts, max_ts FROM rollups ORDER BY max_ts')
        .raw()
        .all() as Array<[number, number]>;
      db.close();
      // Each cut but the last ends on a 5-minute boundary: its sample there closes the bucket.
      // (flushHeads compacts the first 2 h into one row; 10 cuts of 40 samples follow.)
      assert.ok(chunks.length >= 10, `${chunks.length} chunks`);
      for (const maxTs of chunks.slice(0, -1)) assert.equal((maxTs as number) % 300_000, 0);
      // No bucket written twice (which a recompute after a cut inside a bucket would do).
      assert.ok(rollups.length >= 10);
      for (let i = 1; i < rollups.length; i++) {
        assert.ok(rollups[i]![0] > rollups[i - 1]![1], `row ${i} overlaps the one before`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rollup block versions', () => {
  it('refuses blocks of layouts 1 to 3 ([s, s + R) buckets), naming the fix', () => {
    // A version 2 block and a version 1 block (first byte not 0), as earlier llmwatch wrote.
    for (const hex of ['0002041d0000', '03181515151510']) {
      assert.throws(
        () => decodeRollupBlock(Buffer.from(hex, 'hex')),
        (err: Error & { code?: string }) =>
          err.code === 'store_rollup_layout' && /rebuilds them on open/.test(err.message),
      );
    }
  });

  it('round-trips version 6 blocks of adversarial and decimal columns exactly', () => {
    const cases: Array<[number[], number[]]> = [
      [
        [1, 2, 3, 400_000, 900_000, 1_200_000, 1_200_500],
        [-0, 0, 5, -Infinity, 1e300, 5e-324, Number.NaN],
      ],
      [
        Array.from({ length: 400 }, (_, i) => 1_700_000_000_000 + i * 15_000),
        Array.from({ length: 400 }, (_, i) => Math.round(((i * 7919) % 25_000) + 15_000) / 100),
      ],
      [
        Array.from({ length: 400 }, (_, i) => -86_400_000 + i * 15_000 + (i % 3)),
        Array.from({ length: 400 }, (_, i) => Math.sin(i) * 1e6),
      ],
    ];
    for (const [ts, values] of cases) {
      const cols = computeRollups(ts, values, 300_000);
      const back = decodeRollupBlock(encodeRollupBlock(cols));
      assert.deepEqual(plain(back), plain(cols));
      // -0 and +0 differ in their bits; deepEqual treats them as equal.
      assert.deepEqual(
        [...back.mins].map((v) => Object.is(v, -0)),
        [...cols.mins].map((v) => Object.is(v, -0)),
      );
    }
  });

  it('decodes only the leading columns asked for, leaving the others untouched', () => {
    const ts = Array.from({ length: 300 }, (_, i) => 1_700_000_000_000 + i * 15_000 + (i % 7));
    const values = ts.map((_, i) => (i % 50 === 7 ? Number.NaN : i % 40 === 0 ? 1 : i * 3.5));
    const cols = computeRollups(ts, values, 300_000);
    const n = cols.startsMs.length;
    assert.equal(columnsToDecode([]), 1);
    assert.equal(columnsToDecode(['counts']), 2);
    assert.equal(columnsToDecode(['lastPointTimestampsMs']), 5);
    assert.equal(columnsToDecode(['firsts', 'lasts', 'increases']), 8);
    assert.equal(columnsToDecode(['mins', 'counts']), 9);
    assert.equal(columnsToDecode(['sums']), 11);
    for (let columns = 1; columns <= BLOCK_COLUMN_ORDER.length; columns++) {
      const out = allocColumns(n + 2);
      for (const key of BLOCK_COLUMN_ORDER) out[key].fill(-7);
      assert.equal(decodeRollupBlockInto(encodeRollupBlock(cols), out, 2, columns), n);
      BLOCK_COLUMN_ORDER.forEach((key, k) => {
        const want = k < columns ? [-7, -7, ...cols[key]] : new Array(n + 2).fill(-7);
        assert.deepEqual([...out[key]], want, `${key} with ${columns} columns`);
      });
    }
  });

  it('selectRollups with columns returns those columns as a full read does', async () => {
    const store = createSqliteStore({ path: ':memory:', chunkSamples: 40 });
    const samples = counterSamples();
    for (let i = 0; i < samples.length; i += 50) await store.append(samples.slice(i, i + 50));
    await store.flushHeads();
    await store.append([{ labels: { __name__: 'c' }, timestampMs: T0 + 5 * 3_600_000, value: 1 }]);
    const endMs = T0 + 10 * 3_600_000;
    for (const resolutionMs of [300_000, 3_600_000]) {
      const full = await store.selectRollups(M, T0, endMs, resolutionMs);
      const part = await store.selectRollups(M, T0, endMs, resolutionMs, ['counts', 'increases']);
      assert.ok((full[0]?.startsMs.length ?? 0) > 3);
      for (const key of ['startsMs', 'counts', 'firsts', 'lasts', 'increases'] as const) {
        assert.deepEqual([...(part[0]?.[key] ?? [])], [...(full[0]?.[key] ?? [])], key);
      }
      // The sums of stored buckets were not decoded.
      assert.notDeepEqual([...(part[0]?.sums ?? [])], [...(full[0]?.sums ?? [])]);
    }
    await store.close();
  });
});

describe('late samples', () => {
  it('recompute the rollups of buckets already stored, before and after reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-late-'));
    try {
      const opts = {
        path: join(dir, 'l.db'),
        chunkSamples: 10,
        compactionBudgetMs: 0,
        retentionIntervalMs: 0,
      };
      const samples = alignedSamples().slice(0, 390); // 97.5 minutes, no staleness marker
      const all: Sample[] = [];
      let store = createSqliteStore(opts);
      const check = async (label: string) => {
        const want = expected(
          [...all].sort((a, b) => a.timestampMs - b.timestampMs),
          300_000,
        );
        const [got] = await store.selectRollups(M, T0, T0 + 2 * 3_600_000, 300_000);
        assert.deepEqual(
          [...got!.startsMs],
          want.map((r) => r.start),
          label,
        );
        assert.deepEqual(
          [...got!.counts],
          want.map((r) => r.count),
          label,
        );
        assert.deepEqual(
          [...got!.sums],
          want.map((r) => r.sum),
          label,
        );
        assert.deepEqual(
          [...got!.maxs],
          want.map((r) => r.max),
          label,
        );
        assert.deepEqual(
          [...got!.increases],
          want.map((r) => r.increase),
          label,
        );
      };
      // Batches of 30 samples (heads are cut as they go); a late sample, in a bucket whose
      // rollups are stored, comes with batches 4, 8 and 12, and the store is reopened before
      // batch 8 (so that SQLite is asked whether older chunks overlap).
      const lateTimes = new Map([
        [4, T0 + 20 * 15_000 + 7],
        [8, T0 + 2 * 15_000 + 1],
        [12, T0 + 150 * 15_000 + 3],
      ]);
      for (let b = 0; b * 30 < samples.length; b++) {
        if (b === 8) {
          await store.flushHeads(); // nothing to replay: the next chunk is the first since opening
          await store.close();
          store = createSqliteStore(opts);
        }
        const batch = samples.slice(b * 30, b * 30 + 30);
        const t = lateTimes.get(b);
        if (t !== undefined) batch.unshift({ labels: { __name__: 'c' }, timestampMs: t, value: b });
        all.push(...batch);
        await store.append(batch);
        if (b >= 6 && b % 2 === 0) await check(`after batch ${b}`);
      }
      await store.flushHeads();
      await check('flushed');
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
