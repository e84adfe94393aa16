/**
 * End to end with a real Prometheus Alertmanager 0.25: llmwatch pushes alerts the way
 * Prometheus does (POST /api/v2/alerts, firing alerts re-sent with endsAt ahead), Alertmanager
 * groups them and delivers to a local webhook; the delivered payload is checked exactly, and its
 * shape is compared with llmwatch's own webhook payload.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSilentLogger } from '../../src/core/log.js';
import type { Alert } from '../../src/alerting/types.js';
import { notifyConfigSchema } from '../../src/alerting/notify/config.js';
import { createNotifier, type Notifier } from '../../src/alerting/notify/notifier.js';
import { buildNotificationData, toWebhookPayload } from '../../src/alerting/notify/payload.js';
import {
  startRecordingServer,
  type RecordingServer,
} from '../../src/alerting/notify/test-servers.js';
import { startAlertmanager, type AlertmanagerServer } from '../support/alertmanager.js';

let hook: RecordingServer;
let am: AlertmanagerServer;
let notifier: Notifier;

before(async () => {
  hook = await startRecordingServer();
  // Alertmanager flushes a new group at once when its first alert started more than group_wait
  // ago, which could race the second alert of the same push; alerts here start "now" instead.
  am = await startAlertmanager({ webhookUrl: `${hook.url}/am`, groupWait: '2s' });
  notifier = createNotifier({
    config: notifyConfigSchema.parse({ alertmanagers: [{ url: am.url, resendDelaySeconds: 60 }] }),
    logger: createSilentLogger(),
    dbPath: ':memory:',
  });
});

after(async () => {
  await notifier?.close();
  await am?.close();
  await hook?.close();
});

interface AmAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}
interface AmPayload {
  status: string;
  receiver: string;
  alerts: AmAlert[];
  [key: string]: unknown;
}

async function waitForDeliveries(count: number, timeoutMs = 20_000): Promise<AmPayload[]> {
  const deadline = Date.now() + timeoutMs;
  while (hook.requests.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(
    hook.requests.length >= count,
    `expected ${count} webhook deliveries from Alertmanager, got ${hook.requests.length}; log: ${am.logTail()}`,
  );
  return hook.requests.map((r) => JSON.parse(r.body) as AmPayload);
}

test('Alertmanager groups pushed alerts and delivers them, then the resolve', async () => {
  const startsAt = Math.floor(Date.now() / 1000) * 1000;
  const startsIso = new Date(startsAt).toISOString().replace('.000Z', 'Z');
  const mk = (copy: string): Alert => ({
    fingerprint: `HighLatency/chat/${copy}`,
    labels: { alertname: 'HighLatency', component: 'chat', copy, severity: 'warning' },
    annotations: { summary: `slow copy ${copy}` },
    status: 'firing',
    startsAt,
    endsAt: Date.now() + 240_000,
    generatorUrl: 'http://llmwatch.test/alerts?rule=HighLatency',
  });
  await notifier.send([mk('a'), mk('b')]);

  const [first] = await waitForDeliveries(1);
  assert.ok(first);
  first.alerts.sort((x, y) => (x.labels.copy ?? '').localeCompare(y.labels.copy ?? ''));
  for (const a of first.alerts) assert.match(a.fingerprint, /^[0-9a-f]{16}$/);
  assert.deepEqual(
    { ...first, alerts: first.alerts.map((a) => ({ ...a, fingerprint: '' })) },
    {
      receiver: 'hook',
      status: 'firing',
      alerts: ['a', 'b'].map((copy) => ({
        status: 'firing',
        labels: { alertname: 'HighLatency', component: 'chat', copy, severity: 'warning' },
        annotations: { summary: `slow copy ${copy}` },
        startsAt: startsIso,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://llmwatch.test/alerts?rule=HighLatency',
        fingerprint: '',
      })),
      groupLabels: { alertname: 'HighLatency', component: 'chat' },
      commonLabels: { alertname: 'HighLatency', component: 'chat', severity: 'warning' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.test',
      version: '4',
      groupKey: '{}:{alertname="HighLatency", component="chat"}',
      truncatedAlerts: 0,
    },
  );

  // llmwatch's own webhook payload has the same fields and the same group key format.
  const ours = toWebhookPayload(
    buildNotificationData({
      receiver: 'hook',
      groupKey: '{}:{alertname="HighLatency", component="chat"}',
      groupLabels: { alertname: 'HighLatency', component: 'chat' },
      externalUrl: '',
      alerts: [mk('a')],
      nowMs: Date.now(),
    }),
    0,
  );
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(first).sort());
  assert.deepEqual(Object.keys(ours.alerts[0]!).sort(), Object.keys(first.alerts[0]!).sort());
  assert.equal(ours.alerts[0]!.endsAt, first.alerts[0]!.endsAt);

  const resolvedAtMs = Math.floor(Date.now() / 1000) * 1000;
  await notifier.send([mk('a'), { ...mk('b'), status: 'resolved', endsAt: resolvedAtMs }]);
  const payloads = await waitForDeliveries(2);
  const second = payloads[1]!;
  const byCopy = Object.fromEntries(second.alerts.map((a) => [a.labels.copy, a]));
  assert.equal(second.status, 'firing');
  assert.equal(byCopy.a?.status, 'firing');
  assert.equal(byCopy.b?.status, 'resolved');
  assert.equal(byCopy.b?.endsAt, new Date(resolvedAtMs).toISOString().replace('.000Z', 'Z'));
});
