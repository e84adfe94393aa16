import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isLlmwatchError } from '../core/errors.js';
import { createSqliteStore } from './sqlite-store.js';
import type { LabelMatcher, Sample } from './types.js';

function sample(labels: Record<string, string>, timestampMs: number, value: number): Sample {
  return { labels, timestampMs, value };
}

/** Asserts that `promise` rejects with an LlmwatchError of `code` whose message has `fragment`. */
async function rejectsWith(promise: Promise<unknown>, code: string, fragment: string) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isLlmwatchError(err), `expected LlmwatchError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.ok(err.message.includes(fragment), `message "${err.message}" lacks "${fragment}"`);
    return true;
  });
}

describe('sqlite store', () => {
  it('round-trips values including NaN and ±Inf', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    const values = [1.5, -0.25, Number.NaN, Infinity, -Infinity, 1e308, 0, 42];
    await store.append(values.map((v, i) => sample({ __name__: 'm', job: 'x' }, 1000 + i, v)));
    const got = await store.select([{ name: '__name__', type: '=', value: 'm' }], 0, 10_000);
    assert.deepEqual(got, [
      {
        labels: { __name__: 'm', job: 'x' },
        timestampsMs: [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007],
        values,
      },
    ]);
    await store.close();
  });

  it('replaces a sample at the same timestamp, last write wins within a batch', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.append([sample({ __name__: 'm' }, 5, 1), sample({ __name__: 'm' }, 6, 2)]);
    await store.append([sample({ __name__: 'm' }, 5, 10), sample({ __name__: 'm' }, 5, 11)]);
    const got = await store.select([{ name: '__name__', type: '=', value: 'm' }], 0, 100);
    assert.deepEqual(got, [{ labels: { __name__: 'm' }, timestampsMs: [5, 6], values: [11, 2] }]);
    assert.deepEqual(await store.stats(), { seriesCount: 1, sampleCount: 2 });
    await store.close();
  });

  it('treats label order as irrelevant and an empty label value as absent', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.append([
      sample({ b: '2', __name__: 'm', a: '1' }, 1, 1),
      sample({ __name__: 'm', a: '1', b: '2', c: '' }, 2, 2),
    ]);
    const got = await store.select([{ name: 'a', type: '=', value: '1' }], 0, 10);
    assert.deepEqual(got, [
      { labels: { __name__: 'm', a: '1', b: '2' }, timestampsMs: [1, 2], values: [1, 2] },
    ]);
    assert.deepEqual(await store.stats(), { seriesCount: 1, sampleCount: 2 });
    await store.close();
  });

  it('selects the range with both ends inclusive and skips series without samples in it', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.append([
      ...[10, 20, 30, 40].map((t) => sample({ __name__: 'm', s: 'a' }, t, t)),
      sample({ __name__: 'm', s: 'b' }, 50, 1),
    ]);
    const got = await store.select([{ name: '__name__', type: '=', value: 'm' }], 20, 40);
    assert.deepEqual(got, [
      { labels: { __name__: 'm', s: 'a' }, timestampsMs: [20, 30, 40], values: [20, 30, 40] },
    ]);
    assert.deepEqual(await store.select([{ name: 's', type: '=', value: 'a' }], 41, 49), []);
    assert.deepEqual(await store.select([{ name: 's', type: '=', value: 'a' }], 40, 20), []);
    await store.close();
  });

  it('returns series sorted by labels', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.append([
      sample({ __name__: 'm', z: '1' }, 1, 1),
      sample({ __name__: 'm', a: '2' }, 1, 1),
      sample({ __name__: 'm', a: '10' }, 1, 1),
      sample({ __name__: 'm' }, 1, 1),
      sample({ __name__: 'l' }, 1, 1),
    ]);
    const got = await store.select([{ name: '__name__', type: '=~', value: 'l|m' }], 0, 1);
    assert.deepEqual(
      got.map((s) => s.labels),
      [
        { __name__: 'l' },
        { __name__: 'm' },
        { __name__: 'm', a: '10' },
        { __name__: 'm', a: '2' },
        { __name__: 'm', z: '1' },
      ],
    );
    await store.close();
  });

  describe('matchers', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.append([
      sample({ __name__: 'up', job: 'a', env: 'prod' }, 1, 1),
      sample({ __name__: 'up', job: 'b', env: 'dev' }, 1, 2),
      sample({ __name__: 'up', job: 'c' }, 1, 3),
      sample({ __name__: 'up', job: 'ab', env: 'prod' }, 1, 4),
      sample({ __name__: 'other', job: 'a' }, 1, 5),
    ]);
    const cases: Array<[string, LabelMatcher[], string[]]> = [
      ['= on value', [{ name: 'job', type: '=', value: 'a' }], ['other/a', 'up/a']],
      [
        '= two labels',
        [
          { name: '__name__', type: '=', value: 'up' },
          { name: 'env', type: '=', value: 'prod' },
        ],
        ['up/a', 'up/ab'],
      ],
      ['= unknown value', [{ name: 'job', type: '=', value: 'zzz' }], []],
      [
        '="" selects series lacking the label',
        [
          { name: '__name__', type: '=', value: 'up' },
          { name: 'env', type: '=', value: '' },
        ],
        ['up/c'],
      ],
      [
        '!= keeps series lacking the label',
        [
          { name: '__name__', type: '=', value: 'up' },
          { name: 'env', type: '!=', value: 'prod' },
        ],
        ['up/b', 'up/c'],
      ],
      [
        '!="" requires the label',
        [{ name: 'env', type: '!=', value: '' }],
        ['up/b', 'up/a', 'up/ab'],
      ],
      ['=~ is anchored', [{ name: 'job', type: '=~', value: 'a' }], ['other/a', 'up/a']],
      ['=~ alternation', [{ name: 'job', type: '=~', value: 'a|b' }], ['other/a', 'up/b', 'up/a']],
      ['=~ prefix', [{ name: 'job', type: '=~', value: 'a.*' }], ['other/a', 'up/a', 'up/ab']],
      [
        '=~ anchored alternation does not leak',
        [{ name: 'job', type: '=~', value: 'b|x' }],
        ['up/b'],
      ],
      [
        '=~ matching empty includes lacking',
        [
          { name: '__name__', type: '=', value: 'up' },
          { name: 'env', type: '=~', value: 'dev|' },
        ],
        ['up/b', 'up/c'],
      ],
      ['=~ with (?i)', [{ name: 'env', type: '=~', value: '(?i)PROD' }], ['up/a', 'up/ab']],
      [
        '!~ is anchored',
        [
          { name: '__name__', type: '=', value: 'up' },
          { name: 'job', type: '!~', value: 'a' },
        ],
        ['up/b', 'up/ab', 'up/c'],
      ],
      ['!~ .+ selects lacking', [{ name: 'env', type: '!~', value: '.+' }], ['other/a', 'up/c']],
      ['!~ .* selects nothing', [{ name: 'job', type: '!~', value: '.*' }], []],
      [
        'only empty-matching matchers scan all',
        [{ name: 'env', type: '=', value: '' }],
        ['other/a', 'up/c'],
      ],
      ['no matchers select all', [], ['other/a', 'up/b', 'up/a', 'up/ab', 'up/c']],
    ];
    for (const [title, matchers, expected] of cases) {
      it(title, async () => {
        const got = await store.select(matchers, 0, 10);
        assert.deepEqual(
          got.map((s) => `${s.labels.__name__}/${s.labels.job}`),
          expected,
        );
      });
    }

    it('rejects an invalid regex and an unknown matcher type', async () => {
      await rejectsWith(
        store.select([{ name: 'job', type: '=~', value: '(' }], 0, 1),
        'store_invalid_matcher',
        'matchers[0]',
      );
      const bad = { name: 'job', type: '==', value: 'a' } as unknown as LabelMatcher;
      await rejectsWith(store.select([bad], 0, 1), 'store_invalid_matcher', 'matchers[0].type');
    });

    it('lists label names and values, optionally restricted by matchers', async () => {
      assert.deepEqual(await store.labelNames(), ['__name__', 'env', 'job']);
      assert.deepEqual(await store.labelValues('job'), ['a', 'ab', 'b', 'c']);
      assert.deepEqual(await store.labelValues('nope'), []);
      assert.deepEqual(await store.labelNames([{ name: '__name__', type: '=', value: 'other' }]), [
        '__name__',
        'job',
      ]);
      assert.deepEqual(
        await store.labelValues('env', [{ name: 'job', type: '=~', value: 'a.*' }]),
        ['prod'],
      );
      assert.deepEqual(await store.labelValues('__name__'), ['other', 'up']);
    });
  });

  describe('bad batches', () => {
    const good = sample({ __name__: 'm' }, 1, 1);
    const cases: Array<[string, unknown, string]> = [
      ['fractional timestamp', sample({ __name__: 'm' }, 1.5, 1), 'samples[1].timestampMs'],
      ['NaN timestamp', sample({ __name__: 'm' }, Number.NaN, 1), 'samples[1].timestampMs'],
      ['infinite timestamp', sample({ __name__: 'm' }, Infinity, 1), 'samples[1].timestampMs'],
      ['missing __name__', sample({ job: 'a' }, 1, 1), 'samples[1].labels.__name__'],
      ['empty __name__', sample({ __name__: '' }, 1, 1), 'samples[1].labels.__name__'],
      [
        'label name with a dash',
        sample({ __name__: 'm', 'a-b': 'x' }, 1, 1),
        'samples[1].labels has invalid label name "a-b"',
      ],
      ['label name starting with a digit', sample({ __name__: 'm', '1a': 'x' }, 1, 1), '"1a"'],
      [
        'non-string label value',
        { labels: { __name__: 'm', a: 3 }, timestampMs: 1, value: 1 },
        'samples[1].labels.a',
      ],
      [
        'string value',
        { labels: { __name__: 'm' }, timestampMs: 1, value: '1' },
        'samples[1].value',
      ],
      ['null sample', null, 'samples[1] must be an object'],
    ];
    for (const [title, bad, fragment] of cases) {
      it(`rejects the whole batch: ${title}`, async () => {
        const store = createSqliteStore({ path: ':memory:' });
        const batch = [good, bad, sample({ __name__: 'n' }, 2, 2)] as Sample[];
        await rejectsWith(store.append(batch), 'store_invalid_sample', fragment);
        assert.deepEqual(await store.stats(), { seriesCount: 0, sampleCount: 0 });
        await store.close();
      });
    }
  });

  it('persists across close and reopen, and refuses use after close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-store-'));
    try {
      const path = join(dir, 'nested', 'metrics.db');
      const first = createSqliteStore({ path });
      await first.append([
        sample({ __name__: 'm', a: 'x' }, 7, Number.NaN),
        sample({ __name__: 'm', a: 'y' }, 8, 3),
      ]);
      await first.close();
      await first.close();
      await rejectsWith(first.select([], 0, 10), 'store_closed', 'is closed');

      const second = createSqliteStore({ path });
      await second.append([sample({ __name__: 'm', a: 'x' }, 9, 4)]);
      const got = await second.select([{ name: 'a', type: '=~', value: 'x|y' }], 0, 10);
      assert.deepEqual(got, [
        { labels: { __name__: 'm', a: 'x' }, timestampsMs: [7, 9], values: [Number.NaN, 4] },
        { labels: { __name__: 'm', a: 'y' }, timestampsMs: [8], values: [3] },
      ]);
      assert.deepEqual(await second.stats(), { seriesCount: 2, sampleCount: 3 });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails to open a file that is not a database with store_open_failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-store-'));
    try {
      const path = join(dir, 'not-a-db');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        path,
        'this is plain text, long enough to look like a header...........'.repeat(20),
      );
      assert.throws(
        () => createSqliteStore({ path }),
        (err: unknown) => isLlmwatchError(err) && err.code === 'store_open_failed',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
