// The pipeline end to end in process: enqueue, evaluate, records and metrics; retries; limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSilentLogger } from '../../core/log.js';
import { createMetricRegistry } from '../../ingest/registry.js';
import { valueOf } from '../../gateway/harness.js';
import { createQualityPipeline } from './pipeline.js';
import { createDeterministicEvaluators } from './deterministic.js';
import type { Evaluator } from './evaluator.js';
import { createJudgeLimiter } from './limiter.js';
import { lengthEvaluator, pairs, tempDbPath, testConfig } from './test-helpers.js';

const logger = createSilentLogger();

test('ingested pairs are redacted, evaluated once per evaluator, recorded and counted', async () => {
  const registry = createMetricRegistry();
  const config = testConfig();
  const evaluators = [
    lengthEvaluator(),
    ...createDeterministicEvaluators(config, ['pii_leak', 'toxicity']),
  ];
  const p = createQualityPipeline({ config, evaluators, registry, logger, dbPath: tempDbPath() });
  const input = pairs(3);
  input[0]!.responseText = 'Mail me at jane.doe@example.com';
  input[0]!.request = { messages: [{ role: 'user', content: 'my card 4111 1111 1111 1111' }] };
  assert.equal(p.ingest(input), 3);
  assert.equal(p.ingest(input), 0); // same request ids: duplicates skipped
  p.start();
  const counts = await p.drain();
  assert.deepEqual(counts, { pending: 0, leased: 0, done: 9 });
  assert.equal(p.records.count(), 9);

  const r0 = p.records.list({ requestId: 'r0', limit: 10 }).records;
  const byJudge = Object.fromEntries(r0.map((r) => [r.judge, r]));
  assert.deepEqual(Object.keys(byJudge).sort(), [
    'det:pii-leak@1',
    'det:toxicity-lexicon@1',
    'fake:length@1',
  ]);
  assert.equal(byJudge['det:pii-leak@1']!.score, 0);
  assert.deepEqual(byJudge['det:pii-leak@1']!.details, { counts: { EMAIL: 1 } });
  assert.equal(byJudge['fake:length@1']!.response, 'Mail me at [EMAIL]');
  assert.deepEqual(byJudge['fake:length@1']!.request, {
    messages: [{ role: 'user', content: 'my card [CARD]' }],
  });
  assert.equal(byJudge['fake:length@1']!.reasoning, 'length 18');
  assert.equal(byJudge['fake:length@1']!.costDollars, 0.001);
  const raw = JSON.stringify(p.db.prepare('SELECT * FROM pairs').all());
  assert.equal(raw.includes('jane.doe'), false);
  assert.equal(raw.includes('4111'), false);

  const samples = registry.collect(Date.now());
  const base = {
    component: 'qwen',
    criterion: 'length',
    judge: 'fake:length@1',
    source: 'quality',
  };
  assert.equal(
    valueOf(samples, 'llm_quality_evaluations_total', { ...base, outcome: 'scored' }),
    3,
  );
  assert.equal(valueOf(samples, 'llm_quality_score_count', base), 3);
  assert.equal(valueOf(samples, 'llm_quality_score_sum', base), 0.18 + 0.08 + 0.08);
  assert.equal(valueOf(samples, 'llm_quality_score_bucket', { ...base, le: '0.1' }), 2);
  assert.equal(valueOf(samples, 'llm_quality_evaluation_duration_seconds_count', base), 3);
  assert.equal(
    valueOf(samples, 'llm_judge_tokens_total', {
      judge: 'fake:length@1',
      type: 'input',
      source: 'quality',
    }),
    30,
  );
  assert.equal(
    valueOf(samples, 'llm_judge_tokens_total', {
      judge: 'fake:length@1',
      type: 'output',
      source: 'quality',
    }),
    6,
  );
  assert.equal(
    valueOf(samples, 'llm_judge_cost_dollars_total', { judge: 'fake:length@1', source: 'quality' }),
    0.003,
  );
  const pii = {
    component: 'qwen',
    criterion: 'pii_leak',
    judge: 'det:pii-leak@1',
    source: 'quality',
  };
  assert.equal(valueOf(samples, 'llm_quality_score_sum', pii), 2);
  await p.stop();
});

test('retryable errors are retried with backoff; others and exhausted ones become outcome error', async () => {
  const calls = new Map<string, number>();
  const flaky: Evaluator = {
    criterion: 'safety',
    judge: 'fake:flaky@1',
    async evaluate(sample) {
      const n = (calls.get(sample.requestId) ?? 0) + 1;
      calls.set(sample.requestId, n);
      if (sample.requestId === 'r0' && n <= 2)
        throw Object.assign(new Error('rate limited'), { status: 429 });
      if (sample.requestId === 'r1')
        throw Object.assign(new Error('unauthorised'), { status: 401 });
      if (sample.requestId === 'r2') throw Object.assign(new Error('overloaded'), { status: 503 });
      if (sample.requestId === 'r3')
        return { criterion: 'safety', outcome: 'unparsable', details: { raw: 'x' } };
      return { criterion: 'safety', outcome: 'scored', score: 1, details: {} };
    },
  };
  const registry = createMetricRegistry();
  const p = createQualityPipeline({
    config: testConfig({ maxAttempts: 3 }),
    evaluators: [flaky],
    registry,
    logger,
    dbPath: tempDbPath(),
  });
  p.ingest(pairs(4));
  p.start();
  assert.deepEqual(await p.drain(), { pending: 0, leased: 0, done: 4 });
  assert.deepEqual(Object.fromEntries(calls), { r0: 3, r1: 1, r2: 3, r3: 1 });
  const outcome = (id: string) =>
    p.records.list({ requestId: id, limit: 5 }).records.map((r) => [r.outcome, r.score]);
  assert.deepEqual(outcome('r0'), [['scored', 1]]);
  assert.deepEqual(outcome('r1'), [['error', null]]);
  assert.deepEqual(outcome('r2'), [['error', null]]);
  assert.deepEqual(outcome('r3'), [['unparsable', null]]);
  const samples = registry.collect(Date.now());
  const base = { component: 'qwen', criterion: 'safety', judge: 'fake:flaky@1', source: 'quality' };
  assert.equal(valueOf(samples, 'llm_quality_evaluations_total', { ...base, outcome: 'error' }), 2);
  assert.equal(
    valueOf(samples, 'llm_quality_evaluations_total', { ...base, outcome: 'unparsable' }),
    1,
  );
  assert.equal(
    valueOf(samples, 'llm_quality_evaluations_total', { ...base, outcome: 'scored' }),
    1,
  );
  await p.stop();
});

test('per-judge concurrency cap holds', async () => {
  let running = 0;
  let peak = 0;
  const slow: Evaluator = {
    criterion: 'tone',
    judge: 'fake:slow@1',
    async evaluate() {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 15));
      running--;
      return { criterion: 'tone', outcome: 'scored', score: 0.5, details: {} };
    },
  };
  const config = testConfig({
    judges: { 'fake:slow@1': { concurrency: 2, ratePerSecond: 1000, burst: 100 } },
  });
  const p = createQualityPipeline({
    config,
    evaluators: [slow],
    registry: createMetricRegistry(),
    logger,
    dbPath: tempDbPath(),
  });
  p.ingest(pairs(8));
  p.start();
  assert.deepEqual(await p.drain(), { pending: 0, leased: 0, done: 8 });
  assert.equal(peak, 2);
  await p.stop();
});

test('token bucket: burst then ratePerSecond (fake clock)', () => {
  let now = 0;
  const limiter = createJudgeLimiter({ concurrency: 10, ratePerSecond: 4, burst: 2 }, () => now);
  assert.equal(limiter.available(), 2);
  limiter.acquire();
  limiter.acquire();
  assert.equal(limiter.available(), 0);
  assert.equal(limiter.msUntilToken(), 250);
  now = 249;
  assert.equal(limiter.available(), 0);
  now = 250;
  assert.equal(limiter.available(), 1);
  now = 10_000;
  assert.equal(limiter.available(), 2); // capped at burst
  limiter.release();
  limiter.release();
  assert.equal(limiter.inFlight(), 0);
});

test('rate limit paces a judge in the running pipeline', async () => {
  const startsMs: number[] = [];
  const ev: Evaluator = {
    criterion: 'relevance',
    judge: 'fake:paced@1',
    evaluate: async () => {
      startsMs.push(performance.now());
      return { criterion: 'relevance', outcome: 'scored', score: 1, details: {} };
    },
  };
  const config = testConfig({
    judges: { 'fake:paced@1': { concurrency: 10, ratePerSecond: 20, burst: 1 } },
  });
  const p = createQualityPipeline({
    config,
    evaluators: [ev],
    registry: createMetricRegistry(),
    logger,
    dbPath: tempDbPath(),
  });
  p.ingest(pairs(5));
  p.start();
  await p.drain();
  assert.equal(startsMs.length, 5);
  // 1 at once, then one per 50 ms: at least 4 * 50 ms from first to last (less 1 ms timer slack each).
  assert.ok((startsMs[4] as number) - (startsMs[0] as number) >= 196, String(startsMs));
  await p.stop();
});

test('captured pairs are buffered, sampled by policy and enqueued', async () => {
  const config = testConfig({}, { sampling: { rate: 1, minSamplesPerWindow: 0 } });
  const p = createQualityPipeline({
    config,
    evaluators: [lengthEvaluator()],
    registry: createMetricRegistry(),
    logger,
    dbPath: tempDbPath(),
  });
  assert.equal(p.capture.shouldCapture('qwen', 'g1'), true);
  p.capture.onCapture({
    requestId: 'g1',
    component: 'qwen',
    model: 'qwen-7b',
    copy: 'a',
    endpoint: 'e',
    request: { messages: [] },
    responseText: 'hello',
    finishReason: 'stop',
    stream: false,
    truncated: false,
    startedAtMs: 1_700_000_000_000,
  });
  p.start();
  await p.drain();
  const [record] = p.records.list({ limit: 5 }).records;
  assert.deepEqual(
    [record?.requestId, record?.response, record?.score, record?.createdAt === undefined],
    ['g1', 'hello', 0.05, false],
  );
  await p.stop();
});
