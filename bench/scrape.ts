/**
 * Scrape benchmark: how many targets per second llmwatch scrapes, maps and stores, and the CPU
 * each target scrape costs, next to two baselines over the same targets and bodies:
 * - `get`: a bare GET of each body (the scraper's fetch, no parsing);
 * - `parse`: GET and parse the exposition text, nothing mapped or stored;
 * - `full`: the real scraper (`scrapeOnce()`: fetch, parse, engine mapping, raw and canonical
 *   samples) writing through the sample writer into a SQLite store on disk, flushed at the end.
 *
 * Targets serve real captures (test/fixtures/metrics: vLLM 21 KB, TGI 58 KB, DCGM 11 KB), one
 * third each, from an HTTP server in a child process on 127.0.0.1, so serving costs no CPU in the
 * measuring process. Each phase scrapes every target in parallel, round after round, for
 * `phaseSeconds` after a warm-up round. CPU is process.cpuUsage() (user + system) of this
 * process divided by the target scrapes done, so the writer's and SQLite's work counts.
 *
 * Limitation: the captured bodies are the same every round, so the store sees constant values
 * (its compression works better than on live data) and the TGI body is an upstream truncation.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../src/config/load.js';
import { createSilentLogger } from '../src/core/log.js';
import { createSampleWriter } from '../src/ingest/writer.js';
import { parseExpositionAsync } from '../src/scrape/exposition.js';
import { fetchMetrics } from '../src/scrape/fetch.js';
import { createScraper } from '../src/scrape/scraper.js';
import { createSqliteStore } from '../src/store/sqlite-store.js';

/** Options of runScrapeBench. */
export interface ScrapeBenchOptions {
  /** Targets, split evenly over vLLM, TGI and DCGM bodies. Default 60 (20 hosts × 3). */
  targets?: number;
  /** Seconds each phase runs after its warm-up round. Default 5 (three phases: about 20 s). */
  phaseSeconds?: number;
  /** Most rounds per phase. Default 500. */
  maxRounds?: number;
}

const ROLE_ENV = 'LLMWATCH_BENCH_SCRAPE_ROLE';
const FIXTURES = new URL('../test/fixtures/metrics/', import.meta.url);
const BODIES = {
  vllm: 'datadog-vllm-opt125m-mixed.metrics.txt',
  tgi: 'datadog-tgi-payload.truncated.metrics.txt',
  dcgm: 'datadog-dcgm-t4-a10g-partly-dummy.metrics.txt',
} as const;
type Engine = keyof typeof BODIES;
const ENGINES = Object.keys(BODIES) as Engine[];

/** Child entry: serves /<engine>/<n> with the engine's capture. */
function serveCaptures(): void {
  const bodies = new Map(
    ENGINES.map((e) => [e, readFileSync(new URL(BODIES[e], FIXTURES))] as const),
  );
  const server = createServer((req, res) => {
    const engine = (req.url ?? '').split('/')[1] as Engine;
    const body = bodies.get(engine);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.send?.({ url: `http://127.0.0.1:${port}` });
  });
  process.on('disconnect', () => process.exit(0));
}

function startServer(): Promise<[ChildProcess, string]> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [ROLE_ENV]: 'server' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('bench capture server: no start in 20 s')),
      20_000,
    );
    child.once('message', (msg) => {
      clearTimeout(timer);
      resolve([child, (msg as { url: string }).url]);
    });
    child.once('exit', (code) => reject(new Error(`bench capture server exited with ${code}`)));
  });
}

interface PhaseFigures {
  targetsPerSecond: number;
  cpuMsPerTarget: number;
  rounds: number;
}

/** Runs `round` once to warm up, then repeatedly for `seconds`; `finish` is timed too. */
async function measure(
  round: () => Promise<void>,
  targets: number,
  seconds: number,
  maxRounds: number,
  finish: () => Promise<void> = async () => undefined,
): Promise<PhaseFigures> {
  await round();
  await finish();
  const cpuBefore = process.cpuUsage();
  const startMs = performance.now();
  let rounds = 0;
  while (rounds < maxRounds && performance.now() - startMs < seconds * 1000) {
    await round();
    rounds++;
  }
  await finish();
  const wallMs = performance.now() - startMs;
  const cpu = process.cpuUsage(cpuBefore);
  const scrapes = rounds * targets;
  return {
    targetsPerSecond: Math.round(scrapes / (wallMs / 1000)),
    cpuMsPerTarget: Math.round(((cpu.user + cpu.system) / 1000 / scrapes) * 1000) / 1000,
    rounds,
  };
}

/** Runs the three phases; returns flat figures (names carry their unit). */
export async function runScrapeBench(
  opts: ScrapeBenchOptions = {},
): Promise<Record<string, number>> {
  const targetCount = opts.targets ?? 60;
  const seconds = opts.phaseSeconds ?? 5;
  const maxRounds = opts.maxRounds ?? 500;
  const [child, baseUrl] = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-bench-scrape-'));
  const logger = createSilentLogger();
  const urls = Array.from({ length: targetCount }, (_, i) => ({
    engine: ENGINES[i % ENGINES.length]!,
    url: `${baseUrl}/${ENGINES[i % ENGINES.length]}/${i}`,
    host: `host-${Math.floor(i / ENGINES.length)}`,
  }));
  const limits = { timeoutMs: 10_000, maxBodyBytes: 16 * 1024 * 1024 };
  const figures: Record<string, number> = { scrape_targets: targetCount };
  try {
    const get = await measure(
      async () => void (await Promise.all(urls.map((t) => fetchMetrics(t.url, limits)))),
      targetCount,
      seconds,
      maxRounds,
    );
    let samplesParsed = 0;
    const parse = await measure(
      async () => {
        await Promise.all(
          urls.map(async (t) => {
            const { families } = await parseExpositionAsync(
              (await fetchMetrics(t.url, limits)).text,
            );
            for (const f of families) samplesParsed += f.samples.length;
          }),
        );
      },
      targetCount,
      seconds,
      maxRounds,
    );

    const config = validateConfig({
      store: { path: join(dir, 'bench.db') },
      scrape: {
        intervalSeconds: 3600,
        timeoutSeconds: 10,
        targets: urls.map((t, i) => ({
          url: t.url,
          engine: t.engine,
          labels: { component: `c${i % 10}`, copy: `copy-${i}`, instance: t.host },
        })),
      },
    });
    const store = createSqliteStore({ path: config.store.path, logger, retentionIntervalMs: 0 });
    let samplesStored = 0;
    let dropped = 0;
    const writer = createSampleWriter({
      store,
      logger,
      maxBufferedSamples: 5_000_000,
      flushIntervalMs: 250,
      onDropped: (count) => (dropped += count),
    });
    const scraper = createScraper({
      config,
      logger,
      sink: (samples) => {
        samplesStored += samples.length;
        writer.write(samples);
      },
    });
    const full = await measure(
      () => scraper.scrapeOnce(),
      targetCount,
      seconds,
      maxRounds,
      () => writer.flush(),
    );
    const down = scraper.targets().filter((t) => t.health !== 'up').length;
    await scraper.stop();
    await writer.close();
    await store.close();
    if (down > 0) throw new Error(`scrape bench: ${down} targets down; figures would be wrong`);

    for (const [name, phase] of [
      ['get', get],
      ['parse', parse],
      ['full', full],
    ] as const) {
      figures[`scrape_${name}_targets_per_second`] = phase.targetsPerSecond;
      figures[`scrape_${name}_cpu_ms_per_target`] = phase.cpuMsPerTarget;
    }
    figures.scrape_parse_samples_per_target = Math.round(
      samplesParsed / ((parse.rounds + 1) * targetCount),
    );
    figures.scrape_full_samples_per_target = Math.round(
      samplesStored / ((full.rounds + 1) * targetCount),
    );
    figures.scrape_full_samples_stored_per_second = Math.round(
      figures.scrape_full_samples_per_target * full.targetsPerSecond,
    );
    figures.scrape_full_dropped_samples = dropped;
    return figures;
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env[ROLE_ENV] === 'server') serveCaptures();
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runScrapeBench(), null, 2));
}
