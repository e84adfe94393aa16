// Browser test of the Quantity dashboard page in real Chromium. The query API here is a small
// fake that answers in Prometheus's JSON format from the query text; the real PromQL engine and
// query API are tested in their own folders. This test checks the page: what it asks for, what
// it draws, and how it keeps its state in the URL.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import {
  launchBrowser,
  resolveChromiumPath,
  type LaunchedBrowser,
} from '../../test/e2e/browser.js';
import { createSilentLogger } from '../core/log.js';
import { createDashboardHandler } from './serve.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboards/', import.meta.url));
const COMPONENTS = [
  { name: 'chat-a', endpoint: 'default', models: ['qwen'], copies: ['c1', 'c2'] },
  { name: 'code.b', endpoint: 'default', models: ['llama'], copies: ['c1', 'c2'] },
];
const TTFT_ERROR = 'fake: ttft histogram unavailable';

interface RecordedQuery {
  query: string;
  start: number;
  end: number;
  step: number;
}

/** Reads a PromQL double-quoted string's content back into the regex it holds. */
function componentFilter(query: string): RegExp {
  const match = /component=~"((?:[^"\\]|\\.)*)"/.exec(query);
  const regex = (match?.[1] ?? '.*').replace(/\\(.)/g, '$1');
  return new RegExp(`^(?:${regex})$`);
}

/** The fake's answer: one series per component (or per copy), values from a fixed formula. */
function fakeMatrix(q: RecordedQuery): { metric: Record<string, string>; values: unknown[] }[] {
  if (q.query.includes('llm_kv_cache_usage_ratio')) return [];
  const filter = componentFilter(q.query);
  const perCopy = q.query.includes('by (component, copy)');
  const result = [];
  for (const [index, component] of COMPONENTS.entries()) {
    if (!filter.test(component.name)) continue;
    for (const copy of perCopy ? component.copies : [null]) {
      const values = [];
      for (let t = q.start, n = 0; t <= q.end && n < 11_000; t += q.step, n++) {
        values.push([t, String((index + 1) * (2 + Math.sin(t / 300)))]);
      }
      const metric: Record<string, string> = { component: component.name };
      if (copy !== null) metric.copy = copy;
      result.push({ metric, values });
    }
  }
  return result;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  if (req.method !== 'POST') return url.searchParams;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Starts the page's server with the fake API on 127.0.0.1:0; records every range query. */
async function startFakeServer(recorded: RecordedQuery[]): Promise<Server> {
  const dashboards = createDashboardHandler({ logger: createSilentLogger() });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/llmwatch/components')
      return sendJson(res, 200, { components: COMPONENTS });
    if (url.pathname === '/api/llmwatch/annotations')
      return sendJson(res, 200, { annotations: [] });
    if (url.pathname === '/api/llmwatch/alerts/history')
      return sendJson(res, 200, { transitions: [] });
    if (url.pathname === '/api/v1/query_range') {
      void readForm(req, url).then((form) => {
        const q = {
          query: form.get('query') ?? '',
          start: Number(form.get('start')),
          end: Number(form.get('end')),
          step: Number(form.get('step')),
        };
        recorded.push(q);
        if (!(q.step > 0) || !(q.end >= q.start)) {
          return sendJson(res, 400, {
            status: 'error',
            errorType: 'bad_data',
            error: 'bad window',
          });
        }
        if (q.query.includes('llm_time_to_first_token_seconds')) {
          return sendJson(res, 422, { status: 'error', errorType: 'execution', error: TTFT_ERROR });
        }
        sendJson(res, 200, {
          status: 'success',
          data: { resultType: 'matrix', result: fakeMatrix(q) },
        });
      });
      return;
    }
    if (!dashboards(req, res)) sendJson(res, 404, { status: 'error', error: 'no route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Waits until all fourteen panels have rendered, then returns "state/seriesCount" per panel id. */
async function panelStates(page: Page): Promise<Record<string, string>> {
  await page.waitForFunction(() => {
    const panels = [...document.querySelectorAll<HTMLElement>('[data-panel-id]')];
    return panels.length === 14 && panels.every((p) => p.dataset.state !== 'loading');
  });
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const p of document.querySelectorAll<HTMLElement>('[data-panel-id]')) {
      out[p.dataset.panelId ?? '?'] = `${p.dataset.state}/${p.dataset.seriesCount}`;
    }
    return out;
  });
}

/** Counts canvas pixels drawn in `rgb` (within a small tolerance) in one panel's chart. */
function countColouredPixels(
  page: Page,
  panelId: string,
  rgb: [number, number, number],
): Promise<number> {
  return page.evaluate(
    ([id, [r, g, b]]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-panel-id="${id}"] canvas`);
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return -1;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const near =
          Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b);
        if (data[i + 3]! > 200 && near < 40) count++;
      }
      return count;
    },
    [panelId, rgb] as const,
  );
}

function lastQuery(recorded: RecordedQuery[], metric: string): RecordedQuery {
  const found = recorded.filter(
    (q) => q.query.includes(metric) && q.query.includes('by (component)'),
  );
  assert.ok(found.length > 0, `no query for ${metric}`);
  return found[found.length - 1]!;
}

const ALL = {
  invocations: 'ready/2',
  'invocations-per-copy': 'ready/4',
  latency: 'ready/6',
  ttft: 'error/0',
  tokens: 'ready/4',
  'error-rate': 'ready/2',
  queue: 'ready/6',
  'kv-cache': 'empty/0',
  'gpu-compute': 'ready/2',
  'gpu-memory': 'ready/2',
  gpus: 'ready/6',
  instances: 'ready/4',
  cost: 'ready/2',
  'cost-per-1k-tokens': 'ready/2',
};
// The fake answers a query without a component matcher (the cluster-wide GPU and instance lines)
// with both components' series, whatever the filter.
const ONLY_CODE_B = {
  ...ALL,
  invocations: 'ready/1',
  'invocations-per-copy': 'ready/2',
  latency: 'ready/3',
  tokens: 'ready/2',
  'error-rate': 'ready/1',
  queue: 'ready/3',
  'gpu-compute': 'ready/1',
  'gpu-memory': 'ready/1',
  gpus: 'ready/5',
  instances: 'ready/3',
  cost: 'ready/1',
  'cost-per-1k-tokens': 'ready/1',
};

describe('Quantity dashboard in Chromium', { timeout: 90_000 }, () => {
  const recorded: RecordedQuery[] = [];
  const pageErrors: string[] = [];
  let server: Server;
  let browser: LaunchedBrowser;
  let page: Page;
  let base = '';

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startFakeServer(recorded);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      // Chromium logs every 4xx fetch; the fake's 422 for the TTFT panel is expected.
      if (msg.type() === 'error' && !msg.text().includes('status of 422'))
        pageErrors.push(msg.text());
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('renders every panel with the expected series, errors and empty states', async () => {
    await page.goto(`${base}/`);
    assert.deepEqual(await panelStates(page), ALL);

    const q = lastQuery(recorded, 'llm_requests_total');
    assert.equal(q.end - q.start, 3600);
    assert.equal(q.step, 15);
    assert.equal(q.end % 15, 0);
    assert.match(q.query, /component=~"\.\*"/);
    assert.match(q.query, /\[60s\]/);

    const ttft = page.locator('[data-panel-id="ttft"] .message');
    assert.equal(await ttft.textContent(), `Query failed: A: execution: ${TTFT_ERROR}`);
    const kv = await page.locator('[data-panel-id="kv-cache"] .message').textContent();
    assert.match(kv ?? '', /^No data for this range\. Are the model servers scraped\?/);
    const legend = page.locator('[data-panel-id="latency"] .u-legend .u-label');
    assert.deepEqual(await legend.allTextContents(), [
      'Time',
      'p50 chat-a',
      'p50 code.b',
      'p95 chat-a',
      'p95 code.b',
      'p99 chat-a',
      'p99 code.b',
    ]);
  });

  it('draws lines on the chart canvas and saves a screenshot', async () => {
    await page.screenshot({ path: `${ARTIFACTS}quantity-light.png`, fullPage: true });
    // Series colours are the palette's first two: #3b82f6 and #f59e0b.
    assert.ok((await countColouredPixels(page, 'invocations', [59, 130, 246])) > 200);
    assert.ok((await countColouredPixels(page, 'invocations', [245, 158, 11])) > 200);
    assert.equal(await countColouredPixels(page, 'ttft', [59, 130, 246]), -1);
  });

  it('gives every control a label', async () => {
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('select, input')]
        .filter((el) => (el.labels?.length ?? 0) === 0)
        .map((el) => el.id),
    );
    assert.deepEqual(unlabelled, []);
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to panels');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'components');
  });

  it('re-queries with the new window when the time range changes', async () => {
    recorded.length = 0;
    await page.selectOption('#range', '6h');
    assert.deepEqual(await panelStates(page), ALL);
    const q = lastQuery(recorded, 'llm_requests_total');
    assert.equal(q.end - q.start, 21600);
    assert.equal(q.step, 120);
    assert.match(q.query, /\[480s\]/);
    assert.equal(new URL(page.url()).search, '?range=6h');
  });

  it('filters by component with an escaped regex', async () => {
    recorded.length = 0;
    await page.selectOption('#components', ['code.b']);
    assert.deepEqual(await panelStates(page), ONLY_CODE_B);
    assert.ok(lastQuery(recorded, 'llm_requests_total').query.includes('component=~"code\\\\.b"'));
    assert.equal(new URL(page.url()).search, '?range=6h&component=code.b');
  });

  it('refreshes on its own when auto refresh is on', async () => {
    await page.selectOption('#refresh', '5s');
    await panelStates(page);
    assert.equal(new URL(page.url()).search, '?range=6h&refresh=5s&component=code.b');
    recorded.length = 0;
    const next = page.waitForResponse((r) => r.url().endsWith('/api/v1/query_range'), {
      timeout: 8000,
    });
    await next;
    assert.ok(recorded.length > 0);
    await page.selectOption('#refresh', 'off');
    assert.deepEqual(await panelStates(page), ONLY_CODE_B);
    assert.equal(new URL(page.url()).search, '?range=6h&component=code.b');
  });

  it('restores the view from the shared URL', async () => {
    const shared = page.url();
    const second = await browser.newPage();
    try {
      recorded.length = 0;
      await second.goto(shared);
      assert.deepEqual(await panelStates(second), ONLY_CODE_B);
      assert.equal(await second.inputValue('#range'), '6h');
      assert.deepEqual(
        await second.$$eval('#components option:checked', (els) => els.map((e) => e.textContent)),
        ['code.b'],
      );
      const q = lastQuery(recorded, 'llm_requests_total');
      assert.equal(q.end - q.start, 21600);
      assert.ok(q.query.includes('component=~"code\\\\.b"'));
    } finally {
      await second.close();
    }
  });

  it('loads a custom absolute range from the URL', async () => {
    recorded.length = 0;
    await page.goto(`${base}/?from=2024-01-02T00:00:00.000Z&to=2024-01-02T02:00:00.000Z`);
    assert.deepEqual(await panelStates(page), ALL);
    const q = lastQuery(recorded, 'llm_requests_total');
    assert.deepEqual([q.start, q.end, q.step], [1704153600, 1704160800, 30]);
    assert.equal(await page.inputValue('#range'), 'custom');
    assert.equal(await page.isVisible('#custom-range'), true);
  });

  it('switches to the dark theme with the system setting', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const background = await page.evaluate(
      () => getComputedStyle(document.documentElement).backgroundColor,
    );
    assert.equal(background, 'rgb(13, 17, 23)');
    assert.deepEqual(await panelStates(page), ALL);
    assert.ok((await countColouredPixels(page, 'invocations', [59, 130, 246])) > 200);
    await page.screenshot({ path: `${ARTIFACTS}quantity-dark.png`, fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});

describe('launchBrowser', () => {
  it('fails with a message naming the path and the fix when Chromium is missing', async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      const expected =
        'browser tests need Chromium at /nonexistent/chromium, but it is missing or not ' +
        'executable; install the Debian package "chromium" or set CHROMIUM_PATH to a Chromium binary';
      assert.throws(() => resolveChromiumPath(), { message: expected });
      await assert.rejects(launchBrowser(), { message: expected });
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });
});
