/**
 * The scrape loop: every `scrape.intervalSeconds`, fetch every target in parallel, parse the
 * body, and hand raw, canonical and per-target health samples to the sink. A failing target is
 * marked down (with `up=0`) without affecting the others. The loop never overlaps itself,
 * catches errors per tick and stops cleanly.
 * Parsing yields to the event loop every 2000 lines, so a large body does not stall the gateway.
 * Limitation: the final sorting and mapping of a body run in one go (about 30 ms for 10 MiB).
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/schema.js';
import { LlmwatchError, isLlmwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Labels, Sample } from '../store/types.js';
import { parseExpositionAsync } from './exposition.js';
import { fetchMetrics } from './fetch.js';
import {
  detectEngine,
  keepRawSample,
  mapEngine,
  type EngineName,
  type TargetEngine,
} from './engines.js';
import type { MappedSample } from './mapping.js';
import { buildTargets, toRawSamples, type ScrapeTarget } from './targets.js';

/** Health of one target as of its last scrape. */
export interface TargetHealth {
  url: string;
  /** `component` label, "" when the target has none. */
  component: string;
  /** `copy` label. */
  copy: string;
  /** Configured engine, possibly "auto". */
  engine: TargetEngine;
  /**
   * Engine whose mapping the last successful scrape used: the configured one, or the detected
   * one for "auto" ("unknown" when nothing matched: raw samples only); null before.
   */
  mappedEngine: EngineName | 'unknown' | null;
  /** "unknown" until the first scrape finishes. */
  health: 'up' | 'down' | 'unknown';
  /** Message of the last failure (parse errors name the line), null when the last scrape worked. */
  lastError: string | null;
  /** Start of the last scrape, Unix ms; null before the first. */
  lastScrapeMs: number | null;
  /** Duration of the last scrape in ms; null before the first. */
  lastDurationMs: number | null;
  /** Samples in the last body (after dropping `_created`); 0 when it failed. */
  samples: number;
}

/** The running scraper. */
export interface Scraper {
  /** Starts the loop: a scrape now, then one every interval. Calling it twice does nothing. */
  start(): void;
  /** Stops the loop, cancels scrapes in flight and waits for them to settle. */
  stop(): Promise<void>;
  /** Scrapes every target once, in parallel. Joins the scrape in flight if there is one. */
  scrapeOnce(): Promise<void>;
  /** Health of every target, in configuration order. */
  targets(): TargetHealth[];
  /**
   * Replaces the target list (after discovery found changes). Targets with the same URL and
   * labels keep their health and mapping state; removed ones stop being scraped (a scrape of
   * theirs in flight still delivers its samples). Takes effect from the next scrape.
   */
  setTargets(targets: readonly ScrapeTarget[]): void;
}

/** What createScraper needs. */
export interface ScraperOptions {
  config: Config;
  /** Receives the samples of each target after each scrape; expected not to block. */
  sink: (samples: Sample[]) => void;
  logger: Logger;
  /** Clock for sample timestamps, Unix ms. Default Date.now. */
  nowMs?: () => number;
  /** Initial targets. Default buildTargets(config). */
  targets?: readonly ScrapeTarget[];
}

interface TargetState {
  target: ScrapeTarget;
  health: TargetHealth;
  /** Memory a mapping keeps between scrapes (node exporter CPU totals). */
  engineState: Map<string, unknown>;
}

/** Identity of a target across target-list updates: URL, engine and labels. */
function targetKey(target: ScrapeTarget): string {
  const labels = Object.keys(target.labels)
    .sort()
    .map((k) => `${k}=${target.labels[k]}`);
  return [target.url, target.engine, target.model ?? '', ...labels].join('\u0000');
}

function instanceOf(target: ScrapeTarget): string | undefined {
  if (target.labels.instance) return target.labels.instance;
  try {
    return new URL(target.url).hostname;
  } catch {
    return undefined;
  }
}

function healthOf(target: ScrapeTarget): TargetHealth {
  return {
    url: target.url,
    component: target.labels.component ?? '',
    copy: target.labels.copy ?? '',
    engine: target.engine,
    mappedEngine: null,
    health: 'unknown',
    lastError: null,
    lastScrapeMs: null,
    lastDurationMs: null,
    samples: 0,
  };
}

function stamp(samples: MappedSample[], timestampMs: number): Sample[] {
  return samples.map((s) => ({
    labels: s.labels,
    value: s.value,
    timestampMs: s.timestampMs ?? timestampMs,
  }));
}

function meta(name: string, labels: Labels, value: number, timestampMs: number): Sample {
  return { labels: { __name__: name, ...labels }, value, timestampMs };
}

/** Creates the scraper for `config`'s targets. Nothing runs until start() or scrapeOnce(). */
export function createScraper(options: ScraperOptions): Scraper {
  const { config, sink, logger } = options;
  const nowMs = options.nowMs ?? Date.now;
  const intervalMs = config.scrape.intervalSeconds * 1000;
  const newState = (target: ScrapeTarget): TargetState => ({
    target,
    health: healthOf(target),
    engineState: new Map(),
  });
  let states: TargetState[] = (options.targets ?? buildTargets(config)).map(newState);
  let stopController = createStopController();
  let inFlight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running = false;

  async function scrapeTarget(state: TargetState): Promise<void> {
    const { target } = state;
    const stopSignal = stopController.signal;
    const startMs = Math.floor(nowMs());
    const startedAt = performance.now();
    let out: Sample[] = [];
    let scraped = 0;
    let error: unknown = null;
    try {
      const body = await fetchMetrics(target.url, {
        timeoutMs: config.scrape.timeoutSeconds * 1000,
        maxBodyBytes: config.scrape.maxBodyBytes,
        signal: stopSignal,
      });
      const { families } = await parseExpositionAsync(body.text, {
        format: body.openMetrics ? 'openmetrics' : 'auto',
      });
      if (stopSignal.aborted) return;
      scraped = families.reduce((n, f) => n + f.samples.length, 0);
      const engine = target.engine === 'auto' ? detectEngine(families) : target.engine;
      noteEngine(state, engine);
      const raw = toRawSamples(families, target.labels);
      out = stamp(
        raw.filter((s) => keepRawSample(engine, s.labels, s.value)),
        startMs,
      );
      if (engine !== 'unknown') {
        const mapped = mapEngine(engine, families, {
          targetLabels: target.labels,
          fallbackModel: target.model,
          instance: instanceOf(target),
          state: state.engineState,
        });
        out.push(...stamp(mapped, startMs));
      }
    } catch (err) {
      // A scrape cancelled by stop() says nothing about the target: record nothing.
      if (isLlmwatchError(err) && err.code === 'scrape_stopped') return;
      error = err;
      out = [];
      scraped = 0;
    }
    const durationMs = performance.now() - startedAt;
    out.push(
      meta('up', target.labels, error === null ? 1 : 0, startMs),
      meta('scrape_duration_seconds', target.labels, durationMs / 1000, startMs),
      meta('scrape_samples_scraped', target.labels, scraped, startMs),
    );
    record(state, error, startMs, durationMs, scraped);
    try {
      sink(out);
    } catch (err) {
      logger.error({ url: target.url, err: String(err) }, 'scrape sink failed');
    }
  }

  function noteEngine(state: TargetState, engine: EngineName | 'unknown'): void {
    const { health, target } = state;
    if (health.mappedEngine === engine) return;
    if (target.engine === 'auto') {
      const fields = { url: target.url, engine, previous: health.mappedEngine };
      if (engine === 'unknown') logger.warn(fields, 'scrape target engine not recognised');
      else logger.info(fields, 'scrape target engine detected');
    }
    health.mappedEngine = engine;
  }

  function record(
    state: TargetState,
    error: unknown,
    startMs: number,
    durationMs: number,
    samples: number,
  ) {
    const { health, target } = state;
    const wasHealth = health.health;
    health.lastScrapeMs = startMs;
    health.lastDurationMs = Math.round(durationMs * 1000) / 1000;
    health.samples = samples;
    const fields = { url: target.url, component: health.component, copy: health.copy };
    if (error === null) {
      health.health = 'up';
      health.lastError = null;
      if (wasHealth !== 'up') logger.info(fields, 'scrape target up');
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = isLlmwatchError(error) ? error.code : 'scrape_failed';
    health.health = 'down';
    health.lastError = message;
    if (wasHealth !== 'down')
      logger.warn({ ...fields, code, error: message }, 'scrape target down');
    else logger.debug({ ...fields, code, error: message }, 'scrape target still down');
  }

  function scrapeOnce(): Promise<void> {
    if (inFlight) return inFlight;
    const run = Promise.all(
      states.map((s) =>
        scrapeTarget(s).catch((err: unknown) => {
          logger.error({ url: s.target.url, err: String(err) }, 'scrape target crashed');
        }),
      ),
    ).then(() => undefined);
    inFlight = run.finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  function schedule(delayMs: number): void {
    timer = setTimeout(() => void tick(), delayMs);
  }

  async function tick(): Promise<void> {
    timer = null;
    const startedAt = performance.now();
    try {
      await scrapeOnce();
    } catch (err) {
      logger.error({ err: String(err) }, 'scrape tick failed');
    }
    if (!running) return;
    schedule(Math.max(0, intervalMs - (performance.now() - startedAt)));
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopController = createStopController();
      logger.info(
        { targets: states.length, intervalSeconds: config.scrape.intervalSeconds },
        'scraper started',
      );
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      stopController.abort(new LlmwatchError('scrape_stopped', 'the scraper stopped'));
      await inFlight;
      stopController = createStopController();
      logger.info({}, 'scraper stopped');
    },
    scrapeOnce,
    targets() {
      return states.map((s) => ({ ...s.health }));
    },
    setTargets(targets) {
      const previous = new Map(states.map((s) => [targetKey(s.target), s]));
      const next: TargetState[] = [];
      const seen = new Set<string>();
      for (const target of targets) {
        const key = targetKey(target);
        if (seen.has(key)) continue;
        seen.add(key);
        next.push(previous.get(key) ?? newState(target));
      }
      states = next;
      logger.info({ targets: states.length }, 'scrape targets updated');
    },
  };
}

/**
 * One controller cancels every in-flight scrape on stop; each target adds a listener to its
 * signal, so the default limit of 10 listeners would warn with more than 10 targets.
 */
function createStopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
