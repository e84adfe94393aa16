import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createSilentLogger } from '../../core/log.js';
import type { Alert } from '../types.js';
import { notifyConfigSchema } from './config.js';
import { createNotifier, type Notifier } from './notifier.js';
import { startRecordingServer, type RecordingServer } from './test-servers.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const FAR = T0 + 24 * 3600_000;
const retry = { initialBackoffMs: 5, maxBackoffMs: 20, maxAttempts: 4 };
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function alert(name: string, component: string, copy: string, extra: Partial<Alert> = {}): Alert {
  return {
    fingerprint: `${name}/${component}/${copy}`,
    labels: { alertname: name, component, copy, severity: 'warning' },
    annotations: { summary: `${name} on ${component}/${copy}` },
    status: 'firing',
    startsAt: T0,
    endsAt: FAR,
    generatorUrl: `http://llmwatch.test/alerts?rule=${name}`,
    ...extra,
  };
}

const resolvedAt = (a: Alert, at: number): Alert => ({ ...a, status: 'resolved', endsAt: at });

interface Payload {
  status: string;
  alerts: { fingerprint: string; status: string }[];
  groupKey: string;
}
const bodies = (s: RecordingServer): Payload[] =>
  s.requests.map((r) => JSON.parse(r.body) as Payload);
const summary = (p: Payload) => [p.status, p.alerts.map((a) => `${a.fingerprint}:${a.status}`)];

async function setup(
  raw: Record<string, unknown>,
  opts: { dbPath?: string; clock?: { now: number } } = {},
): Promise<{ notifier: Notifier; clock: { now: number } }> {
  const clock = opts.clock ?? { now: T0 };
  const notifier = createNotifier({
    config: notifyConfigSchema.parse(raw),
    logger: createSilentLogger(),
    nowMs: () => clock.now,
    dbPath: opts.dbPath ?? ':memory:',
    retry,
  });
  cleanups.push(() => notifier.close());
  return { notifier, clock };
}

async function server(answer?: Parameters<typeof startRecordingServer>[0]) {
  const s = await startRecordingServer(answer);
  cleanups.push(() => s.close());
  return s;
}

const timing = { groupWaitSeconds: 30, groupIntervalSeconds: 300, repeatIntervalSeconds: 3600 };

test('group_wait batches, group_interval paces changes, repeat_interval re-sends, no change sends nothing', async () => {
  const hook = await server();
  const { notifier, clock } = await setup({
    route: { receiver: 'team', ...timing },
    receivers: [{ name: 'team', webhook: [{ url: hook.url }] }],
  });
  const a = alert('HighLatency', 'chat', 'a');
  const b = alert('HighLatency', 'chat', 'b', { startsAt: T0 + 10_000 });
  const c = alert('HighLatency', 'chat', 'c', { startsAt: T0 + 330_000 });
  const at = async (offsetMs: number, alerts: Alert[]) => {
    clock.now = T0 + offsetMs;
    await notifier.send(alerts);
    await notifier.flushDue();
  };

  await at(0, [a]);
  await at(10_000, [a, b]);
  await at(29_000, [a, b]);
  assert.equal(hook.requests.length, 0, 'nothing before group_wait');
  await at(30_000, [a, b]);
  assert.deepEqual(bodies(hook).map(summary), [
    ['firing', ['HighLatency/chat/a:firing', 'HighLatency/chat/b:firing']],
  ]);
  assert.equal(bodies(hook)[0]!.groupKey, '{}:{alertname="HighLatency", component="chat"}');

  await at(330_000, [a, b]);
  assert.equal(hook.requests.length, 1, 'unchanged group is not re-sent at group_interval');
  await at(331_000, [a, b, c]);
  await at(629_000, [a, b, c]);
  assert.equal(hook.requests.length, 1, 'a change waits for the next group_interval');
  await at(630_000, [a, b, c]);
  assert.equal(hook.requests.length, 2);
  assert.equal(bodies(hook)[1]!.alerts.length, 3);

  for (let t = 930_000; t < 630_000 + 3_600_000; t += 300_000) await at(t, [a, b, c]);
  assert.equal(hook.requests.length, 2, 'no re-send before repeat_interval');
  await at(630_000 + 3_600_000, [a, b, c]);
  assert.equal(hook.requests.length, 3, 'repeat_interval re-sends the unchanged group');
});

test('resolved notices: partial, then all resolved, then silence when resolved alerts are re-sent', async () => {
  const hook = await server();
  const { notifier, clock } = await setup({
    route: { receiver: 'team', ...timing },
    receivers: [{ name: 'team', webhook: [{ url: hook.url }] }],
  });
  const a = alert('QualityDrop', 'chat', 'a');
  const b = alert('QualityDrop', 'chat', 'b');
  const step = async (offsetMs: number, alerts: Alert[]) => {
    clock.now = T0 + offsetMs;
    await notifier.send(alerts);
    await notifier.flushDue();
  };
  await step(30_000, [a, b]);
  await step(200_000, [resolvedAt(a, T0 + 200_000), b]);
  await step(330_000, [resolvedAt(a, T0 + 200_000), b]);
  await step(400_000, [resolvedAt(a, T0 + 200_000), resolvedAt(b, T0 + 400_000)]);
  await step(630_000, [resolvedAt(a, T0 + 200_000), resolvedAt(b, T0 + 400_000)]);
  await step(930_000, [resolvedAt(a, T0 + 200_000), resolvedAt(b, T0 + 400_000)]);
  await step(1_230_000, [resolvedAt(a, T0 + 200_000), resolvedAt(b, T0 + 400_000)]);
  assert.deepEqual(bodies(hook).map(summary), [
    ['firing', ['QualityDrop/chat/a:firing', 'QualityDrop/chat/b:firing']],
    ['firing', ['QualityDrop/chat/b:firing', 'QualityDrop/chat/a:resolved']],
    ['resolved', ['QualityDrop/chat/a:resolved', 'QualityDrop/chat/b:resolved']],
  ]);
});

test('an alert that fires and resolves inside group_wait is never notified', async () => {
  const hook = await server();
  const { notifier, clock } = await setup({
    route: { receiver: 'team', ...timing },
    receivers: [{ name: 'team', webhook: [{ url: hook.url }] }],
  });
  const a = alert('Blip', 'chat', 'a');
  await notifier.send([a]);
  clock.now = T0 + 20_000;
  await notifier.send([resolvedAt(a, T0 + 20_000)]);
  clock.now = T0 + 30_000;
  await notifier.flushDue();
  assert.equal(hook.requests.length, 0);
});

test('sendResolved false: no resolved notices', async () => {
  const hook = await server();
  const { notifier, clock } = await setup({
    route: { receiver: 'team', ...timing },
    receivers: [{ name: 'team', webhook: [{ url: hook.url, sendResolved: false }] }],
  });
  const a = alert('X', 'chat', 'a');
  const b = alert('X', 'chat', 'b');
  clock.now = T0 + 30_000;
  await notifier.send([a, b]);
  await notifier.flushDue();
  clock.now = T0 + 330_000;
  await notifier.send([resolvedAt(a, T0 + 100_000), b]);
  await notifier.flushDue();
  clock.now = T0 + 630_000;
  await notifier.send([resolvedAt(a, T0 + 100_000), resolvedAt(b, T0 + 600_000)]);
  await notifier.flushDue();
  assert.deepEqual(bodies(hook).map(summary), [['firing', ['X/chat/a:firing', 'X/chat/b:firing']]]);
});

test('429 and 503 are retried until delivered; the delivery log records attempts', async () => {
  const codes = [429, 503, 200];
  const hook = await server((i) => ({ status: codes[i] ?? 200, body: 'x' }));
  const { notifier, clock } = await setup({
    route: { receiver: 'team', ...timing },
    receivers: [{ name: 'team', webhook: [{ url: hook.url }] }],
  });
  clock.now = T0 + 30_000;
  await notifier.send([alert('X', 'chat', 'a')]);
  await notifier.flushDue();
  assert.equal(hook.requests.length, 3);
  assert.equal(hook.requests[0]!.body, hook.requests[2]!.body);
  assert.deepEqual(
    notifier.deliveries().map((d) => [d.receiver, d.integration, d.status, d.attempts, d.outcome]),
    [['team', 'webhook/0', 'firing', 3, 'sent']],
  );
});

test('a dead receiver does not block the others and is retried at the next interval', async () => {
  const good = await server();
  const dead = await startRecordingServer();
  await dead.close();
  const other = await server();
  const { notifier, clock } = await setup({
    route: {
      receiver: 'team',
      ...timing,
      routes: [
        { matchers: ['component="chat"'], receiver: 'team', continue: true },
        { receiver: 'audit' },
      ],
    },
    receivers: [
      { name: 'team', webhook: [{ url: dead.url }, { url: good.url }] },
      { name: 'audit', webhook: [{ url: other.url }] },
    ],
  });
  clock.now = T0 + 30_000;
  await notifier.send([alert('X', 'chat', 'a')]);
  await notifier.flushDue();
  assert.equal(good.requests.length, 1);
  assert.equal(other.requests.length, 1);
  const failed = notifier.deliveries().filter((d) => d.outcome === 'failed');
  assert.deepEqual(
    failed.map((d) => [d.integration, d.attempts]),
    [['webhook/0', 4]],
  );
  assert.match(failed[0]!.error ?? '', /request to http:\/\/127\.0\.0\.1:\d+ failed/);

  clock.now = T0 + 330_000;
  await notifier.send([alert('X', 'chat', 'a')]);
  await notifier.flushDue();
  assert.equal(good.requests.length, 1, 'the delivered integration is not re-sent');
  assert.equal(notifier.deliveries().filter((d) => d.outcome === 'failed').length, 2);
});

test('routing: a component owner gets its pages; continue also reaches later routes', async () => {
  const root = await server();
  const chat = await server();
  const audit = await server();
  const { notifier, clock } = await setup({
    route: {
      receiver: 'root',
      ...timing,
      routes: [
        { matchers: ['component="chat"'], receiver: 'chat' },
        { matchers: ['severity=~"critical|page"'], receiver: 'audit', continue: true },
        { matchers: ['component=~"search.*"'], receiver: 'chat' },
      ],
    },
    receivers: [
      { name: 'root', webhook: [{ url: root.url }] },
      { name: 'chat', webhook: [{ url: chat.url }] },
      { name: 'audit', webhook: [{ url: audit.url }] },
    ],
  });
  clock.now = T0 + 30_000;
  const crit = alert('Down', 'search-eu', 'a');
  crit.labels = { ...crit.labels, severity: 'critical' };
  await notifier.send([alert('X', 'chat', 'a'), alert('X', 'embed', 'a'), crit]);
  await notifier.flushDue();
  const names = (s: RecordingServer) => bodies(s).map((p) => p.alerts.map((a) => a.fingerprint));
  assert.deepEqual(names(chat).sort(), [['Down/search-eu/a'], ['X/chat/a']]);
  assert.deepEqual(names(audit), [['Down/search-eu/a']]);
  assert.deepEqual(names(root), [['X/embed/a']]);
});

test('silences mute matching alerts; expiring one lets them through', async () => {
  const hook = await server();
  const { notifier, clock } = await setup({
    route: { receiver: 'team', ...timing },
    receivers: [{ name: 'team', webhook: [{ url: hook.url }] }],
  });
  const silence = notifier.silences.create({
    matchers: [{ name: 'copy', value: 'b|c', isRegex: true }],
    endsAt: T0 + 3_600_000,
    createdBy: 'ops',
    comment: 'maintenance of copies b and c',
  });
  const alerts = [alert('X', 'chat', 'a'), alert('X', 'chat', 'b')];
  clock.now = T0 + 30_000;
  await notifier.send(alerts);
  await notifier.flushDue();
  assert.deepEqual(bodies(hook).map(summary), [['firing', ['X/chat/a:firing']]]);

  assert.equal(notifier.silences.expire(silence.id)?.state, 'expired');
  clock.now = T0 + 330_000;
  await notifier.send(alerts);
  await notifier.flushDue();
  assert.deepEqual(bodies(hook).map(summary)[1], [
    'firing',
    ['X/chat/a:firing', 'X/chat/b:firing'],
  ]);
});

test('inhibition: a firing critical alert mutes warnings of the same component only', async () => {
  const hook = await server();
  const { notifier, clock } = await setup({
    route: { receiver: 'team', ...timing, groupBy: ['component'] },
    receivers: [{ name: 'team', webhook: [{ url: hook.url }] }],
    inhibitRules: [
      {
        sourceMatchers: ['severity="critical"'],
        targetMatchers: ['severity="warning"'],
        equal: ['component'],
      },
    ],
  });
  const down = alert('Down', 'chat', 'a');
  down.labels = { ...down.labels, severity: 'critical' };
  clock.now = T0 + 30_000;
  await notifier.send([down, alert('SlowTokens', 'chat', 'a'), alert('SlowTokens', 'search', 'a')]);
  await notifier.flushDue();
  const got = bodies(hook)
    .map((p) => p.alerts.map((a) => a.fingerprint).join(','))
    .sort();
  assert.deepEqual(got, ['Down/chat/a', 'SlowTokens/search/a']);
});

test('restart does not re-send what was already delivered; new alerts still go out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-notify-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'notify.db');
  const hook = await server();
  const raw = {
    route: { receiver: 'team', ...timing },
    receivers: [{ name: 'team', webhook: [{ url: hook.url }] }],
  };
  const clock = { now: T0 + 30_000 };
  const first = await setup(raw, { dbPath, clock });
  await first.notifier.send([alert('X', 'chat', 'a')]);
  await first.notifier.flushDue();
  await first.notifier.close();
  assert.equal(hook.requests.length, 1);

  clock.now = T0 + 90_000;
  const second = await setup(raw, { dbPath, clock });
  await second.notifier.send([alert('X', 'chat', 'a')]);
  await second.notifier.flushDue();
  assert.equal(hook.requests.length, 1, 'the old alert flushes at once but is de-duplicated');
  assert.equal(second.notifier.deliveries().length, 1, 'the delivery history survived');

  clock.now = T0 + 390_000;
  await second.notifier.send([alert('X', 'chat', 'a'), alert('X', 'chat', 'b')]);
  await second.notifier.flushDue();
  assert.deepEqual(bodies(hook).map(summary)[1], [
    'firing',
    ['X/chat/a:firing', 'X/chat/b:firing'],
  ]);
});

test('start() delivers in the background on the real clock and close() stops it', async () => {
  const hook = await server();
  const notifier = createNotifier({
    config: notifyConfigSchema.parse({
      route: { receiver: 'team', groupWaitSeconds: 0 },
      receivers: [{ name: 'team', webhook: [{ url: hook.url }] }],
    }),
    logger: createSilentLogger(),
    dbPath: ':memory:',
    tickMs: 10,
    retry,
  });
  notifier.start();
  await notifier.send([
    alert('X', 'chat', 'a', { startsAt: Date.now(), endsAt: Date.now() + 60_000 }),
  ]);
  for (let i = 0; i < 200 && hook.requests.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(
    notifier.deliveries().map((d) => d.outcome),
    ['sent'],
  );
  await notifier.close();
  assert.equal(hook.requests.length, 1);
});
