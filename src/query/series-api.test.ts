import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../promql/memory-store.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import type { Sample } from '../store/types.js';
import {
  handleLabelNames,
  handleLabelValues,
  handleSeries,
  parseMatchParams,
} from './series-api.js';

const SAMPLES: Sample[] = [
  { labels: { __name__: 'up', job: 'b', instance: 'x' }, timestampMs: 10_000, value: 1 },
  { labels: { __name__: 'up', job: 'a' }, timestampMs: 10_000, value: 1 },
  { labels: { __name__: 'llm_requests_total', component: 'chat' }, timestampMs: 50_000, value: 3 },
];

async function stores() {
  const memory = createMemoryStore();
  const sqlite = createSqliteStore({ path: ':memory:' });
  await memory.append(SAMPLES);
  await sqlite.append(SAMPLES);
  return { memory, sqlite };
}

const q = (entries: Array<[string, string]>) => new URLSearchParams(entries);

test('match[] parsing: selectors only', () => {
  assert.deepEqual(
    parseMatchParams(
      q([
        ['match[]', 'up{job="a"}'],
        ['match[]', '{__name__=~"llm_.+"}'],
      ]),
    ),
    [
      [
        { name: '__name__', type: '=', value: 'up' },
        { name: 'job', type: '=', value: 'a' },
      ],
      [{ name: '__name__', type: '=~', value: 'llm_.+' }],
    ],
  );
  const form = 'expected a series selector like up{job="a"} or {__name__=~"llm_.*"}';
  const cases: Array<[string, string]> = [
    ['sum(up)', `invalid parameter "match[]": "sum(up)" is not a series selector; ${form}`],
    ['up[5m]', `invalid parameter "match[]": "up[5m]" is not a series selector; ${form}`],
    [
      'up offset 1m',
      `invalid parameter "match[]": "up offset 1m" is not a series selector; ${form}`,
    ],
    ['up{', `invalid parameter "match[]": 1:4: parse error: unexpected end of input; ${form}`],
    [
      '{job=~".*"}',
      `invalid parameter "match[]": 1:1: parse error: vector selector must contain at least one non-empty matcher; ${form}`,
    ],
  ];
  for (const [selector, message] of cases) {
    assert.throws(() => parseMatchParams(q([['match[]', selector]])), {
      code: 'promql_bad_data',
      message,
    });
  }
});

test('series: union of match[] sets, range honoured, labels sorted, limit', async () => {
  const { memory, sqlite } = await stores();
  for (const store of [memory, sqlite]) {
    const all = q([
      ['match[]', 'up'],
      ['match[]', '{component="chat"}'],
      ['match[]', 'up{job="a"}'],
    ]);
    const body = (await handleSeries(store, all)).body as { data: unknown[] };
    assert.deepEqual(body, {
      status: 'success',
      // Prometheus's order: pairwise by (name, value), so "instance" sorts before "job".
      data: [
        { __name__: 'llm_requests_total', component: 'chat' },
        { __name__: 'up', instance: 'x', job: 'b' },
        { __name__: 'up', job: 'a' },
      ],
    });
    assert.deepEqual(Object.keys(body.data[1] as object), ['__name__', 'instance', 'job']);

    const early = q([
      ['match[]', '{__name__=~".+"}'],
      ['start', '0'],
      ['end', '20'],
    ]);
    assert.deepEqual((await handleSeries(store, early)).body, {
      status: 'success',
      data: [
        { __name__: 'up', instance: 'x', job: 'b' },
        { __name__: 'up', job: 'a' },
      ],
    });
    const limited = q([
      ['match[]', 'up'],
      ['limit', '1'],
    ]);
    assert.deepEqual((await handleSeries(store, limited)).body, {
      status: 'success',
      data: [{ __name__: 'up', instance: 'x', job: 'b' }],
      warnings: ['results truncated due to limit'],
    });
  }
  await assert.rejects(handleSeries(memory, q([])), {
    code: 'promql_bad_data',
    message:
      'invalid parameter "match[]": no match[] parameter provided; expected a series selector like up{job="a"} or {__name__=~"llm_.*"}',
  });
  await assert.rejects(
    handleSeries(
      memory,
      q([
        ['match[]', 'up'],
        ['limit', 'x'],
      ]),
    ),
    {
      code: 'promql_bad_data',
      message: 'invalid parameter "limit": cannot parse "x"; expected a non-negative integer',
    },
  );
  await sqlite.close();
});

test('labels and label values, with and without match[]', async () => {
  const { memory, sqlite } = await stores();
  for (const store of [memory, sqlite]) {
    assert.deepEqual((await handleLabelNames(store, q([]))).body, {
      status: 'success',
      data: ['__name__', 'component', 'instance', 'job'],
    });
    assert.deepEqual((await handleLabelNames(store, q([['match[]', 'up{job="a"}']]))).body, {
      status: 'success',
      data: ['__name__', 'job'],
    });
    assert.deepEqual((await handleLabelValues(store, '__name__', q([]))).body, {
      status: 'success',
      data: ['llm_requests_total', 'up'],
    });
    assert.deepEqual((await handleLabelValues(store, 'job', q([['match[]', 'up']]))).body, {
      status: 'success',
      data: ['a', 'b'],
    });
    assert.deepEqual((await handleLabelValues(store, 'nope', q([]))).body, {
      status: 'success',
      data: [],
    });
  }
  // Without a label index (memory store) the range is honoured.
  const range = q([
    ['start', '40'],
    ['end', '60'],
  ]);
  assert.deepEqual((await handleLabelValues(memory, '__name__', range)).body, {
    status: 'success',
    data: ['llm_requests_total'],
  });
  // With the SQLite label index it is not (documented limitation).
  assert.deepEqual((await handleLabelValues(sqlite, '__name__', range)).body, {
    status: 'success',
    data: ['llm_requests_total', 'up'],
  });
  await assert.rejects(handleLabelValues(memory, 'a-b', q([])), {
    code: 'promql_bad_data',
    message:
      'invalid parameter "label name": invalid label name: "a-b"; expected letters, digits and _',
  });
  assert.deepEqual((await handleLabelValues(memory, '%6Aob', q([]))).body, {
    status: 'success',
    data: ['a', 'b'],
  });
  await sqlite.close();
});
