import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPromqlEngine } from '../promql/index.js';
import { createMemoryStore } from '../promql/memory-store.js';
import { createSilentLogger } from '../core/log.js';
import { createAnnotationStore } from './annotations.js';
import { startChangeDetector } from './change-detector.js';

test('a copy switching models and a criterion switching judges become annotations', async () => {
  const store = createMemoryStore();
  const annotations = createAnnotationStore();
  const detector = startChangeDetector({
    engine: createPromqlEngine(store),
    annotations,
    logger: createSilentLogger(),
    intervalMs: 3_600_000,
  });
  const running = (t: number, model: string) => ({
    labels: {
      __name__: 'llm_requests_running',
      source: 'engine',
      component: 'chat',
      copy: 'c0',
      model,
    },
    timestampMs: t,
    value: 1,
  });
  const scores = (t: number, judge: string) => ({
    labels: { __name__: 'llm_quality_score_count', component: 'chat', criterion: 'safety', judge },
    timestampMs: t,
    value: 5,
  });
  await store.append([running(1_000, 'qwen-7b'), scores(1_000, 'openai:gpt-4o#aaa')]);
  assert.equal(await detector.checkOnce(1_000), 0); // the baseline is not a change
  assert.equal(await detector.checkOnce(2_000), 0); // nothing changed

  // Ten minutes later (past the 5 minute lookback) the copy serves another model and judge.
  await store.append([running(601_000, 'qwen-14b'), scores(601_000, 'openai:gpt-4o#bbb')]);
  assert.equal(await detector.checkOnce(601_000), 2);

  // A rolling change shows both models at once: nothing is written until one remains.
  await store.append([running(602_000, 'qwen-32b')]);
  assert.equal(await detector.checkOnce(602_000), 0);
  detector.stop();
  assert.deepEqual(
    annotations.list(0, 700_000).map((a) => [a.kind, a.component, a.text]),
    [
      ['deploy', 'chat', 'model on chat/c0 changed: qwen-7b → qwen-14b'],
      ['judge', 'chat', 'safety judge changed on chat: openai:gpt-4o#aaa → openai:gpt-4o#bbb'],
    ],
  );
});
