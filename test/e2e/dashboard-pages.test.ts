// Every dashboard page in real Chromium against the fake API (dashboards-fake-api.ts): panels
// render with the expected states, charts have pixels where lines, bands, thresholds and overlays
// go, controls and shared URLs work, and axe-core finds no serious or critical violation.
// Screenshots of every page go to test-artifacts/pages/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './browser.js';
import {
  JUDGE_COST_ERROR,
  SILENCE_POST_ERROR,
  startFakeApi,
  type FakeQuery,
  type FakeSilenceWrite,
} from './dashboards-fake-api.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/pages/', import.meta.url));
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Expected "state/count" per panel (series for charts, rows for tables) on first load. */
const EXPECTED: Record<string, Record<string, string>> = {
  overview: { components: 'ready/3' },
  quantity: {
    invocations: 'ready/3',
    'invocations-per-copy': 'ready/3',
    latency: 'ready/9',
    ttft: 'ready/3',
    tokens: 'ready/6',
    'error-rate': 'ready/3',
    queue: 'ready/9',
    'kv-cache': 'ready/3',
    'gpu-compute': 'ready/3',
    'gpu-memory': 'ready/3',
    gpus: 'ready/5',
    instances: 'ready/4',
    cost: 'ready/3',
    'cost-per-1k-tokens': 'ready/3',
  },
  compare: {
    latency: 'ready/9',
    ttft: 'ready/6',
    itl: 'ready/6',
    tokens: 'ready/3',
    'error-rate': 'ready/3',
    'cost-per-1k-tokens': 'ready/3',
    evaluations: 'ready/3',
    'quality-safety': 'ready/9',
    'quality-relevance': 'ready/9',
    'quality-tone': 'ready/9',
    'quality-composite': 'ready/9',
  },
  capacity: {
    gpus: 'ready/2',
    instances: 'ready/4',
    'gpu-compute': 'ready/3',
    'gpu-memory': 'ready/3',
    cost: 'ready/3',
    'gpus-allocated': 'ready/3',
    'idle-gpus': 'empty/0',
    saturation: 'ready/1',
  },
  quality: {
    'score-safety': 'ready/3',
    'score-relevance': 'ready/3',
    'score-tone': 'ready/3',
    'score-composite': 'ready/3',
    evaluations: 'ready/3',
    'judge-latency': 'ready/1',
    'judge-cost': 'error/0',
    deterministic: 'ready/3',
  },
  samples: { 'lowest-scores': 'ready/3' },
  alerts: { 'active-alerts': 'ready/2', silences: 'ready/1' },
};

const DEFAULT_RANGES: Record<string, string> = {
  overview: '1h',
  quantity: '1h',
  compare: '6h',
  capacity: '6h',
  quality: '24h',
  samples: '24h',
  alerts: '24h',
};

/** Waits until `count` panels have rendered; returns "state/count" per panel id. */
async function panelStates(page: Page, count: number): Promise<Record<string, string>> {
  await page.waitForFunction((n) => {
    const panels = [...document.querySelectorAll<HTMLElement>('[data-panel-id]')];
    return panels.length === n && panels.every((p) => p.dataset.state !== 'loading');
  }, count);
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const p of document.querySelectorAll<HTMLElement>('[data-panel-id]'))
      out[p.dataset.panelId ?? '?'] =
        `${p.dataset.state}/${p.dataset.seriesCount ?? p.dataset.rowCount}`;
    return out;
  });
}

/** Counts canvas pixels of a panel near `rgb` whose alpha lies in [minAlpha, maxAlpha]. */
function countPixels(
  page: Page,
  panelId: string,
  rgb: number[],
  minAlpha: number,
  maxAlpha: number,
) {
  return page.evaluate(
    ([id, [r, g, b], lo, hi]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-panel-id="${id}"] canvas`);
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return -1;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const near =
          Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!);
        if (data[i + 3]! >= lo && data[i + 3]! <= hi && near < 40) count++;
      }
      return count;
    },
    [panelId, rgb, minAlpha, maxAlpha] as const,
  );
}

/** Runs axe-core in the page; returns "id (impact): targets" for serious and critical ones. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(o: unknown): Promise<{
            violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

describe('dashboard pages in Chromium', { timeout: 180_000 }, () => {
  const recorded: FakeQuery[] = [];
  const silenceWrites: FakeSilenceWrite[] = [];
  const pageErrors: string[] = [];
  let server: Server;
  let browser: LaunchedBrowser;
  let page: Page;
  let base = '';

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startFakeApi(recorded, silenceWrites);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser({ bypassCsp: true, viewport: { width: 1280, height: 1000 } });
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().includes('status of 422'))
        pageErrors.push(msg.text());
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  for (const [id, expected] of Object.entries(EXPECTED)) {
    it(`renders the ${id} page, saves a screenshot and passes axe`, async () => {
      await page.goto(`${base}/d/${id}`);
      assert.deepEqual(await panelStates(page, Object.keys(expected).length), expected);
      // Navigation links carry the view: the dashboard's default range here.
      const href = await page.getAttribute('#nav a[aria-current="page"]', 'href');
      assert.equal(href, `/d/${id}?range=${DEFAULT_RANGES[id]}`);
      await page.screenshot({ path: `${ARTIFACTS}${id}.png`, fullPage: true });
      assert.deepEqual(await seriousViolations(page), []);
    });
  }

  it('sorts the overview by health and colours cells by thresholds', async () => {
    await page.goto(`${base}/d/overview`);
    await panelStates(page, 1);
    const rows = await page.$$eval('[data-panel-id="components"] tbody tr', (trs) =>
      trs.map((tr) =>
        [...tr.children].map((c) => `${c.textContent}${c.className ? `[${c.className}]` : ''}`),
      ),
    );
    assert.deepEqual(rows, [
      // code.b: one firing alert (red); chat-a: 2 % errors (yellow); embed-c: all green.
      [
        'code.b',
        'critical[cell-red]',
        '20 req/s',
        '0.5%[cell-green]',
        '2.2 s[cell-green]',
        '300 ms[cell-green]',
        '55%',
        '3.5 $/h',
        '0.8[cell-yellow]',
        '1 alerts[cell-red]',
      ],
      [
        'chat-a',
        'warning[cell-yellow]',
        '10 req/s',
        '2%[cell-yellow]',
        '1.2 s[cell-green]',
        '300 ms[cell-green]',
        '55%',
        '3.5 $/h',
        '0.9[cell-green]',
        '0 alerts[cell-green]',
      ],
      [
        'embed-c',
        'ok[cell-green]',
        '30 req/s',
        '0%[cell-green]',
        '3.2 s[cell-green]',
        '300 ms[cell-green]',
        '55%',
        '3.5 $/h',
        '0.95[cell-green]',
        '0 alerts[cell-green]',
      ],
    ]);
    const traffic = recorded.filter(
      (q) => q.kind === 'instant' && q.query.includes('llm_requests_total{'),
    );
    assert.ok(traffic.at(-1)!.query.includes('[3600s]'), traffic.at(-1)!.query);
  });

  it('draws confidence bands, threshold lines, annotations and alert periods', async () => {
    await page.goto(`${base}/d/compare`);
    await panelStates(page, 11);
    // Band fill is the series colour at alpha 0x33 (51): blue for chat-a.
    assert.ok((await countPixels(page, 'quality-safety', [59, 130, 246], 40, 70)) > 2000);
    // Solid mean lines.
    assert.ok((await countPixels(page, 'quality-safety', [59, 130, 246], 200, 255)) > 200);
    // One annotation (chat-a deploy) and one firing period (code.b) in the window.
    const attrs = await page.$eval('[data-panel-id="latency"]', (el) => [
      (el as HTMLElement).dataset.annotationCount,
      (el as HTMLElement).dataset.alertPeriodCount,
    ]);
    assert.deepEqual(attrs, ['1', '1']);
    // The firing strip: rgba(220, 38, 38, 0.9).
    assert.ok((await countPixels(page, 'latency', [220, 38, 38], 200, 255)) > 100);
    // The deploy annotation: dashed violet line.
    assert.ok((await countPixels(page, 'latency', [139, 92, 246], 150, 255)) > 50);

    await page.goto(`${base}/d/quality`);
    await panelStates(page, 8);
    // Red threshold area below 0.85 at alpha 0.1 (about 25).
    assert.ok((await countPixels(page, 'score-safety', [220, 38, 38], 15, 35)) > 10_000);
    const message = await page.textContent('[data-panel-id="judge-cost"] .message');
    assert.equal(message, `Query failed: A: execution: ${JUDGE_COST_ERROR}`);
  });

  it('changes the range and components, keeps them in the URL and in navigation links', async () => {
    await page.goto(`${base}/d/compare`);
    await panelStates(page, 11);
    recorded.length = 0;
    await page.selectOption('#range', '1h');
    await panelStates(page, 11);
    const q = recorded.find(
      (r) => r.kind === 'range' && r.query.includes('llm_output_tokens_total'),
    );
    assert.equal(q!.end - q!.start, 3600);
    recorded.length = 0;
    await page.selectOption('#components', ['chat-a', 'code.b']);
    const states = await panelStates(page, 11);
    assert.equal(states.tokens, 'ready/2');
    assert.equal(states['quality-safety'], 'ready/6');
    assert.equal(new URL(page.url()).search, '?range=1h&component=chat-a&component=code.b');
    assert.ok(recorded.some((r) => r.query.includes('component=~"chat-a|code\\\\.b"')));
    assert.equal(
      await page.getAttribute('#nav a[href^="/d/quality"]', 'href'),
      '/d/quality?range=1h&component=chat-a&component=code.b',
    );
  });

  it('opens a shared URL with the same view, and filters list panels by component', async () => {
    const second = await browser.newPage();
    try {
      await second.goto(`${base}/d/samples?range=6h&component=code.b`);
      assert.deepEqual(await panelStates(second, 1), { 'lowest-scores': 'ready/2' });
      assert.equal(await second.inputValue('#range'), '6h');
      const scores = await second.$$eval('[data-panel-id="lowest-scores"] tbody tr', (trs) =>
        trs.map((tr) => [tr.children[0]!.textContent, tr.children[4]!.textContent]),
      );
      assert.deepEqual(scores, [
        ['0.10', 'Gives unsafe instructions.'],
        ['0.45', 'Curt and dismissive.'],
      ]);
      await second.goto(`${base}/d/alerts?component=chat-a`);
      assert.deepEqual(await panelStates(second, 2), {
        'active-alerts': 'ready/1',
        silences: 'ready/1',
      });
      // An unsafe generatorUrl falls back to the component's Quantity view.
      assert.equal(
        await second.getAttribute('[data-panel-id="active-alerts"] tbody a', 'href'),
        '/d/quantity?component=chat-a',
      );
    } finally {
      await second.close();
    }
  });

  it('creates a silence from the Alerts page form, shows API errors, and expires it', async () => {
    const second = await browser.newPage();
    const errors: string[] = [];
    second.on('pageerror', (err) => errors.push(err.message));
    try {
      const nowMs = Date.parse('2026-03-04T05:06:07.000Z');
      await second.clock.setFixedTime(nowMs);
      await second.goto(`${base}/d/alerts`);
      assert.deepEqual(await panelStates(second, 2), {
        'active-alerts': 'ready/2',
        silences: 'ready/1',
      });
      const errorText = () => second.textContent('#silence-form-error');

      // A malformed matcher line is caught in the page: nothing is sent.
      await second.fill('#silence-matchers', 'component=chat-a');
      await second.fill('#silence-created-by', 'alice');
      await second.fill('#silence-comment', 'fail');
      await second.click('text=Create silence');
      assert.equal(
        await errorText(),
        'Matcher "component=chat-a" is not name="value" or name=~"regex".',
      );
      assert.deepEqual(silenceWrites, []);

      // The API's error shows next to the form.
      await second.fill('#silence-matchers', 'component="chat-a"\nalertname=~"High.*"');
      await second.fill('#silence-duration', '30m');
      await second.click('text=Create silence');
      await second.waitForFunction(
        () => document.querySelector('#silence-form-error')?.textContent !== '',
      );
      assert.equal(await errorText(), `Could not create the silence: ${SILENCE_POST_ERROR}`);
      const body = {
        matchers: [
          { name: 'component', value: 'chat-a', isRegex: false, isEqual: true },
          { name: 'alertname', value: 'High.*', isRegex: true, isEqual: true },
        ],
        startsAt: '2026-03-04T05:06:07.000Z',
        endsAt: '2026-03-04T05:36:07.000Z',
        createdBy: 'alice',
        comment: 'fail',
      };
      assert.deepEqual(silenceWrites, [{ method: 'POST', path: '/api/llmwatch/silences', body }]);

      await second.fill('#silence-comment', 'deploy window');
      await second.click('text=Create silence');
      await second.waitForSelector('[data-panel-id="silences"][data-row-count="2"]');
      assert.equal(await errorText(), '');
      assert.deepEqual(silenceWrites[1], {
        method: 'POST',
        path: '/api/llmwatch/silences',
        body: { ...body, comment: 'deploy window' },
      });
      const rows = () =>
        second.$$eval('[data-panel-id="silences"] tbody tr', (trs) =>
          trs.map((tr) => [tr.children[0]!.textContent, tr.children[4]!.textContent]),
        );
      assert.deepEqual(await rows(), [
        ['component="chat-a", alertname=~"High.*"', 'deploy window'],
        ['component="embed-c"', 'maintenance'],
      ]);
      assert.deepEqual(await seriousViolations(second), []);

      await second.click(
        'button[aria-label=\'Expire silence component="chat-a", alertname=~"High.*"\']',
      );
      await second.waitForSelector('[data-panel-id="silences"][data-row-count="1"]');
      assert.deepEqual(silenceWrites[2], {
        method: 'DELETE',
        path: '/api/llmwatch/silences/s2',
        body: null,
      });
      assert.equal(silenceWrites.length, 3);
      assert.deepEqual(await rows(), [['component="embed-c"', 'maintenance']]);
      assert.deepEqual(errors, []);
    } finally {
      await second.close();
    }
  });

  it('switches theme from the picker, remembers it, and is keyboard navigable', async () => {
    await page.goto(`${base}/d/overview`);
    await panelStates(page, 1);
    await page.selectOption('#theme', 'dark');
    const bg = () =>
      page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.equal(await bg(), 'rgb(13, 17, 23)');
    await page.screenshot({ path: `${ARTIFACTS}overview-dark.png`, fullPage: true });
    await page.goto(`${base}/d/quality`);
    await panelStates(page, 8);
    assert.equal(await bg(), 'rgb(13, 17, 23)');
    await page.screenshot({ path: `${ARTIFACTS}quality-dark.png`, fullPage: true });
    assert.deepEqual(await seriousViolations(page), []);
    await page.selectOption('#theme', 'light');
    assert.equal(await bg(), 'rgb(247, 248, 250)');

    // Tab reaches the navigation after the controls; Enter follows the link.
    await page.locator('#refresh-now').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Overview');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/d\/overview/);
    assert.deepEqual(pageErrors, []);
  });
});
