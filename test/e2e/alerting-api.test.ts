import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  alertingConfigSchema,
  createAlertEngine,
  createAlertsApiHandler,
} from '../../src/alerting/index.js';
import { createSilentLogger } from '../../src/core/log.js';
import { createMemoryStore, createPromqlEngine } from '../../src/promql/index.js';

test('alerts and history over HTTP, from real PromQL over stored series', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-alerting-e2e-'));
  const file = join(dir, 'rules.yaml');
  writeFileSync(
    file,
    `groups:
  - name: kv
    interval: 1m
    rules:
      - alert: KvCacheFull
        expr: max by (component) (llm_kv_cache_usage_ratio)
        threshold: { op: above, value: 0.9 }
        for: 1m
        annotations: { summary: '{{ $labels.component }} at {{ humanizePercentage $value }}' }
`,
  );
  const store = createMemoryStore();
  const t0 = 1_700_000_000_000;
  await store.append(
    [0, 1, 2].map((m) => ({
      labels: { __name__: 'llm_kv_cache_usage_ratio', component: 'qwen', copy: 'c0' },
      timestampMs: t0 + m * 60_000,
      value: 0.95,
    })),
  );
  const alerting = createAlertEngine({
    config: alertingConfigSchema.parse({
      ruleFiles: [file],
      defaultRules: false,
      reloadCheckSeconds: 0,
    }),
    engine: createPromqlEngine(store),
    sink: { send: async () => undefined },
    logger: createSilentLogger(),
    dbPath: join(dir, 'alerting.db'),
  });
  await alerting.evaluateOnce(t0);
  await alerting.evaluateOnce(t0 + 60_000);

  const handler = createAlertsApiHandler(alerting);
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const alerts = (await (await fetch(`${base}/api/llmwatch/alerts`)).json()) as {
      alerts: Array<Record<string, unknown>>;
    };
    assert.deepEqual(alerts.alerts, [
      {
        rule: 'KvCacheFull',
        group: 'kv',
        state: 'firing',
        labels: { component: 'qwen', alertname: 'KvCacheFull' },
        annotations: { summary: 'qwen at 95%' },
        value: 0.95,
        activeAt: t0,
        firingAt: t0 + 60_000,
        component: 'qwen',
        generatorUrl:
          'http://127.0.0.1:9400/graph?g0.expr=max%20by%20(component)%20(llm_kv_cache_usage_ratio)&g0.tab=1',
      },
    ]);
    const history = await fetch(
      `${base}/api/llmwatch/alerts/history?rule=KvCacheFull&component=qwen&start=${t0 / 1000 + 30}`,
    );
    assert.deepEqual(await history.json(), {
      transitions: [
        {
          rule: 'KvCacheFull',
          group: 'kv',
          labels: { component: 'qwen' },
          from: 'pending',
          to: 'firing',
          at: t0 + 60_000,
          value: 0.95,
        },
      ],
    });
    const bad = await fetch(`${base}/api/llmwatch/alerts/history?start=yesterday`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /start must be RFC 3339/);
    assert.equal((await fetch(`${base}/other`)).status, 404);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await alerting.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
