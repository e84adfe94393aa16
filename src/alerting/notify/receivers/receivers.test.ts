import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  emailConfigSchema,
  pagerdutyConfigSchema,
  slackConfigSchema,
  snsConfigSchema,
  webhookConfigSchema,
} from '../config.js';
import { buildNotificationData } from '../payload.js';
import { startRecordingServer, startSmtpServer } from '../test-servers.js';
import type { Alert } from '../../types.js';
import { createEmailIntegration } from './email.js';
import { createPagerdutyIntegration } from './pagerduty.js';
import { createSlackIntegration } from './slack.js';
import { createSnsIntegration } from './sns.js';
import { DeliveryError } from './types.js';
import { createWebhookIntegration } from './webhook.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

const alertA: Alert = {
  fingerprint: 'fa',
  labels: { alertname: 'HighLatency', component: 'chat', severity: 'critical', copy: 'a' },
  annotations: { summary: 'p95 latency 2.5s on chat/a' },
  status: 'firing',
  startsAt: T0,
  endsAt: T0 + 240_000,
  value: 2.5,
  generatorUrl: 'http://llmwatch.test/alerts?rule=HighLatency',
};
const alertB: Alert = {
  ...alertA,
  fingerprint: 'fb',
  labels: { ...alertA.labels, copy: 'b' },
  annotations: { summary: 'p95 latency 3s on chat/b' },
  status: 'resolved',
  endsAt: T0 + 30_000,
};

const data = buildNotificationData({
  receiver: 'chat-team',
  groupKey: '{}:{alertname="HighLatency", component="chat"}',
  groupLabels: { alertname: 'HighLatency', component: 'chat' },
  externalUrl: 'http://llmwatch.test',
  alerts: [alertB, alertA],
  nowMs: T0 + 60_000,
});
const signal = () => AbortSignal.timeout(5000);

const servers: { close(): Promise<void> }[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

test('webhook sends the Alertmanager v4 payload exactly', async () => {
  const server = await startRecordingServer();
  servers.push(server);
  const webhook = createWebhookIntegration(
    'webhook/0',
    webhookConfigSchema.parse({ url: `${server.url}/hook` }),
  );
  await webhook.notify(data, signal());
  assert.equal(server.requests.length, 1);
  const req = server.requests[0]!;
  assert.equal(req.path, '/hook');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers['idempotency-key'], `${data.groupKeyHash}:firing:2`);
  assert.deepEqual(JSON.parse(req.body), {
    receiver: 'chat-team',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: alertA.labels,
        annotations: alertA.annotations,
        startsAt: '2024-05-01T12:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://llmwatch.test/alerts?rule=HighLatency',
        fingerprint: 'fa',
      },
      {
        status: 'resolved',
        labels: alertB.labels,
        annotations: alertB.annotations,
        startsAt: '2024-05-01T12:00:00.000Z',
        endsAt: '2024-05-01T12:00:30.000Z',
        generatorURL: 'http://llmwatch.test/alerts?rule=HighLatency',
        fingerprint: 'fb',
      },
    ],
    groupLabels: { alertname: 'HighLatency', component: 'chat' },
    commonLabels: { alertname: 'HighLatency', component: 'chat', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://llmwatch.test',
    version: '4',
    groupKey: '{}:{alertname="HighLatency", component="chat"}',
    truncatedAlerts: 0,
  });
});

test('webhook truncates to maxAlerts and counts the rest', async () => {
  const server = await startRecordingServer();
  servers.push(server);
  const webhook = createWebhookIntegration(
    'webhook/0',
    webhookConfigSchema.parse({ url: server.url, maxAlerts: 1 }),
  );
  await webhook.notify(data, signal());
  const body = JSON.parse(server.requests[0]!.body) as {
    alerts: unknown[];
    truncatedAlerts: number;
  };
  assert.equal(body.alerts.length, 1);
  assert.equal(body.truncatedAlerts, 1);
});

test('HTTP failures are classified: 429 and 5xx retryable with Retry-After, 400 not', async () => {
  const codes = [429, 503, 400];
  const server = await startRecordingServer((i) => ({
    status: codes[i]!,
    headers: i === 0 ? { 'retry-after': '7' } : ({} as Record<string, string>),
    body: 'nope',
  }));
  servers.push(server);
  const webhook = createWebhookIntegration(
    'webhook/0',
    webhookConfigSchema.parse({ url: server.url }),
  );
  const errors: DeliveryError[] = [];
  for (let i = 0; i < 3; i++) {
    await webhook.notify(data, signal()).catch((err: DeliveryError) => errors.push(err));
  }
  assert.deepEqual(
    errors.map((e) => [e.retryable, e.retryAfterMs]),
    [
      [true, 7000],
      [true, undefined],
      [false, undefined],
    ],
  );
  assert.match(errors[2]!.message, /answered HTTP 400: nope/);
});

test('a receiver that is down gives a retryable error', async () => {
  const server = await startRecordingServer();
  await server.close();
  const webhook = createWebhookIntegration(
    'webhook/0',
    webhookConfigSchema.parse({ url: server.url }),
  );
  await assert.rejects(webhook.notify(data, signal()), (err: DeliveryError) => {
    assert.equal(err.retryable, true);
    assert.equal(err.code, 'notify_delivery_failed');
    return true;
  });
});

test('slack sends text and blocks with a link to the panel', async () => {
  const server = await startRecordingServer();
  servers.push(server);
  const slack = createSlackIntegration(
    'slack/0',
    slackConfigSchema.parse({ url: `${server.url}/services/T/B/X` }),
  );
  await slack.notify(data, signal());
  assert.deepEqual(JSON.parse(server.requests[0]!.body), {
    text: '[FIRING:1] HighLatency component=chat',
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*[FIRING:1] HighLatency component=chat*' },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':red_circle: p95 latency 2.5s on chat/a\n:white_check_mark: p95 latency 3s on chat/b',
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: '<http://llmwatch.test/alerts?rule=HighLatency|Open in llmwatch>',
          },
        ],
      },
    ],
  });
});

test('pagerduty triggers and resolves the same incident via dedup_key', async () => {
  const server = await startRecordingServer(() => ({ status: 202, body: '{"status":"success"}' }));
  servers.push(server);
  const cfg = pagerdutyConfigSchema.parse({
    routingKey: 'k'.repeat(32),
    url: `${server.url}/v2/enqueue`,
  });
  const pd = createPagerdutyIntegration('pagerduty/0', cfg);
  await pd.notify(data, signal());
  const resolved = buildNotificationData({
    receiver: 'chat-team',
    groupKey: data.groupKey,
    groupLabels: data.groupLabels,
    externalUrl: data.externalUrl,
    alerts: [alertB],
    nowMs: T0 + 60_000,
  });
  await pd.notify(resolved, signal());
  assert.equal(server.requests[0]!.path, '/v2/enqueue');
  assert.deepEqual(JSON.parse(server.requests[0]!.body), {
    routing_key: 'k'.repeat(32),
    event_action: 'trigger',
    dedup_key: data.groupKeyHash,
    payload: {
      summary: '[FIRING:1] HighLatency component=chat',
      source: 'llmwatch',
      severity: 'critical',
      component: 'chat',
      custom_details: {
        firing: [{ labels: alertA.labels, annotations: alertA.annotations }],
        num_firing: 1,
        num_resolved: 1,
      },
    },
    client: 'llmwatch',
    client_url: 'http://llmwatch.test',
  });
  assert.deepEqual(JSON.parse(server.requests[1]!.body), {
    routing_key: 'k'.repeat(32),
    event_action: 'resolve',
    dedup_key: data.groupKeyHash,
  });
  assert.equal(data.groupKeyHash.length, 64);
});

test('sns publishes Subject and Message to the topic through the AWS SDK', async () => {
  const server = await startRecordingServer(() => ({
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body:
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
      '<MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId>' +
      '</ResponseMetadata></PublishResponse>',
  }));
  servers.push(server);
  const cfg = snsConfigSchema.parse({
    topicArn: 'arn:aws:sns:eu-west-1:123456789012:llm-alerts',
    region: 'eu-west-1',
    endpoint: server.url,
    accessKeyId: 'AKIDTEST',
    secretAccessKey: 'secret-test',
  });
  await createSnsIntegration('sns/0', cfg).notify(data, signal());
  const req = server.requests[0]!;
  const form = new URLSearchParams(req.body);
  assert.equal(form.get('Action'), 'Publish');
  assert.equal(form.get('Version'), '2010-03-31');
  assert.equal(form.get('TopicArn'), 'arn:aws:sns:eu-west-1:123456789012:llm-alerts');
  assert.equal(form.get('Subject'), '[FIRING:1] HighLatency component=chat');
  const message = form.get('Message') ?? '';
  assert.equal(message.split('\n')[0], '[FIRING:1] HighLatency component=chat');
  assert.match(message, /- FIRING: p95 latency 2.5s on chat\/a/);
  assert.match(message, /- RESOLVED: p95 latency 3s on chat\/b/);
  assert.match(
    String(req.headers.authorization),
    /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/sns\/aws4_request/,
  );
});

test('sns 500 is retryable, 400 is not', async () => {
  const codes = [500, 400];
  const server = await startRecordingServer((i) => ({
    status: codes[i]!,
    headers: { 'content-type': 'text/xml' },
    body: '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>bad</Message></Error><RequestId>r</RequestId></ErrorResponse>',
  }));
  servers.push(server);
  const sns = createSnsIntegration(
    'sns/0',
    snsConfigSchema.parse({
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
      region: 'eu-west-1',
      endpoint: server.url,
      accessKeyId: 'AKIDTEST',
      secretAccessKey: 'secret-test',
    }),
  );
  const flags: boolean[] = [];
  for (let i = 0; i < 2; i++) {
    await sns.notify(data, signal()).catch((err: DeliveryError) => flags.push(err.retryable));
  }
  assert.deepEqual(flags, [true, false]);
  assert.equal(server.requests.length, 2);
});

test('email goes out over SMTP to a local server; 451 retryable, 550 not', async () => {
  const replies = ['250 OK', '451 try later', '550 no such user'];
  const smtp = await startSmtpServer((i) => replies[i]!);
  servers.push(smtp);
  const email = createEmailIntegration(
    'email/0',
    emailConfigSchema.parse({
      to: ['oncall@example.test'],
      from: 'llmwatch@example.test',
      host: '127.0.0.1',
      port: smtp.port,
      requireTls: false,
    }),
  );
  await email.notify(data, signal());
  assert.equal(smtp.messages.length, 1);
  const msg = smtp.messages[0]!;
  assert.equal(msg.from, 'llmwatch@example.test');
  assert.deepEqual(msg.to, ['oncall@example.test']);
  assert.match(msg.data, /^Subject: \[FIRING:1\] HighLatency component=chat$/m);
  assert.match(msg.data, /- FIRING: p95 latency 2\.5s on chat\/a/);
  const flags: boolean[] = [];
  for (let i = 0; i < 2; i++) {
    await email.notify(data, signal()).catch((err: DeliveryError) => flags.push(err.retryable));
  }
  assert.deepEqual(flags, [true, false]);
  assert.equal(smtp.messages.length, 1);
});
