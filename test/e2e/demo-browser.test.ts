/**
 * The main job, end to end: the demo (simulated vLLM copies plus the real tiny model through
 * node-llama-cpp) replays slices of the real Azure traces through the gateway, and the quantity
 * dashboard, opened in real Chromium, draws every panel with data. Screenshots are saved to
 * test-artifacts/ and linked from the README.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Page } from 'playwright-core';
import { createSilentLogger } from '../../src/core/log.js';
import { runDemo, type DemoRun } from '../../src/demo/run.js';
import { launchBrowser, type LaunchedBrowser } from './browser.js';

const artifacts = 'test-artifacts/demo';
const requestsPerTrace = 300;
let dir: string;
let demo: DemoRun;
let browser: LaunchedBrowser;
let startedAt: Date;
const progress: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llmwatch-demo-'));
  startedAt = new Date();
  mkdirSync(artifacts, { recursive: true });
  const out = new Writable({
    write(chunk, _encoding, done) {
      progress.push(String(chunk));
      done();
    },
  });
  demo = await runDemo(
    {
      port: 0,
      speedup: 10,
      limit: requestsPerTrace,
      storePath: join(dir, 'demo.db'),
      withLlama: true,
      keepServing: true,
    },
    createSilentLogger(),
    out,
  );
  browser = await launchBrowser({ viewport: { width: 1400, height: 1800 } });
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for every panel to settle; returns "state/seriesCount" per panel id. */
async function panelStates(page: Page): Promise<Record<string, string>> {
  await page.waitForFunction(
    () => {
      const panels = [...document.querySelectorAll<HTMLElement>('[data-panel-id]')];
      return panels.length > 0 && panels.every((p) => p.dataset.state !== 'loading');
    },
    undefined,
    { timeout: 30_000 },
  );
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const p of document.querySelectorAll<HTMLElement>('[data-panel-id]')) {
      out[p.dataset.panelId ?? '?'] =
        `${p.dataset.state}/${p.dataset.seriesCount ?? p.dataset.rowCount}`;
    }
    return out;
  });
}

/** Counts strongly coloured pixels (series lines, not grey grid or text) in a panel's canvas. */
function colouredPixels(page: Page, panelId: string): Promise<number> {
  return page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-panel-id="${id}"] canvas`);
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return -1;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const max = Math.max(data[i]!, data[i + 1]!, data[i + 2]!);
      const min = Math.min(data[i]!, data[i + 1]!, data[i + 2]!);
      if (data[i + 3]! > 150 && max - min > 60) count++;
    }
    return count;
  }, panelId);
}

test('the demo replays both real traces through the gateway without failures', () => {
  for (const name of ['code', 'conv']) {
    const report = demo.reports[name]!;
    assert.equal(report.sent, requestsPerTrace, `${name} sent`);
    assert.equal(report.failed, 0, `${name} failed: ${JSON.stringify(report.failedByStatus)}`);
  }
  assert.ok(
    progress.some((line) => /\[code\] \d+\/300 done/.test(line)),
    'progress is shown',
  );
});

test('the real tiny model served part of the conv traffic', async () => {
  const res = await fetch(`${demo.server.url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({
      query: 'sum by (copy) (llm_requests_total{source="gateway",component="conv"})',
    }),
  });
  const body = (await res.json()) as {
    data: { result: { metric: { copy: string }; value: [number, string] }[] };
  };
  const byCopy = Object.fromEntries(
    body.data.result.map((r) => [r.metric.copy, Number(r.value[1])]),
  );
  assert.ok((byCopy['llama-0'] ?? 0) >= 1, `llama-0 served ${byCopy['llama-0']}`);
  assert.equal(
    Object.values(byCopy).reduce((a, b) => a + b, 0),
    requestsPerTrace,
    JSON.stringify(byCopy),
  );
});

test('every quantity panel has data in Chromium, and the charts are drawn', async () => {
  await demo.server.scraper.scrapeOnce();
  await demo.server.flush();
  const page = await browser.newPage();
  const from = new Date(startedAt.getTime() - 2000).toISOString();
  const to = new Date(Date.now() + 2000).toISOString();
  await page.goto(`${demo.server.url}/?from=${from}&to=${to}`);
  const states = await panelStates(page);
  await page.screenshot({ path: `${artifacts}/quantity.png`, fullPage: true });
  // The simulated GPU host (stand-in nvidia-smi + the real agent) fills the GPU and cost panels.
  const expectedSeries: Record<string, string> = {
    'gpu-compute': 'ready/2',
    'gpu-memory': 'ready/2',
    gpus: 'ready/4', // used, free, allocated code, allocated conv
    instances: 'ready/3', // all hosts, code, conv
    cost: 'ready/2',
    'cost-per-1k-tokens': 'ready/2',
  };
  for (const [id, state] of Object.entries(expectedSeries)) assert.equal(states[id], state, id);
  for (const [id, state] of Object.entries(states)) {
    if (id === 'error-rate') continue; // no errors in this replay
    const [kind, count] = state.split('/');
    assert.equal(kind, 'ready', `${id}: ${state}`);
    assert.ok(Number(count) >= 1, `${id}: ${state}`);
  }
  for (const id of ['invocations', 'latency', 'tokens', 'kv-cache', 'gpu-compute', 'cost']) {
    const pixels = await colouredPixels(page, id);
    assert.ok(pixels > 100, `${id} chart has ${pixels} coloured pixels`);
  }
});

/** Instant query through the server's Prometheus API: label value of `by` → number. */
async function instant(query: string, by: string): Promise<Record<string, number>> {
  const res = await fetch(`${demo.server.url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query }),
  });
  const body = (await res.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return Object.fromEntries(body.data.result.map((r) => [r.metric[by] ?? '', Number(r.value[1])]));
}

test('the simulated host is attributed and priced: 7 of 8 GPUs used, $12.29/h each', async () => {
  assert.ok(
    progress.some((line) => line.startsWith('GPUs are simulated: host demo-gpu-host')),
    'the demo says GPUs are simulated',
  );
  assert.deepEqual(await instant('sum by (component) (gpu_allocated)', 'component'), {
    code: 4,
    conv: 3,
  });
  assert.deepEqual(await instant('gpu_free', 'gpu'), { '7': 1 });
  assert.deepEqual(await instant('sum(llm_gpus_used)', ''), { '': 7 });
  assert.deepEqual(await instant('sum(llm_gpus_free)', ''), { '': 1 });
  // p5.48xlarge: $98.32/h for 8 GPUs = $12.29 per GPU and hour.
  const cost = await instant('sum by (component) (llm_cost_dollars_per_hour)', 'component');
  assert.deepEqual(Object.keys(cost).sort(), ['code', 'conv']);
  assert.ok(Math.abs(cost.code! - 4 * 12.29) < 1e-9, `code costs ${cost.code}`);
  assert.ok(Math.abs(cost.conv! - 3 * 12.29) < 1e-9, `conv costs ${cost.conv}`);
  // The GPUs follow traffic: over the replay some copy's GPUs were busy, the free GPU never.
  const busiest = await instant('max by (gpu) (max_over_time(gpu_utilization_ratio[15m]))', 'gpu');
  assert.equal(busiest['7'], 0);
  assert.ok(Math.max(busiest['0']!, busiest['4']!) > 0.1, JSON.stringify(busiest));
});

test('a shared URL with a component filter shows the same view', async () => {
  const page = await browser.newPage();
  await page.goto(`${demo.server.url}/?range=15m&component=code`);
  const states = await panelStates(page);
  assert.equal(states['invocations-per-copy'], 'ready/2');
  await page.screenshot({ path: `${artifacts}/quantity-code.png`, fullPage: true });
});

test('every built-in page renders the demo data without a panel error', async () => {
  await demo.server.flush();
  const from = new Date(startedAt.getTime() - 2000).toISOString();
  const to = new Date(Date.now() + 2000).toISOString();
  for (const id of ['overview', 'compare', 'capacity', 'quality', 'samples', 'alerts']) {
    const page = await browser.newPage();
    await page.goto(`${demo.server.url}/d/${id}?from=${from}&to=${to}`);
    const states = await panelStates(page);
    await page.screenshot({ path: `${artifacts}/${id}.png`, fullPage: true });
    const errors = Object.entries(states).filter(([, state]) => state.startsWith('error'));
    assert.deepEqual(errors, [], `${id}: ${JSON.stringify(states)}`);
    assert.ok(Object.keys(states).length > 0, `${id} has panels`);
    if (id === 'samples') {
      // Sampled demo traffic was scored by the deterministic evaluators: the table has rows.
      assert.match(states['lowest-scores'] ?? '', /^ready\/[1-9]/, JSON.stringify(states));
    }
    if (id === 'quality') assert.match(states.deterministic ?? '', /^ready\/[1-9]/);
    await page.close();
  }
});
