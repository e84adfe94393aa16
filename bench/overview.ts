/**
 * Overview page benchmark: llmwatch with a generated fleet (20 components × 2 copies, 24 h at
 * one sample per minute per series, from bench/fleet.ts) and, as the baseline, llmwatch with an
 * empty store. Each opens /d/overview (its default 1 h range) in headless Chromium five times
 * in a fresh tab; figures are medians of the five loads:
 * - first paint ms: the `first-paint` entry of performance.getEntriesByType('paint')
 *   (first-contentful-paint when first-paint is missing), from navigation start;
 * - data ready ms: navigation start until every panel's data-state is other than "loading"
 *   (polled every 10 ms in the page, so up to 10 ms late).
 * Also: samples loaded, the seconds loading took, and the table rows (or series) the page
 * shows on the last load of each side (20 with the fleet, 0 with the empty store).
 * Limitation: the fleet has no llm_gpu_*, cost or quality series, so those Overview columns
 * stay empty in both runs; the measured work is the request, latency and error queries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../src/config/load.js';
import { createSilentLogger } from '../src/core/log.js';
import { startLlmwatch, type LlmwatchServer } from '../src/server/app.js';
import type { Sample } from '../src/store/types.js';
import { launchBrowser } from '../test/e2e/browser.js';
import { createFleet, FLEET_STEP_MS } from './fleet.js';

/** Options of runOverviewBench. */
export interface OverviewBenchOptions {
  /** Components in the fleet. Default 20. */
  components?: number;
  /** Hours of data ending now. Default 24. */
  hours?: number;
  /** Page loads per side; the median is reported. Default 5. */
  loads?: number;
}

/** Fleet scrapes kept: one in four (1 sample per minute per series). */
const KEEP_EVERY = 4;
const PAGE_TIMEOUT_MS = 60_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Writes the fleet into the server's store; returns the number of samples. */
async function loadFleet(server: LlmwatchServer, components: number, hours: number) {
  const fleet = createFleet({ components, copiesPerComponent: 2, gpus: 0 });
  const values = new Float64Array(fleet.labels.length);
  const steps = Math.floor((hours * 3_600_000) / FLEET_STEP_MS);
  const startMs = Math.floor(Date.now() / FLEET_STEP_MS) * FLEET_STEP_MS - steps * FLEET_STEP_MS;
  let samples = 0;
  for (let step = 0; step <= steps; step++) {
    fleet.next(values);
    if (step % KEEP_EVERY !== 0 && step !== steps) continue;
    const timestampMs = startMs + step * FLEET_STEP_MS;
    const batch: Sample[] = fleet.labels.map((labels, i) => ({
      labels,
      timestampMs,
      value: values[i]!,
    }));
    await server.store.append(batch);
    samples += batch.length;
  }
  return samples;
}

/** Opens /d/overview `loads` times; returns median first paint and data ready, ms. */
async function measurePage(url: string, loads: number) {
  const browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
  const paints: number[] = [];
  const ready: number[] = [];
  let rows = 0;
  try {
    for (let i = 0; i < loads; i++) {
      const page = await browser.newPage();
      try {
        page.setDefaultTimeout(PAGE_TIMEOUT_MS);
        await page.goto(`${url}/d/overview`);
        const readyMs = await page.waitForFunction(
          () => {
            const panels = [...document.querySelectorAll<HTMLElement>('[data-panel-id]')];
            if (panels.length === 0 || panels.some((p) => p.dataset.state === 'loading'))
              return false;
            return performance.now();
          },
          undefined,
          { polling: 10 },
        );
        ready.push((await readyMs.jsonValue()) as number);
        const paint = await page.evaluate(() => {
          const entries = performance.getEntriesByType('paint');
          const first =
            entries.find((e) => e.name === 'first-paint') ??
            entries.find((e) => e.name === 'first-contentful-paint');
          return first ? first.startTime : NaN;
        });
        paints.push(paint);
        rows = await page.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>('[data-panel-id]')].reduce(
            (n, p) => n + Number(p.dataset.rowCount ?? p.dataset.seriesCount ?? 0),
            0,
          ),
        );
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  return { firstPaintMs: median(paints), dataReadyMs: median(ready), rows };
}

async function withServer<T>(fn: (server: LlmwatchServer) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-bench-overview-'));
  const config = validateConfig({
    server: { host: '127.0.0.1', port: 0 },
    store: { path: join(dir, 'data', 'llmwatch.db') },
  });
  const server = await startLlmwatch(config, createSilentLogger());
  try {
    return await fn(server);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the benchmark described in the file comment; returns flat figures. */
export async function runOverviewBench(
  opts: OverviewBenchOptions = {},
): Promise<Record<string, number>> {
  const components = opts.components ?? 20;
  const hours = opts.hours ?? 24;
  const loads = opts.loads ?? 5;
  const empty = await withServer((server) => measurePage(server.url, loads));
  return withServer(async (server) => {
    const t0 = performance.now();
    const samples = await loadFleet(server, components, hours);
    const loadS = (performance.now() - t0) / 1000;
    const fleet = await measurePage(server.url, loads);
    return {
      'overview components': components,
      'overview hours of data': hours,
      'overview samples loaded': samples,
      'overview load s': loadS,
      'overview loads per side': loads,
      'overview empty store first paint ms (median)': empty.firstPaintMs,
      'overview empty store data ready ms (median)': empty.dataReadyMs,
      'overview fleet first paint ms (median)': fleet.firstPaintMs,
      'overview fleet data ready ms (median)': fleet.dataReadyMs,
      'overview empty store rows shown': empty.rows,
      'overview fleet rows shown': fleet.rows,
    };
  });
}

if (process.argv[1]?.endsWith('overview.ts')) console.log(await runOverviewBench());
