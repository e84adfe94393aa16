import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPromqlEngine } from './index.js';
import { createMemoryStore } from './memory-store.js';
import { STALE_NAN, isStaleMarker } from './staleness.js';

const T0 = 1_700_000_000_000;

describe('staleness markers in the memory store', () => {
  it('flags markers in staleMask, so a lost NaN payload still hides the series', async () => {
    const store = createMemoryStore();
    const labels = { __name__: 'up_ratio', job: 'a' };
    await store.append([
      { labels, timestampMs: T0, value: 0.5 },
      { labels, timestampMs: T0 + 15_000, value: STALE_NAN },
    ]);
    const [series] = await store.select([{ name: 'job', type: '=', value: 'a' }], T0, T0 + 15_000);
    assert.deepEqual([...(series?.staleMask ?? [])], [0, 1]);

    // Every NaN canonicalised (what V8 may do in a plain array): the mask still decides.
    const lossy = {
      ...store,
      select: async (...args: Parameters<typeof store.select>) =>
        (await store.select(...args)).map((s) => ({
          ...s,
          values: s.values.map((v) => (Number.isNaN(v) ? Number.NaN : v)),
        })),
    };
    const engine = createPromqlEngine(lossy);
    for (let k = 0; k < 1000; k++) {
      const result = await engine.instantQuery('up_ratio', T0 + 15_000 + 1 + k);
      assert.deepEqual(result.result, []);
    }
    // A plain NaN is a value, not a marker: overwriting the marker with it shows a point.
    await store.append([{ labels, timestampMs: T0 + 15_000, value: Number.NaN }]);
    const [again] = await store.select([{ name: 'job', type: '=', value: 'a' }], T0, T0 + 15_000);
    assert.equal(again?.staleMask, undefined);
    assert.equal(isStaleMarker(again?.values[1] as number), false);
    const shown = await engine.instantQuery('up_ratio', T0 + 15_001);
    assert.deepEqual(shown.result, [{ metric: labels, value: [(T0 + 15_001) / 1000, 'NaN'] }]);
  });
});
