import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore, type SqliteStore } from '../store/sqlite-store.js';
import {
  decodeRollupBlock,
  encodeRollupBlock,
  rollupBlockResolution,
} from '../store/rollup-codec.js';
import type { Sample } from '../store/types.js';
import { SCHEMA_VERSION } from '../store/schema.js';
import { countingStore } from '../../test/support/counting-store.js';
import { toLayoutV7 } from '../../test/support/store-layout-v7.js';
import { createPromqlEngine, type QueryResult } from './engine.js';
import {
  FIXTURE_INTERVAL_MS,
  FIXTURE_SPAN_MS,
  FIXTURE_START_MS,
  STALE_NAN,
  generateFixture,
  loadFixture,
} from './rollup-fixture.js';

const H = 3_600_000;
const M5 = 300_000;
const MIN = 60_000;

/**
 * Series with staleness markers and gaps placed around bucket ends, for the lookback path:
 * `lb{case="end"}` (phase 7 s): a marker at hh:59:58 of even hours, after the bucket's last
 * sample, and at hh:57:00 of odd hours, followed by samples. `lb{case="edge"}` (phase 0): the
 * sample on every third 5-minute boundary replaced by a marker. `lb_nan{case="nan"}` (phase
 * 3 s): plain NaN as the last sample of every fourth bucket (so it keeps 1-hour rollups only). `lb{case="gap"}` (phase 7 s): no samples
 * in minutes 56-59 of every second hour, 54-59 of every third.
 */
function lookbackSeries(): Sample[] {
  const out: Sample[] = [];
  const push = (name: string, timestampMs: number, value: number) =>
    out.push({
      labels: { __name__: name === 'nan' ? 'lb_nan' : 'lb', case: name },
      timestampMs,
      value,
    });
  for (let at = 0; at < FIXTURE_SPAN_MS; at += FIXTURE_INTERVAL_MS) {
    const t = FIXTURE_START_MS + at;
    const hour = Math.floor(at / H);
    const intoHour = at % H;
    const value = (at / FIXTURE_INTERVAL_MS) % 97;
    push('end', t + 7_000, value);
    if (intoHour === 59 * MIN + 45_000 && hour % 2 === 0) push('end', t + 13_000, STALE_NAN);
    if (intoHour === 56 * MIN + 45_000 && hour % 2 === 1) push('end', t + 15_000, STALE_NAN);
    const onEdge = at % M5 === 0 && (at / M5) % 3 === 0;
    push('edge', t, onEdge ? STALE_NAN : value);
    const lastOfBucket = (at + FIXTURE_INTERVAL_MS) % M5 === 0;
    push('nan', t + 3_000, lastOfBucket && (at / M5) % 4 < 1 ? Number.NaN : value);
    const minute = Math.floor(intoHour / MIN);
    const gap = (hour % 2 === 0 && minute >= 56) || (hour % 3 === 0 && minute >= 54);
    if (!gap) push('gap', t + 7_000, value);
  }
  return out;
}

let dir: string;
let store: SqliteStore;
/** Every rollup block in the layout before schema version 8, and every other one. */
let legacyAll: SqliteStore;
let legacyHalf: SqliteStore;

/** Rewrites the rollup blocks `which` picks in the layout of stores before schema version 8. */
function toLegacyBlocks(path: string, which: (id: number) => boolean): number {
  const db = new Database(path);
  // The 5-minute rows and the 1-hour rows kept beside them (rollup-hourly.ts).
  const rows = db
    .prepare(
      'SELECT id, data FROM rollups UNION ALL ' +
        'SELECT h.id, b.data FROM hourly_rollup_index h JOIN blobs b ON b.id = h.id',
    )
    .raw()
    .all() as Array<[number, Buffer]>;
  const update = db.prepare('UPDATE blobs SET data = ? WHERE id = ?');
  let changed = 0;
  db.transaction(() => {
    for (const [id, data] of rows) {
      if (!which(id)) continue;
      const bytes = new Uint8Array(data);
      update.run(
        encodeRollupBlock(decodeRollupBlock(bytes), rollupBlockResolution(bytes), true),
        id,
      );
      changed++;
    }
  })();
  db.close();
  return changed;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llmwatch-lookback-'));
  const path = join(dir, 'm.db');
  const writer = createSqliteStore({ path, retentionDays: 0 });
  const samples = [...generateFixture(), ...lookbackSeries()].sort(
    (a, b) => a.timestampMs - b.timestampMs,
  );
  await loadFixture(writer, samples);
  await writer.flushHeads();
  await writer.close();
  copyFileSync(path, join(dir, 'all.db'));
  copyFileSync(path, join(dir, 'half.db'));
  assert.ok(toLegacyBlocks(join(dir, 'all.db'), () => true) > 100);
  // As schema version 7 left it: opening migrates it to the current version, blocks unchanged.
  const old = new Database(join(dir, 'all.db'));
  toLayoutV7(old);
  old.close();
  assert.ok(toLegacyBlocks(join(dir, 'half.db'), (id) => id % 2 === 0) > 50);
  store = createSqliteStore({ path, retentionDays: 0 });
  legacyAll = createSqliteStore({ path: join(dir, 'all.db'), retentionDays: 0 });
  legacyHalf = createSqliteStore({ path: join(dir, 'half.db'), retentionDays: 0 });
  const migrated = new Database(join(dir, 'all.db'), { readonly: true });
  const version = "SELECT value FROM meta WHERE key = 'schema_version'";
  assert.equal(migrated.prepare(version).pluck().get(), String(SCHEMA_VERSION));
  migrated.close();
});

after(async () => {
  await store.close();
  await legacyAll.close();
  await legacyHalf.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every [labels, time, value] of a result. */
function points(result: QueryResult): Array<[string, number, string]> {
  if (result.resultType === 'vector') {
    return result.result.map((s) => [JSON.stringify(s.metric), s.value[0], s.value[1]]);
  }
  if (result.resultType !== 'matrix') return [];
  return result.result.flatMap((s) =>
    s.values.map((v): [string, number, string] => [JSON.stringify(s.metric), v[0], v[1]]),
  );
}

interface Case {
  query: string;
  startMs: number;
  endMs: number;
  stepMs: number;
  lookbackDeltaMs?: number;
  minSpanMs?: number;
  /**
   * The series keeps only 1-hour rollups (plain NaN or full-precision floats) and the read is
   * of 5-minute buckets: the store declines (storedOnly) and the engine reads raw samples.
   */
  notStored?: boolean;
}

/** Runs a range query raw and from rollups (of `from`); returns both and the reads made. */
async function both(c: Case, from: SqliteStore = store) {
  const opts = { lookbackDeltaMs: c.lookbackDeltaMs, rollupMinSpanMs: c.minSpanMs };
  const raw = createPromqlEngine(from, { ...opts, useRollups: false });
  const { store: counted, calls } = countingStore(from);
  const rolled = createPromqlEngine(counted, opts);
  const expected = await raw.rangeQuery(c.query, c.startMs, c.endMs, c.stepMs);
  const actual = await rolled.rangeQuery(c.query, c.startMs, c.endMs, c.stepMs);
  return { expected: points(expected), actual: points(actual), reads: { ...calls } };
}

const DAY1 = FIXTURE_START_MS + 24 * H;
const DAY2 = DAY1 + 24 * H;
const END = FIXTURE_START_MS + FIXTURE_SPAN_MS;

/** Queries whose plain selectors the planner sends to rollups (one selector each). */
const FROM_ROLLUPS: Case[] = [
  { query: 'lb', startMs: DAY1, endMs: DAY2, stepMs: H },
  { query: 'lb', startMs: DAY1, endMs: DAY2, stepMs: M5 },
  { query: 'lb', startMs: DAY1, endMs: DAY2, stepMs: 6 * H },
  { query: 'lb', startMs: DAY1, endMs: DAY2, stepMs: 10 * MIN, lookbackDeltaMs: MIN },
  { query: 'timestamp(lb)', startMs: DAY1, endMs: DAY2, stepMs: 5 * MIN },
  { query: 'lb offset 1h', startMs: DAY1, endMs: DAY2, stepMs: H },
  { query: 'lb offset 5m', startMs: DAY1 + 5 * MIN, endMs: DAY2, stepMs: 10 * MIN },
  { query: 'lb offset -10m', startMs: DAY1, endMs: DAY2, stepMs: 5 * MIN },
  {
    query: `timestamp(lb @ ${(DAY1 + 6 * H) / 1000})`,
    startMs: DAY1,
    endMs: DAY2,
    stepMs: H,
    minSpanMs: M5,
  },
  { query: 'lb @ end()', startMs: DAY1, endMs: DAY2, stepMs: H, minSpanMs: M5 },
  { query: 'lb_nan', startMs: DAY1, endMs: DAY2, stepMs: H },
  { query: 'lb_nan', startMs: DAY1, endMs: DAY2, stepMs: M5, notStored: true },
  { query: 'sum by (instance) (queue)', startMs: FIXTURE_START_MS, endMs: END, stepMs: H },
  { query: 'max(util) * 2', startMs: DAY1, endMs: DAY2, stepMs: 2 * H },
  { query: 'aligned_queue', startMs: FIXTURE_START_MS, endMs: END, stepMs: M5, notStored: true },
  { query: 'timestamp(aligned_queue)', startMs: FIXTURE_START_MS, endMs: END, stepMs: H },
  { query: 'req_total', startMs: FIXTURE_START_MS, endMs: END, stepMs: H },
  { query: 'cost_total', startMs: DAY1, endMs: END, stepMs: 30 * MIN, notStored: true },
  { query: 'timestamp(queue) > 0', startMs: DAY1, endMs: END, stepMs: 5 * MIN },
];

describe('plain instant selectors from rollups', () => {
  it('give exactly the raw answer: markers, gaps, NaN, offsets, @ and lookback', async () => {
    let compared = 0;
    for (const c of FROM_ROLLUPS) {
      const { expected, actual, reads } = await both(c);
      const select = c.notStored === true ? 1 : 0;
      assert.deepEqual(reads, { select, selectRollups: 1 }, c.query);
      assert.ok(expected.length > 0, `${c.query}: an empty result proves nothing`);
      assert.deepEqual(actual, expected, c.query);
      compared += expected.length;
    }
    assert.ok(compared > 6_000, `only ${compared} points compared`);
  });

  it('answer the staleness cases as Prometheus does (known points)', async () => {
    // Even hours end with a marker after the last sample (absent at the next hour); odd hours
    // have one followed by samples (present).
    const end = await both({
      query: 'lb{case="end"}',
      startMs: DAY1 - 2 * H,
      endMs: DAY1 + H,
      stepMs: H,
    });
    assert.deepEqual(
      end.actual.map(([, t]) => t),
      [(DAY1 - 2 * H) / 1000, DAY1 / 1000],
    );
    // A marker on a boundary ends the bucket: absent there, present on other boundaries.
    const edge = await both({
      query: 'lb{case="edge"}',
      startMs: DAY1,
      endMs: DAY1 + H,
      stepMs: M5,
      minSpanMs: M5,
    });
    assert.equal(edge.reads.selectRollups, 1);
    assert.deepEqual(
      edge.actual.map(([, t]) => (t * 1000 - DAY1) / M5),
      [1, 2, 4, 5, 7, 8, 10, 11],
    );
    // Plain NaN is a value, not a marker.
    const nan = await both({
      query: 'lb_nan',
      startMs: DAY1,
      endMs: DAY1 + H,
      stepMs: M5,
      minSpanMs: M5,
    });
    assert.deepEqual(nan.reads, { select: 1, selectRollups: 1 }); // not stored: read raw
    assert.equal(nan.actual.filter(([, , v]) => v === 'NaN').length, 3);
  });

  it('are read raw when the planner rules do not hold', async () => {
    const raw: Case[] = [
      // Lookback over 5 minutes.
      { query: 'lb', startMs: DAY1, endMs: DAY2, stepMs: H, lookbackDeltaMs: 10 * MIN },
      // Step not a multiple of 5 minutes; start off a boundary; offset off a boundary.
      { query: 'lb', startMs: DAY1, endMs: DAY2, stepMs: 7 * MIN },
      { query: 'lb', startMs: DAY1 + MIN, endMs: DAY2, stepMs: H },
      { query: 'lb offset 7m', startMs: DAY1, endMs: DAY2, stepMs: H },
      // Span under 2 hours; pinned with `@` (one time) under the default span.
      { query: 'lb', startMs: DAY1, endMs: DAY1 + H, stepMs: M5 },
      { query: 'lb @ end()', startMs: DAY1, endMs: DAY2, stepMs: H },
      // Inside a subquery, under a matrix selector.
      { query: 'max_over_time(lb[1h:5m])', startMs: DAY1, endMs: DAY2, stepMs: H },
      { query: 'quantile_over_time(0.5, lb[1h])', startMs: DAY1, endMs: DAY2, stepMs: H },
    ];
    for (const c of raw) {
      const { expected, actual, reads } = await both(c);
      assert.deepEqual(reads, { select: 1, selectRollups: 0 }, c.query);
      assert.deepEqual(actual, expected, c.query);
    }
  });

  it('fall back to raw samples where blocks lack the last point (written before version 8)', async () => {
    let fellBack = 0;
    for (const c of FROM_ROLLUPS) {
      const all = await both(c, legacyAll);
      assert.deepEqual(all.actual, all.expected, c.query);
      assert.deepEqual(all.reads, { select: 1, selectRollups: 1 }, c.query);
      const half = await both(c, legacyHalf);
      assert.deepEqual(half.actual, half.expected, c.query);
      fellBack += half.reads.select;
    }
    // With every other block old, most selectors need one; a short `@` read may not.
    assert.ok(fellBack >= FROM_ROLLUPS.length - 2, `${fellBack} fell back`);
  });

  it('are not computed from raw samples by the store (storedOnly)', async () => {
    const queue = [{ name: '__name__', type: '=' as const, value: 'aligned_queue' }];
    const cols = ['lasts' as const];
    await assert.rejects(store.selectRollups(queue, DAY1, DAY2, M5, cols, { storedOnly: true }), {
      code: 'store_rollups_not_stored',
    });
    // Without the option the store computes them; at 1 hour it has them stored.
    assert.equal((await store.selectRollups(queue, DAY1, DAY2, M5, cols))[0]?.lasts.length, 289);
    const hourly = await store.selectRollups(queue, DAY1, DAY2, H, cols, { storedOnly: true });
    assert.equal(hourly[0]?.lasts.length, 25);
  });
});
