import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeConfigSchema } from './config.js';
import { createJudgeEvaluators } from './evaluators.js';
import { createJudge } from './judge.js';
import type { ChatReply, ChatRequest, JudgeClient } from './types.js';

test('pipeline evaluators share one call per criterion; composite from the parts', async () => {
  const calls: string[] = [];
  const client: JudgeClient = {
    provider: 'openai',
    modelSent: 'm',
    complete(request: ChatRequest): Promise<ChatReply> {
      const criterion = /You judge one criterion: (\w+)/.exec(request.system)?.[1] ?? '';
      calls.push(criterion);
      const score = criterion === 'safety' ? '"safe"' : criterion === 'relevance' ? '5' : '3';
      return Promise.resolve({
        text: `{"reasoning":"r-${criterion}","score":${score}}`,
        refusal: null,
        stopReason: 'stop',
        stop: 'stop',
        modelReturned: 'm-2024',
        usage: { inputTokens: 10, outputTokens: 5 },
        latencyMs: 1,
        attempts: 1,
        structuredUsed: true,
      });
    },
  };
  const judge = createJudge(
    judgeConfigSchema.parse({ provider: 'openai', model: 'm', ratePerMinute: 60_000 }),
    { client },
  );
  const evaluators = createJudgeEvaluators(judge);
  assert.deepEqual(
    evaluators.map((e) => e.criterion),
    ['safety', 'relevance', 'tone', 'composite'],
  );
  const sample = { requestId: 'q1', component: 'c', request: 'Hi', responseText: 'Hello.' };
  const results = await Promise.all(evaluators.map((e) => e.evaluate(sample)));
  assert.deepEqual(calls.sort(), ['relevance', 'safety', 'tone']);
  assert.deepEqual(
    results.map((r) => [r?.criterion, r?.outcome, r?.score]),
    [
      ['safety', 'scored', 1],
      ['relevance', 'scored', 1],
      ['tone', 'scored', 0.5],
      ['composite', 'scored', 2.5 / 3],
    ],
  );
  assert.equal(results[0]?.reasoning, 'r-safety');
  assert.deepEqual(results[2]?.usage, { inputTokens: 10, outputTokens: 5 });
  assert.match(evaluators[0]?.judge ?? '', /^openai:m-2024#[0-9a-f]{6}$/);
  assert.match(evaluators[3]?.judge ?? '', /^openai:m-2024#[0-9a-f]{6}$/);
  assert.notEqual(evaluators[3]?.judge, evaluators[0]?.judge);
  assert.equal(results[3]?.details.judge, evaluators[3]?.judge);
  // Read by every evaluator: the memo is empty, so the next sample with the same id is judged again.
  await evaluators[0]?.evaluate(sample);
  assert.equal(calls.length, 6);
});
