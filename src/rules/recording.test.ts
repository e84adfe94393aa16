import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from '../core/log.js';
import { createLogger } from '../core/log.js';
import { createMetricRegistry } from '../ingest/registry.js';
import { createMemoryStore, createPromqlEngine, type PromqlEngine } from '../promql/index.js';
import type { Sample } from '../store/types.js';
import { createRecordingRules } from './recording.js';

const T = 1_700_000_000_000;

/** A logger that records (level, message, fields) instead of printing. */
function recordingLogger(): { logger: Logger; lines: Array<[string, string, object]> } {
  const lines: Array<[string, string, object]> = [];
  const logger = createLogger('silent');
  for (const level of ['info', 'warn', 'error'] as const) {
    (logger as unknown as Record<string, unknown>)[level] = (fields: object, message: string) =>
      lines.push([level, message, fields]);
  }
  return { logger, lines };
}

function sample(labels: Record<string, string>, timestampMs: number, value: number): Sample {
  return { labels, timestampMs, value };
}

async function seededEngine(): Promise<{ engine: PromqlEngine; written: Sample[][] }> {
  const store = createMemoryStore();
  await store.append([
    sample({ __name__: 'up', job: 'a', instance: 'h1' }, T - 10_000, 1),
    sample({ __name__: 'up', job: 'a', instance: 'h2' }, T - 10_000, 0),
    sample({ __name__: 'up', job: 'b', instance: 'h3' }, T - 10_000, 1),
  ]);
  return { engine: createPromqlEngine(store), written: [] };
}

describe('createRecordingRules', () => {
  it('records each rule under its name with its labels, dropping __name__', async () => {
    const { engine, written } = await seededEngine();
    const { logger } = recordingLogger();
    const rules = createRecordingRules({
      engine,
      sink: (samples) => void written.push(samples),
      rules: [
        { record: 'job:up:sum', expr: 'sum by (job) (up)', labels: { team: 'ml' } },
        { record: 'up_copy', expr: 'up{job="b"}' },
        { record: 'answer', expr: '6 * 7' },
        { record: 'none', expr: 'up{job="nothing"}' },
      ],
      intervalMs: 30_000,
      logger,
    });
    const result = await rules.evaluateOnce(T);
    assert.deepEqual(result, { timeMs: T, samplesWritten: 4, failures: 0 });
    assert.deepEqual(written, [
      [
        sample({ job: 'a', team: 'ml', __name__: 'job:up:sum' }, T, 1),
        sample({ job: 'b', team: 'ml', __name__: 'job:up:sum' }, T, 1),
      ],
      [sample({ instance: 'h3', job: 'b', __name__: 'up_copy' }, T, 1)],
      [sample({ __name__: 'answer' }, T, 42)],
    ]);
  });

  it('lets rule labels replace result labels and refuses a resulting duplicate', async () => {
    const { engine, written } = await seededEngine();
    const { logger, lines } = recordingLogger();
    const rules = createRecordingRules({
      engine,
      sink: (samples) => void written.push(samples),
      rules: [
        { record: 'up_b', expr: 'up{job="b"}', labels: { job: 'renamed' } },
        { record: 'up_all', expr: 'up', labels: { instance: 'same' } },
      ],
      intervalMs: 30_000,
      logger,
    });
    assert.deepEqual(await rules.evaluateOnce(T), { timeMs: T, samplesWritten: 1, failures: 1 });
    assert.deepEqual(written, [
      [sample({ instance: 'h3', job: 'renamed', __name__: 'up_b' }, T, 1)],
    ]);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]![0], 'warn');
    assert.equal(lines[0]![1], 'rule evaluation failed');
    assert.match(
      (lines[0]![2] as { err: string }).err,
      /^rule up_all produced two samples with labels .* after adding its labels/,
    );
  });

  it('counts failures per rule and logs once per change of error, then recovery', async () => {
    let mode: 'a' | 'b' | 'ok' = 'a';
    const engine: Pick<PromqlEngine, 'instantQuery'> = {
      async instantQuery(expr) {
        if (expr === 'bad' && mode !== 'ok') throw new Error(`boom ${mode}`);
        return { resultType: 'vector', result: [{ metric: {}, value: [T / 1000, '+Inf'] }] };
      },
    };
    const { logger, lines } = recordingLogger();
    const registry = createMetricRegistry({ nowMs: () => T });
    const written: Sample[] = [];
    const rules = createRecordingRules({
      engine: engine as PromqlEngine,
      sink: (samples) => void written.push(...samples),
      rules: [
        { record: 'fine', expr: 'good' },
        { record: 'flaky', expr: 'bad' },
      ],
      intervalMs: 1000,
      logger,
      registry,
      group: 'test',
    });
    // The fake engine ignores the expression text, so any valid PromQL names work here.
    await rules.evaluateOnce(T);
    await rules.evaluateOnce(T + 1000);
    mode = 'b';
    await rules.evaluateOnce(T + 2000);
    mode = 'ok';
    await rules.evaluateOnce(T + 3000);
    await rules.evaluateOnce(T + 4000);

    assert.deepEqual(
      lines.map(([level, message, fields]) => [level, message, fields]),
      [
        [
          'warn',
          'rule evaluation failed',
          { group: 'test', rule: 'flaky', index: 1, err: 'boom a' },
        ],
        [
          'warn',
          'rule evaluation failed',
          { group: 'test', rule: 'flaky', index: 1, err: 'boom b' },
        ],
        ['info', 'rule recovered', { group: 'test', rule: 'flaky', index: 1 }],
      ],
    );
    assert.deepEqual(rules.stats(), { ticks: 5, skippedTicks: 0, failures: 3 });
    assert.equal(written.length, 7);
    assert.equal(written[0]!.value, Infinity);
    const exposition = registry.renderExposition();
    assert.match(
      exposition,
      /llmwatch_rule_evaluation_failures_total\{group="test",rule="flaky"\} 3\n/,
    );
    assert.match(exposition, /llmwatch_rule_evaluations_total\{group="test",rule="fine"\} 5\n/);
  });

  it('counts a failing sink as a failure of that rule', async () => {
    const { engine } = await seededEngine();
    const { logger, lines } = recordingLogger();
    const rules = createRecordingRules({
      engine,
      sink: async () => {
        throw new Error('store is full');
      },
      rules: [{ record: 'x', expr: 'sum(up)' }],
      intervalMs: 1000,
      logger,
    });
    assert.deepEqual(await rules.evaluateOnce(T), { timeMs: T, samplesWritten: 0, failures: 1 });
    assert.equal((lines[0]![2] as { err: string }).err, 'store is full');
  });

  it('never runs two evaluations at once', async () => {
    let active = 0;
    let maxActive = 0;
    const engine: Pick<PromqlEngine, 'instantQuery'> = {
      async instantQuery() {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
        return { resultType: 'vector', result: [] };
      },
    };
    const rules = createRecordingRules({
      engine: engine as PromqlEngine,
      sink: () => undefined,
      rules: [
        { record: 'a', expr: 'up' },
        { record: 'b', expr: 'up' },
      ],
      intervalMs: 1000,
      logger: recordingLogger().logger,
    });
    const results = await Promise.all([T, T + 1000, T + 2000].map((t) => rules.evaluateOnce(t)));
    assert.deepEqual(
      results.map((r) => r.timeMs),
      [T, T + 1000, T + 2000],
    );
    assert.equal(maxActive, 1);
  });

  it('ticks on multiples of the interval and stops cleanly', async () => {
    const times: number[] = [];
    const engine: Pick<PromqlEngine, 'instantQuery'> = {
      async instantQuery(_expr, timeMs) {
        times.push(timeMs);
        return { resultType: 'vector', result: [] };
      },
    };
    const rules = createRecordingRules({
      engine: engine as PromqlEngine,
      sink: () => undefined,
      rules: [{ record: 'a', expr: 'up' }],
      intervalMs: 40,
      logger: recordingLogger().logger,
    });
    rules.start();
    rules.start();
    for (let i = 0; i < 100 && times.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await rules.stop();
    const count = times.length;
    assert.ok(count >= 3, `only ${count} ticks`);
    for (const t of times) assert.equal(t % 40, 0);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(times.length, count);
  });

  it('refuses invalid rules and intervals at creation, listing every problem', () => {
    const base = {
      engine: {} as PromqlEngine,
      sink: () => undefined,
      logger: createLogger('silent'),
    };
    assert.throws(
      () =>
        createRecordingRules({
          ...base,
          intervalMs: 1000,
          rules: [
            { record: 'ok', expr: 'up' },
            { record: '1bad', expr: 'rate(up)' },
          ],
        }),
      {
        code: 'rules_invalid',
        message:
          '2 problem(s) in recording rules:\n' +
          '  - rules[1].record must be a metric name like "llm_cost_dollars_per_hour" ' +
          '(letters, digits, "_" and ":", not starting with a digit), got "1bad"\n' +
          '  - rules[1].expr: 1:6: parse error: expected type range vector in call to function "rate", got instant vector',
      },
    );
    assert.throws(() => createRecordingRules({ ...base, intervalMs: 0.5, rules: [] }), {
      code: 'config_invalid',
      message: 'recording rules interval must be a positive integer of ms like 30000, got 0.5',
    });
  });
});
