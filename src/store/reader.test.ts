import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { STALE_NAN } from '../promql/staleness.js';
import { createSqliteStore, type SqliteStore } from './sqlite-store.js';
import type { LabelMatcher, Sample } from './types.js';

const NAME: LabelMatcher[] = [{ name: '__name__', type: '=', value: 'm' }];
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);
const VALUES = [1, -0, Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 0.1, STALE_NAN, 3];

function isMarkerBits(values: Float64Array, i: number): boolean {
  const words = new Uint32Array(values.buffer, values.byteOffset + 8 * i, 2);
  const hiFirst = new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1;
  const [hi, lo] = hiFirst ? [words[0], words[1]] : [words[1], words[0]];
  return lo === 2 && ((hi as number) & 0xfff7ffff) === 0x7ff00000;
}

async function withStore(fn: (store: SqliteStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-reader-'));
  const store = createSqliteStore({ path: join(dir, 's.db'), retentionIntervalMs: 0 });
  try {
    await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function series(job: string, values: number[], fromMs = T0): Sample[] {
  return values.map((value, i) => ({
    labels: { __name__: 'm', job },
    timestampMs: fromMs + i * 15_000,
    value,
  }));
}

describe('store reader: typed columns', () => {
  it('selectColumns gives what select gives, and the marker its bits, from heads and chunks', async () => {
    await withStore(async (store) => {
      await store.append(series('a', VALUES));
      await store.flushHeads();
      await store.append(series('a', VALUES, T0 + 3_600_000));
      for (const [from, to] of [
        [T0, T0 + 1e8],
        [T0 + 15_000, T0 + 3_600_000 + 7 * 15_000],
        [T0 + 1, T0 + 14_999],
      ] as const) {
        const plain = await store.select(NAME, from, to);
        const columns = await store.selectColumns(NAME, from, to);
        assert.equal(columns.length, plain.length);
        columns.forEach((c, k) => {
          const p = plain[k];
          assert.ok(p !== undefined);
          assert.deepEqual([...c.timestampsMs], p.timestampsMs);
          assert.deepEqual(c.labels, p.labels);
          assert.deepEqual([...(c.staleMask ?? [])], [...(p.staleMask ?? [])]);
          c.values.forEach((v, i) => {
            if (c.staleMask?.[i] === 1) assert.ok(isMarkerBits(c.values, i), `marker ${i}`);
            else assert.ok(Object.is(v, p.values[i]), `value ${i}`);
          });
        });
      }
      const [all] = await store.selectColumns(NAME, T0, T0 + 1e8);
      assert.deepEqual(
        [...(all?.staleMask ?? [])].flatMap((m, i) => (m === 1 ? [i] : [])),
        [7, 16],
      );
    });
  });

  it('reads overlapping chunks (out-of-order writes) with the latest write winning', async () => {
    await withStore(async (store) => {
      await store.append(series('b', [1, 2, 3, 4]));
      await store.flushHeads();
      // Rewrites the middle two (one as a marker), then adds one in between, out of order.
      await store.append(series('b', [20, STALE_NAN], T0 + 15_000));
      await store.flushHeads();
      await store.append([{ labels: { __name__: 'm', job: 'b' }, timestampMs: T0 + 1, value: 9 }]);
      const [b] = await store.selectColumns(NAME, T0, T0 + 1e6);
      assert.ok(b !== undefined);
      assert.deepEqual([...b.timestampsMs], [T0, T0 + 1, T0 + 15_000, T0 + 30_000, T0 + 45_000]);
      assert.deepEqual([...b.values.subarray(0, 3)], [1, 9, 20]);
      assert.equal(b.values[4], 4);
      assert.deepEqual([...(b.staleMask ?? [])], [0, 0, 0, 1, 0]);
      assert.ok(isMarkerBits(b.values, 3));
    });
  });
});
