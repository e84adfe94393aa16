import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { toLayoutV4 } from '../../test/support/store-layout-v4.js';
import { createPromqlEngine } from '../promql/engine.js';
import { encodeRollupBlock } from './rollup-codec.js';
import { computeRollups, type RollupColumns } from './rollup.js';
import { SCHEMA_VERSION } from './schema.js';
import { createSqliteStore } from './sqlite-store.js';
import type { LabelMatcher, Sample } from './types.js';

const H = 3_600_000;
const T0 = 1_700_006_400_000; // a 6 h boundary
const STALE = Buffer.from('020000000000f07f', 'hex').readDoubleLE(0);
const ALL: LabelMatcher[] = [{ name: '__name__', type: '=~', value: 'c|g' }];

/** 10 h of clock-aligned samples (one on every 5-minute boundary): a counter and a gauge. */
function samples(): Sample[] {
  const out: Sample[] = [];
  let c = 0;
  for (let i = 1; i <= 10 * 240; i++) {
    const timestampMs = T0 + i * 15_000;
    c = i % 500 === 0 ? 3 : c + (i % 7);
    out.push({ labels: { __name__: 'c' }, timestampMs, value: c });
    const g = i === 1200 ? STALE : i % 300 === 0 ? Number.NaN : (i * 31) % 17;
    out.push({ labels: { __name__: 'g' }, timestampMs, value: g });
  }
  return out;
}

/**
 * The rollups the previous code stored: buckets [s, s + R), in the same column layout with the
 * version byte 3. (Shifting each timestamp by 1 ms turns left-open buckets into right-open ones.)
 */
function oldBlock(ts: number[], values: number[], stale: number[]): Buffer {
  const cols: RollupColumns = computeRollups(
    ts.map((t) => t + 1),
    values,
    300_000,
    stale,
  );
  for (const key of ['firstTimestampsMs', 'lastTimestampsMs'] as const) {
    cols[key] = cols[key].map((t) => t - 1);
  }
  const block = Buffer.from(encodeRollupBlock(cols));
  block[1] = 3;
  return block;
}

describe('schema version 4: left-open rollup buckets', () => {
  it('rebuilds the rollups of a store written with [s, s + R) buckets; answers equal raw ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-rebuild-'));
    try {
      const path = join(dir, 'v3.db');
      const store = createSqliteStore({ path, retentionIntervalMs: 0, compactionBudgetMs: 0 });
      const all = samples();
      for (let i = 0; i < all.length; i += 480) await store.append(all.slice(i, i + 480));
      await store.flushHeads();
      const raw = await store.select(ALL, 0, T0 + 11 * H);
      await store.close();

      // Turn it into a store of schema version 3: rollup rows of the old layout and buckets.
      const db = new Database(path);
      toLayoutV4(db);
      db.exec("UPDATE meta SET value = '3' WHERE key = 'schema_version'; DELETE FROM rollups;");
      const ids = db.prepare('SELECT id FROM series ORDER BY metric').pluck().all() as number[];
      raw.forEach((s, k) => {
        const stale = [...(s.staleMask ?? [])].flatMap((m, i) => (m === 1 ? [i] : []));
        const block = oldBlock(s.timestampsMs, s.values, stale);
        const first = Math.floor(T0 / 300_000) * 300_000;
        db.prepare('INSERT INTO rollups VALUES (?, ?, ?, ?, ?)').run(
          ids[k],
          T0 + 10 * H,
          1_000_000 + k,
          first,
          block,
        );
      });
      db.close();

      const reopened = createSqliteStore({ path, retentionIntervalMs: 0, compactionBudgetMs: 0 });
      // The rebuilt buckets are those computed from the raw samples, left-open.
      const got = await reopened.selectRollups(ALL, T0 - H, T0 + 11 * H, 300_000);
      assert.equal(got.length, 2);
      got.forEach((r, k) => {
        const s = raw[k]!;
        const stale = [...(s.staleMask ?? [])].flatMap((m, i) => (m === 1 ? [i] : []));
        const want = computeRollups(s.timestampsMs, s.values, 300_000, stale);
        assert.equal(r.startsMs.length, 120);
        assert.equal(r.startsMs[0], T0);
        for (const key of Object.keys(want) as Array<keyof RollupColumns>) {
          assert.deepEqual([...r[key]], [...want[key]], key);
        }
      });

      // PromQL over the clock-aligned data: from rollups, equal to the raw answer.
      const rolled = createPromqlEngine(reopened);
      const plain = createPromqlEngine(reopened, { useRollups: false });
      for (const q of [
        'increase(c[1h])',
        'rate(c[5m])',
        'max_over_time(g[1h])',
        'count_over_time(g[30m])',
      ]) {
        const a = await rolled.rangeQuery(q, T0 + 2 * H, T0 + 10 * H, 300_000);
        const b = await plain.rangeQuery(q, T0 + 2 * H, T0 + 10 * H, 300_000);
        assert.deepEqual(a, b, q);
      }
      await reopened.close();

      const check = new Database(path, { readonly: true });
      const rows = check.prepare('SELECT min_ts, max_ts, data FROM rollups').raw().all() as Array<
        [number, number, Buffer]
      >;
      // Rebuilt rows stay within 6 h windows, in the version 6 layout.
      assert.ok(rows.length >= 4);
      for (const [min, max, data] of rows) {
        assert.equal(Math.floor(min / (6 * H)), Math.floor(max / (6 * H)));
        assert.equal(data[1], 6);
      }
      assert.equal(
        check.prepare("SELECT count(*) FROM meta WHERE key = 'rollups_rebuild'").pluck().get(),
        0,
      );
      assert.equal(
        check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(),
        String(SCHEMA_VERSION),
      );
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resumes an interrupted rebuild after the last series it finished', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-rebuild-'));
    try {
      const path = join(dir, 'r.db');
      const store = createSqliteStore({ path, retentionIntervalMs: 0, compactionBudgetMs: 0 });
      const all = samples();
      for (let i = 0; i < all.length; i += 480) await store.append(all.slice(i, i + 480));
      await store.flushHeads();
      const want = await store.selectRollups(ALL, T0, T0 + 11 * H, 300_000);
      await store.close();

      // As a rebuild stopped after the first series leaves it: the others have no rollups yet.
      const db = new Database(path);
      const [first, second] = db.prepare('SELECT id FROM series ORDER BY id').pluck().all() as [
        number,
        number,
      ];
      const kept = db.prepare('SELECT id FROM rollups WHERE series_id = ? ORDER BY id').pluck();
      const keptIds = kept.all(first);
      db.prepare('DELETE FROM rollups WHERE series_id = ?').run(second);
      db.prepare("INSERT INTO meta VALUES ('rollups_rebuild', ?)").run(String(first));
      db.close();

      const reopened = createSqliteStore({ path, retentionIntervalMs: 0, compactionBudgetMs: 0 });
      const got = await reopened.selectRollups(ALL, T0, T0 + 11 * H, 300_000);
      await reopened.close();
      assert.equal(got.length, 2);
      got.forEach((r, k) => {
        for (const key of ['startsMs', 'counts', 'sums', 'lasts', 'increases'] as const) {
          assert.deepEqual([...r[key]], [...want[k]![key]], key);
        }
      });
      const check = new Database(path, { readonly: true });
      // The finished series was left alone; the rebuild is done.
      assert.deepEqual(
        check.prepare('SELECT id FROM rollups WHERE series_id = ? ORDER BY id').pluck().all(first),
        keptIds,
      );
      assert.equal(
        check.prepare("SELECT count(*) FROM meta WHERE key = 'rollups_rebuild'").pluck().get(),
        0,
      );
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
