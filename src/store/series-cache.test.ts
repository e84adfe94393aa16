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

  it('tells apart names of the same length and values swapped between names', () => {
    const cache = new SeriesCache();
    cache.set({ __name__: 'up', job: 'a', env: 'b' }, 1);
    cache.set({ __name__: 'up', job: 'b', env: 'a' }, 2);
    assert.equal(cache.get({ __name__: 'up', jab: 'a', env: 'b' }), undefined);
    assert.equal(cache.get({ __name__: 'up', job: 'a', env: 'b' }), 1);
    assert.equal(cache.get({ __name__: 'up', job: 'b', env: 'a' }), 2);
    assert.equal(cache.get({ __name__: 'up', job: 'a', env: 'a' }), undefined);
    assert.equal(cache.get({ __name__: 'up', job: 'a', env: 'b', x: 'a' }), undefined);
  });

  it('handles label sets of many labels and finds them again after a rebuild', () => {
    const cache = new SeriesCache();
    const wide: Record<string, string> = { __name__: 'wide' };
    for (let i = 0; i < 100; i++) wide[`l${i}`] = `v${i % 7}`;
    cache.set(wide, 5);
    cache.set({ __name__: 'other' }, 6);
    assert.equal(cache.get({ ...wide }), 5);
    cache.deleteIds(new Set([6]));
    assert.equal(cache.size, 1);
    assert.equal(cache.get({ ...wide }), 5);
    assert.equal(cache.get(wide), 5);
    assert.equal(cache.get({ __name__: 'other' }), undefined);
    cache.set({ __name__: 'other' }, 7);
    assert.equal(cache.get({ __name__: 'other' }), 7);
  });

  it('returns undefined for a non-string value', () => {
    const cache = new SeriesCache();
    assert.equal(cache.get({ __name__: 'up', n: 1 as unknown as string }), undefined);
    cache.set({ __name__: 'up', n: '1' }, 3);
    assert.equal(cache.get({ __name__: 'up', n: 1 as unknown as string }), undefined);
    assert.equal(cache.get({ __name__: 'up', n: new String('1') as unknown as string }), undefined);
    assert.equal(cache.get({ __name__: 'up', n: '1' }), 3);
  });
});
