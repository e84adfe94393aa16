import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coarsenRollups, computeRollups, STALE_MARKER } from './rollup.js';
import {
  BLOCK_COLUMN_ORDER,
  allocDecodedColumns,
  decodeRollupBlock,
  decodeRollupBlockInto,
  encodeRollupBlock,
} from './rollup-codec.js';

const T0 = 1_699_999_200_000; // an hour boundary
const M5 = 300_000;
const H = 3_600_000;

describe('rollup last points (staleness markers)', () => {
  it('move past the last sample only for a marker after it in the same bucket', () => {
    // Bucket (T0, T0+5m]: sample, marker (last point). Bucket (T0+5m, T0+10m]: marker before a
    // sample. Bucket (T0+10m, T0+15m]: a marker exactly on its end, after a sample. Bucket
    // (T0+15m, T0+20m]: only a marker (absent). Bucket (T0+20m, T0+25m]: staleIndices marker.
    const ts = [
      T0 + 10_000,
      T0 + 20_000,
      T0 + M5 + 10_000,
      T0 + M5 + 20_000,
      T0 + 2 * M5 + 5_000,
      T0 + 3 * M5,
      T0 + 3 * M5 + 30_000,
      T0 + 4 * M5 + 1_000,
      T0 + 4 * M5 + 2_000,
    ];
    const values = [1, STALE_MARKER, STALE_MARKER, 2, 3, STALE_MARKER, STALE_MARKER, 4, 0];
    const cols = computeRollups(ts, values, M5, [8]);
    assert.deepEqual([...cols.startsMs], [T0, T0 + M5, T0 + 2 * M5, T0 + 4 * M5]);
    assert.deepEqual(
      [...cols.lastTimestampsMs],
      [T0 + 10_000, T0 + M5 + 20_000, T0 + 2 * M5 + 5_000, T0 + 4 * M5 + 1_000],
    );
    assert.deepEqual(
      [...cols.lastPointTimestampsMs],
      [T0 + 20_000, T0 + M5 + 20_000, T0 + 3 * M5, T0 + 4 * M5 + 2_000],
    );
    assert.deepEqual([...cols.lasts], [1, 2, 3, 4]);
  });

  it('of coarse buckets are those of their last fine bucket, unknown staying unknown', () => {
    const ts = [T0 + 10_000, T0 + 20_000, T0 + 2 * M5 + 10_000, T0 + H + 10_000, T0 + H + 20_000];
    const values = [1, STALE_MARKER, 2, 3, STALE_MARKER];
    const fine = computeRollups(ts, values, M5);
    assert.deepEqual([...fine.startsMs], [T0, T0 + 2 * M5, T0 + H]);
    const hourly = coarsenRollups(fine, H, -Infinity, Infinity);
    assert.deepEqual([...hourly.startsMs], [T0, T0 + H]);
    assert.deepEqual([...hourly.lastTimestampsMs], [T0 + 2 * M5 + 10_000, T0 + H + 10_000]);
    assert.deepEqual([...hourly.lastPointTimestampsMs], [T0 + 2 * M5 + 10_000, T0 + H + 20_000]);
    // Buckets that are already one per hour come back as they are, not copied.
    assert.equal(coarsenRollups(hourly, H, -Infinity, Infinity), hourly);
    assert.notEqual(coarsenRollups(hourly, H, T0 + H, Infinity), hourly);
    assert.deepEqual([...coarsenRollups(hourly, 2 * H, -Infinity, Infinity).startsMs], [T0]);
    // Unknown in a bucket before the hour's last: the hour's last point is still known.
    fine.lastPointTimestampsMs[0] = Number.NaN;
    const known = coarsenRollups(fine, H, -Infinity, Infinity);
    assert.deepEqual([...known.lastPointTimestampsMs], [T0 + 2 * M5 + 10_000, T0 + H + 20_000]);
    // Unknown in the hour's last bucket: unknown for the hour.
    fine.lastPointTimestampsMs[1] = Number.NaN;
    const unknown = coarsenRollups(fine, H, -Infinity, Infinity);
    assert.ok(Number.isNaN(unknown.lastPointTimestampsMs[0]));
    assert.equal(unknown.lastPointTimestampsMs[1], T0 + H + 20_000);
  });

  it('cost 2 bytes (this block; 3 at most) without markers, and round-trip exactly with them', () => {
    const ts = Array.from({ length: 600 }, (_, i) => T0 + i * 15_000 + (i % 4));
    const values = ts.map((_, i) => (i % 40 === 20 ? STALE_MARKER : i * 3));
    const clean = computeRollups(
      ts,
      ts.map((_, i) => i * 3),
      M5,
    );
    const cleanBytes = encodeRollupBlock(clean).length;
    assert.equal(cleanBytes - encodeRollupBlock(clean, M5, true).length, 2);
    const cols = computeRollups(ts, values, M5);
    assert.ok(cols.lastPointTimestampsMs.some((v, i) => v !== cols.lastTimestampsMs[i]));
    const back = decodeRollupBlock(encodeRollupBlock(cols));
    for (const key of BLOCK_COLUMN_ORDER) assert.deepEqual([...back[key]], [...cols[key]], key);
    const hourly = coarsenRollups(cols, H, -Infinity, Infinity);
    const backHourly = decodeRollupBlock(encodeRollupBlock(hourly, H));
    for (const key of BLOCK_COLUMN_ORDER) {
      assert.deepEqual([...backHourly[key]], [...hourly[key]], key);
    }
  });

  it('read as NaN (unknown) from blocks of layouts 4 and 5, the other columns unchanged', () => {
    const ts = Array.from({ length: 100 }, (_, i) => T0 + i * 15_000);
    const cols = computeRollups(
      ts,
      ts.map((_, i) => i / 7),
      M5,
    );
    const n = cols.startsMs.length;
    for (const [resolutionMs, version] of [
      [M5, 4],
      [H, 5],
    ] as const) {
      const input = resolutionMs === M5 ? cols : coarsenRollups(cols, H, -Infinity, Infinity);
      const block = encodeRollupBlock(input, resolutionMs, true);
      assert.equal(block[1], version);
      const back = decodeRollupBlock(block);
      for (const key of BLOCK_COLUMN_ORDER) {
        const want = key === 'lastPointTimestampsMs' ? input[key].map(() => NaN) : input[key];
        assert.deepEqual([...back[key]], [...want], key);
      }
      // Decoding up to lastPointTimestampsMs only, as the instant selector path does.
      const part = allocDecodedColumns(input.startsMs.length, 5);
      decodeRollupBlockInto(block, part, 0, 5);
      assert.ok(part.lastPointTimestampsMs.every((v) => Number.isNaN(v)));
      assert.deepEqual([...part.lastTimestampsMs], [...input.lastTimestampsMs]);
    }
    assert.ok(n > 1);
  });

  it('survive a merge of legacy and current blocks (NaN only where unknown)', () => {
    const ts = Array.from({ length: 80 }, (_, i) => T0 + i * 15_000);
    const cols = computeRollups(
      ts,
      ts.map((_, i) => i),
      M5,
    );
    const legacy = decodeRollupBlock(encodeRollupBlock(cols, M5, true));
    const merged = decodeRollupBlock(encodeRollupBlock(legacy));
    assert.equal(encodeRollupBlock(legacy)[1], 6);
    assert.ok(merged.lastPointTimestampsMs.every((v) => Number.isNaN(v)));
    assert.deepEqual([...merged.lasts], [...cols.lasts]);
  });
});
