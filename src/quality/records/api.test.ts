// The evaluations API over a real quality database with known records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSilentLogger } from '../../core/log.js';
import { createMetricRegistry } from '../../ingest/registry.js';
import { createQualityPipeline } from '../pipeline/pipeline.js';
import { lengthEvaluator, pairs, tempDbPath, testConfig } from '../pipeline/test-helpers.js';
import { createEvaluationsApi } from './api.js';

async function setup() {
  const p = createQualityPipeline({
    config: testConfig(),
    evaluators: [lengthEvaluator()],
    registry: createMetricRegistry(),
    logger: createSilentLogger(),
    dbPath: tempDbPath(),
    nowMs: (() => {
      let t = 1_700_000_000_000;
      return () => (t += 1000);
    })(),
  });
  const input = [...pairs(3, 'qwen'), ...pairs(2, 'llama')];
  input.forEach((pair, i) => (pair.responseText = 'x'.repeat(10 * (i + 1)))); // scores 0.1 .. 0.5
  p.ingest(input);
  p.start();
  await p.drain();
  return { p, api: createEvaluationsApi(p.records) };
}

type Body = {
  evaluations: Array<{
    id: number;
    component: string;
    score: number;
    response: string;
    createdAt: number;
  }>;
  nextCursor: string | null;
};

test('filters, score sort and cursor paging', async () => {
  const { p, api } = await setup();
  const q = (s: string) =>
    api('/api/llmwatch/evaluations', new URLSearchParams(s)) as { status: number; body: unknown };
  const all = q('') as { status: number; body: Body };
  assert.equal(all.status, 200);
  assert.equal(all.body.evaluations.length, 5);
  const times = all.body.evaluations.map((e) => e.createdAt);
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
  );

  const llama = q('component=llama').body as Body;
  assert.deepEqual(llama.evaluations.map((e) => e.score).sort(), [0.4, 0.5]);
  const mid = q('minScore=0.2&maxScore=0.4&sort=score').body as Body;
  assert.deepEqual(
    mid.evaluations.map((e) => e.score),
    [0.2, 0.3, 0.4],
  );

  const page1 = q('sort=score&limit=2').body as Body;
  assert.deepEqual(
    page1.evaluations.map((e) => e.score),
    [0.1, 0.2],
  );
  const page2 = q(`sort=score&limit=2&cursor=${page1.nextCursor}`).body as Body;
  assert.deepEqual(
    page2.evaluations.map((e) => e.score),
    [0.3, 0.4],
  );
  const page3 = q(`sort=score&limit=2&cursor=${page2.nextCursor}`).body as Body;
  assert.deepEqual([page3.evaluations.map((e) => e.score), page3.nextCursor], [[0.5], null]);

  const t1 = q('limit=3').body as Body;
  const t2 = q(`limit=3&cursor=${t1.nextCursor}`).body as Body;
  assert.deepEqual(
    [...t1.evaluations, ...t2.evaluations].map((e) => e.id),
    all.body.evaluations.map((e) => e.id),
  );

  const first = all.body.evaluations[4]!;
  const start = (first.createdAt / 1000).toString();
  assert.equal((q(`start=${start}&end=${start}`).body as Body).evaluations.length, 1);

  const one = api(`/api/llmwatch/evaluations/${first.id}`, new URLSearchParams());
  assert.equal(one?.status, 200);
  assert.equal((one?.body as { evaluation: { id: number } }).evaluation.id, first.id);
  await p.stop();
});

test('bad parameters are 400 naming the parameter; unknown id 404; other paths null', async () => {
  const { p, api } = await setup();
  const q = (s: string) =>
    api('/api/llmwatch/evaluations', new URLSearchParams(s)) as { status: number; body: unknown };
  const msg = (s: string) => (q(s)?.body as { error: { message: string } }).error.message;
  assert.equal(q('limit=0')?.status, 400);
  assert.match(
    msg('limit=5000'),
    /^parameter limit="5000" is invalid; use a whole number from 1 to 1000$/,
  );
  assert.match(msg('minScore=2'), /minScore="2"/);
  assert.match(msg('sort=random'), /sort="random"/);
  assert.match(msg('start=yesterday'), /start="yesterday"/);
  assert.match(
    msg('start=200&end=100'),
    /^parameter end="100" is invalid; use a time at or after start$/,
  );
  const cursor = (q('limit=1')?.body as Body).nextCursor as string;
  assert.match(msg(`sort=score&cursor=${cursor}`), /parameter cursor=/);
  assert.equal(api('/api/llmwatch/evaluations/999', new URLSearchParams())?.status, 404);
  assert.equal(api('/api/llmwatch/evaluations/abc', new URLSearchParams())?.status, 400);
  assert.equal(api('/api/llmwatch/other', new URLSearchParams()), null);
  await p.stop();
});
