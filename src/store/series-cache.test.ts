import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeriesCache } from './series-cache.js';

describe('series cache', () => {
  it('finds a label set by identity and by content, in key order only', () => {
    const cache = new SeriesCache();
    const labels = { __name__: 'up', job: 'a' };
    cache.set(labels, 7);
    assert.equal(cache.get(labels), 7);
    assert.equal(cache.get({ __name__: 'up', job: 'a' }), 7);
    assert.equal(cache.get({ job: 'a', __name__: 'up' }), undefined);
    assert.equal(cache.get({ __name__: 'up', job: 'b' }), undefined);
    assert.equal(cache.get({ __name__: 'up', job: 'a', x: '' }), undefined);
    assert.equal(cache.get({ __name__: 'up' }), undefined);
  });

  it('notices a mutated label object instead of returning its old series', () => {
    const cache = new SeriesCache();
    const labels: Record<string, string> = { __name__: 'up', job: 'a' };
    cache.set(labels, 1);
    labels.job = 'b';
    assert.equal(cache.get(labels), undefined);
    labels.job = 'a';
    labels.extra = 'x';
    assert.equal(cache.get(labels), undefined);
    delete labels.extra;
    assert.equal(cache.get(labels), 1);
  });

  it('keeps label sets with the same hash apart and forgets deleted ids', () => {
    const cache = new SeriesCache();
    // 20,000 sets: some 32-bit hashes may collide; every lookup must still be exact.
    for (let i = 0; i < 20_000; i++) cache.set({ __name__: 'm', i: String(i) }, i + 1);
    for (let i = 0; i < 20_000; i++)
      assert.equal(cache.get({ __name__: 'm', i: String(i) }), i + 1);
    cache.deleteIds(new Set([1, 2, 20_000]));
    assert.equal(cache.size, 19_997);
    assert.equal(cache.get({ __name__: 'm', i: '0' }), undefined);
    assert.equal(cache.get({ __name__: 'm', i: '19999' }), undefined);
    assert.equal(cache.get({ __name__: 'm', i: '2' }), 3);
  });

  it('returns undefined for a non-string value', () => {
    const cache = new SeriesCache();
    assert.equal(cache.get({ __name__: 'up', n: 1 as unknown as string }), undefined);
  });
});
