import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createSilentLogger } from '../../../core/log.js';
import type { Alert } from '../../types.js';
import { alertmanagerTargetSchema } from '../config.js';
import { startRecordingServer } from '../test-servers.js';
import { createAlertmanagerPusher } from './alertmanager.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const a: Alert = {
  fingerprint: 'f1',
  labels: { alertname: 'Down', component: 'chat' },
  annotations: { summary: 'chat is down' },
  status: 'firing',
  startsAt: T0,
  endsAt: T0 + 240_000,
  generatorUrl: 'http://llmwatch.test/x',
};

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

test('pushes postable alerts; re-sends only after the resend delay or on a change', async () => {
  const answers = [200, 200, 500, 200];
  const server = await startRecordingServer((i) => ({ status: answers[i] ?? 200 }));
  closers.push(server.close);
  const outcomes: boolean[] = [];
  const pusher = createAlertmanagerPusher(
    alertmanagerTargetSchema.parse({ url: `${server.url}/`, resendDelaySeconds: 60 }),
    createSilentLogger(),
    (ok) => outcomes.push(ok),
  );
  await pusher.push([a], T0);
  await pusher.push([a], T0 + 30_000);
  await pusher.push([a], T0 + 60_000);
  const resolved = { ...a, status: 'resolved' as const, endsAt: T0 + 70_000 };
  await pusher.push([resolved], T0 + 70_000);
  await pusher.push([resolved], T0 + 80_000);
  assert.deepEqual(outcomes, [true, true, false, true]);
  assert.equal(server.requests[0]!.path, '/api/v2/alerts');
  assert.deepEqual(JSON.parse(server.requests[0]!.body), [
    {
      labels: { alertname: 'Down', component: 'chat' },
      annotations: { summary: 'chat is down' },
      startsAt: '2024-05-01T12:00:00.000Z',
      endsAt: '2024-05-01T12:04:00.000Z',
      generatorURL: 'http://llmwatch.test/x',
    },
  ]);
  assert.equal(
    (JSON.parse(server.requests[3]!.body) as { endsAt: string }[])[0]!.endsAt,
    '2024-05-01T12:01:10.000Z',
  );
});
