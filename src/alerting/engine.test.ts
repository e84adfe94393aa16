import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createSilentLogger } from '../core/log.js';
import type { QueryResult } from '../promql/index.js';
import { alertingConfigSchema } from './config.js';
import { createAlertEngine } from './engine.js';
import type { Alert } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'llmwatch-alerting-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RULES = `
groups:
  - name: q
    interval: 1m
    rules:
      - alert: LowScore
        expr: score
        threshold: { op: below, value: 0.8 }
        recoveryThreshold: 0.85
        for: 2m
        keepFiringFor: 1m
        noDataState: NoData
        errorState: Error
        labels: { severity: critical }
        annotations: { summary: '{{ $labels.component }} at {{ $value }}' }
`;

const MIN = 60_000;
type Script = (timeMs: number) => Array<[string, number]> | Error;

/** An engine stub answering every query from the script: component → value at a time. */
function scripted(script: Script) {
  return {
    async instantQuery(_expr: string, timeMs: number): Promise<QueryResult> {
      const rows = script(timeMs);
      if (rows instanceof Error) throw rows;
      return {
        resultType: 'vector',
        result: rows.map(([component, value]) => ({
          metric: { __name__: 'score', component },
          value: [timeMs / 1000, String(value)],
        })),
      };
    },
  };
}

function setup(script: Script, dbPath = ':memory:', rules = RULES) {
  const file = join(dir, `rules-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, rules);
  const sent: Alert[][] = [];
  const config = alertingConfigSchema.parse({
    ruleFiles: [file],
    defaultRules: false,
    reloadCheckSeconds: 0,
  });
  const engine = createAlertEngine({
    config,
    engine: scripted(script),
    sink: { send: async (alerts) => void sent.push([...alerts]) },
    logger: createSilentLogger(),
    dbPath,
  });
  return { engine, sent, file, config };
}

/** Compact view of the sends: "status component startsAt-min endsAt-min" per alert. */
function sends(sent: Alert[][]): string[][] {
  return sent.map((batch) =>
    batch.map(
      (a) =>
        `${a.status} ${a.labels.alertname}/${a.labels.component ?? a.labels.rulename} ` +
        `${a.startsAt / MIN} ${a.endsAt / MIN}`,
    ),
  );
}

function transitions(engine: ReturnType<typeof setup>['engine']): string[] {
  return engine
    .history({})
    .reverse()
    .map((t) => `${t.at / MIN}m ${t.labels.component ?? '-'} ${t.from}->${t.to}`);
}

test('pending, firing, flapping between thresholds, recovering, resolved', async () => {
  const values = [0.7, 0.7, 0.7, 0.79, 0.82, 0.81, 0.79, 0.84, 0.9, 0.9, 0.9, 0.9];
  const { engine, sent } = setup((t) => [['a', values[t / MIN] as number]]);
  const states: string[] = [];
  for (let m = 0; m < values.length; m++) {
    await engine.evaluateOnce(m * MIN);
    states.push(engine.alerts()[0]?.state ?? 'normal');
  }
  assert.deepEqual(states, [
    'pending',
    'pending',
    'firing',
    'firing',
    'firing',
    'firing',
    'firing',
    'firing',
    'recovering',
    'normal',
    'normal',
    'normal',
  ]);
  assert.deepEqual(transitions(engine), [
    '0m a normal->pending',
    '2m a pending->firing',
    '8m a firing->recovering',
    '9m a recovering->normal',
  ]);
  // Firing alerts are re-sent each round with endsAt 4 intervals ahead; the resolve is re-sent.
  const out = sends(sent);
  assert.equal(out.length, 10);
  assert.deepEqual(out[0], ['firing LowScore/a 2 6']);
  assert.deepEqual(out[5], ['firing LowScore/a 2 11']);
  assert.deepEqual(out[6], ['firing LowScore/a 2 12']);
  assert.deepEqual(out[7], ['resolved LowScore/a 2 9']);
  assert.deepEqual(out[9], ['resolved LowScore/a 2 9']);
  assert.equal(sent[0]?.[0]?.annotations.summary, 'a at 0.7');
  assert.equal(sent[0]?.[0]?.value, 0.7);
  await engine.stop();
});

test('resolved alerts are re-sent for 15 minutes, then dropped', async () => {
  const { engine, sent } = setup((t) => [['a', t < 3 * MIN ? 0.5 : 0.95]]);
  for (let m = 0; m <= 22; m++) await engine.evaluateOnce(m * MIN);
  const out = sends(sent);
  // Firing at 2m; recovering at 3m; resolved at 4m, re-sent through 19m (15 minutes).
  assert.deepEqual(out[0], ['firing LowScore/a 2 6']);
  assert.deepEqual(out[1], ['firing LowScore/a 2 7']);
  assert.deepEqual(out[2], ['resolved LowScore/a 2 4']);
  assert.equal(out.length, 2 + 16);
  assert.deepEqual(out.at(-1), ['resolved LowScore/a 2 4']);
  await engine.stop();
});

test('no data at start-up: NoData state and one meta-alert after the pending period', async () => {
  const { engine, sent } = setup((t) => (t < 4 * MIN ? [] : [['a', 0.9]]));
  for (let m = 0; m <= 5; m++) await engine.evaluateOnce(m * MIN);
  assert.deepEqual(transitions(engine), ['0m - normal->nodata', '4m - nodata->normal']);
  assert.deepEqual(sends(sent), [
    ['firing DatasourceNoData/LowScore 2 6'],
    ['firing DatasourceNoData/LowScore 2 7'],
    ['resolved DatasourceNoData/LowScore 2 4'],
    ['resolved DatasourceNoData/LowScore 2 4'],
  ]);
  assert.deepEqual(sent[0]?.[0]?.labels, {
    alertname: 'DatasourceNoData',
    rulename: 'LowScore',
    rulegroup: 'q',
    severity: 'critical',
  });
  assert.deepEqual(engine.alerts(), []);
  await engine.stop();
});

test('a firing series that disappears recovers, then resolves', async () => {
  const { engine, sent } = setup((t) =>
    t < 3 * MIN
      ? [
          ['a', 0.5],
          ['b', 0.5],
        ]
      : [['b', 0.5]],
  );
  for (let m = 0; m <= 4; m++) await engine.evaluateOnce(m * MIN);
  assert.deepEqual(transitions(engine), [
    '0m a normal->pending',
    '0m b normal->pending',
    '2m a pending->firing',
    '2m b pending->firing',
    '3m a firing->recovering',
    '4m a recovering->normal',
  ]);
  assert.deepEqual(sends(sent).at(-1), ['firing LowScore/b 2 8', 'resolved LowScore/a 2 4']);
  const history = engine.history({ component: 'a', rule: 'LowScore', startMs: 3 * MIN });
  assert.deepEqual(
    history.map((h) => h.to),
    ['normal', 'recovering'],
  );
  await engine.stop();
});

test('a restart in the middle of a pending period keeps the timer and does not re-fire', async () => {
  const dbPath = join(dir, 'restart.db');
  const script: Script = () => [['a', 0.5]];
  const first = setup(script, dbPath);
  await first.engine.evaluateOnce(0);
  await first.engine.evaluateOnce(MIN);
  assert.equal(first.engine.alerts()[0]?.state, 'pending');
  await first.engine.stop();

  const second = setup(script, dbPath);
  assert.deepEqual(
    second.engine.alerts().map((a) => [a.state, a.activeAt]),
    [['pending', 0]],
  );
  await second.engine.evaluateOnce(2 * MIN);
  assert.equal(second.engine.alerts()[0]?.firingAt, 2 * MIN);
  await second.engine.stop();

  const third = setup(script, dbPath);
  await third.engine.evaluateOnce(3 * MIN);
  // Same alert, same start: the notification pipeline sees a repeat, not a new incident.
  assert.deepEqual(sends(third.sent), [['firing LowScore/a 2 7']]);
  assert.equal(third.sent[0]?.[0]?.fingerprint, second.sent[0]?.[0]?.fingerprint);
  assert.deepEqual(transitions(third.engine), ['0m a normal->pending', '2m a pending->firing']);
  await third.engine.stop();
});

test('a query error moves instances to Error and raises one DatasourceError', async () => {
  const failures = new Set([3 * MIN, 4 * MIN, 5 * MIN]);
  const { engine, sent } = setup((t) =>
    failures.has(t) ? new Error('store unavailable') : [['a', 0.5]],
  );
  for (let m = 0; m <= 6; m++) await engine.evaluateOnce(m * MIN);
  assert.deepEqual(transitions(engine), [
    '0m a normal->pending',
    '2m a pending->firing',
    '3m a firing->error',
    '6m a error->pending',
  ]);
  const out = sends(sent);
  assert.deepEqual(out[1], ['resolved LowScore/a 2 3']);
  assert.deepEqual(out[3], ['firing DatasourceError/LowScore 5 9', 'resolved LowScore/a 2 3']);
  assert.equal(
    sent[3]?.[0]?.annotations.summary,
    'Rule LowScore fails to evaluate: store unavailable',
  );
  await engine.stop();
});

test('KeepLast and Alerting policies on errors and missing data', async () => {
  const rules = RULES.replace('noDataState: NoData', 'noDataState: Alerting').replace(
    'errorState: Error',
    'errorState: KeepLast',
  );
  const { engine } = setup(
    (t) => (t === MIN ? new Error('boom') : t >= 2 * MIN ? [] : [['a', 0.5]]),
    ':memory:',
    rules,
  );
  for (let m = 0; m <= 3; m++) await engine.evaluateOnce(m * MIN);
  // Error at 1m keeps pending; no data at 2m and 3m counts as breach, so it fires at 2m.
  assert.deepEqual(transitions(engine), ['0m a normal->pending', '2m a pending->firing']);
  await engine.stop();
});

test('reload keeps the state of unchanged rules and refuses bad files', async () => {
  const { engine, file } = setup(() => [['a', 0.5]]);
  await engine.evaluateOnce(0);
  writeFileSync(file, RULES.replace('for: 2m', 'for: soon'));
  const bad = engine.reload();
  assert.equal(bad.ok, false);
  assert.match(bad.problems[0]?.message ?? '', /for: must be a duration like "5m"/);
  writeFileSync(file, RULES.replace('severity: critical', 'severity: page'));
  assert.equal(engine.reload().ok, true);
  assert.deepEqual(
    engine.alerts().map((a) => [a.state, a.labels.severity, a.activeAt]),
    [['pending', 'page', 0]],
  );
  await engine.stop();
});
