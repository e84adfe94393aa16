/**
 * Composes one llmwatch process: store, writer, registry and its flusher, gateway, scraper, PromQL
 * engine, dashboards and the HTTP server that fronts them all.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import { createSampleWriter, type SampleWriter } from '../ingest/writer.js';
import { createMetricRegistry, type MetricRegistry } from '../ingest/registry.js';
import { startRegistryFlusher, type RegistryFlusher } from '../ingest/flusher.js';
import { registerStoreMetrics } from './store-metrics.js';
import { createGateway, type Gateway, type RequestFacts } from '../gateway/gateway.js';
import { createScraper, type Scraper } from '../scrape/scraper.js';
import { connectDiscovery } from '../scrape/discovery.js';
import { createPromqlEngine, type PromqlEngine } from '../promql/engine.js';
import { createDashboardHandler } from '../dashboards/serve.js';
import type { MetricStore } from '../store/types.js';
import { LlmwatchError } from '../core/errors.js';
import { createRequestListener } from './routes.js';
import { lockDataDir, type DataDirLock } from './lock.js';
import { createQualityPipeline, type QualityPipeline } from '../quality/pipeline/pipeline.js';
import { createDeterministicEvaluators } from '../quality/pipeline/deterministic.js';
import { createEvaluationsApi } from '../quality/records/api.js';
import { createPairsIngestHandler } from '../quality/ingest/handler.js';
import { createJudge, createJudgeEvaluators } from '../quality/judge/index.js';
import { createAlertEngine, createAlertsApiHandler, type AlertEngine } from '../alerting/index.js';
import { createNotifier, createSilencesHandler, type Notifier } from '../alerting/notify/index.js';
import { createCloudWatchImporter } from '../ingest/cloudwatch/index.js';
import { BUILTIN_DASHBOARDS } from '../dashboards/builtins.js';
import { loadUserDashboards } from '../dashboards/user.js';
import { createAnnotationStore, createAnnotationsHandler } from '../dashboards/annotations.js';
import { startChangeDetector } from '../dashboards/change-detector.js';
import { createOtlpMetricsHandler } from '../ingest/otlp/index.js';
import { createCostRecorder } from '../cost/index.js';
import type { RecordingRules } from '../rules/index.js';

/** A running llmwatch server. */
export interface LlmwatchServer {
  /** Base URL, e.g. "http://127.0.0.1:9400". */
  url: string;
  store: MetricStore;
  registry: MetricRegistry;
  writer: SampleWriter;
  flusher: RegistryFlusher;
  gateway: Gateway;
  scraper: Scraper;
  engine: PromqlEngine;
  quality: QualityPipeline;
  alerting: AlertEngine;
  notifier: Notifier;
  /** Writes everything recorded so far to the store; returns the flush timestamp (ms). */
  flush(): Promise<number>;
  /** Stops accepting traffic, flushes, and closes the store. */
  close(): Promise<void>;
}

/** Extra hooks for embedding llmwatch (tests, the demo). */
export interface LlmwatchHooks {
  /** Folder of the configuration file; user dashboards and rule globs resolve from it. */
  configDir?: string;
  /** Called once per finished gateway request; see {@link RequestFacts}. */
  onRequest?: (facts: RequestFacts) => void;
}

/** Starts llmwatch with `config`. Rejects if the port is taken or the store cannot be opened. */
export async function startLlmwatch(
  config: Config,
  logger: Logger,
  hooks: LlmwatchHooks = {},
): Promise<LlmwatchServer> {
  let lock: DataDirLock | null = null;
  if (config.store.path !== ':memory:') {
    mkdirSync(dirname(config.store.path), { recursive: true });
    lock = lockDataDir(dirname(config.store.path));
  }
  const store = createSqliteStore({
    path: config.store.path,
    logger,
    retentionDays: config.store.retentionDays,
    maxSeriesPerSelect: config.store.maxSeriesPerSelect,
    maxSamplesPerSelect: config.store.maxSamplesPerSelect,
    blockCacheBytes: config.store.blockCacheBytes,
    blockCacheProtectMs: Math.round(config.store.blockCacheProtectSeconds * 1000),
  });
  const registry = createMetricRegistry();
  const dropped = registry
    .counter(
      'llmwatch_store_dropped_samples_total',
      'Samples dropped before reaching the store: buffer full, invalid, or writer closed.',
    )
    .series({});
  const writer = createSampleWriter({
    store,
    maxBufferedSamples: config.store.bufferMaxSamples,
    logger,
    flushIntervalMs: 250,
    onDropped: (count) => dropped.inc(count),
  });
  const refreshStoreMetrics = registerStoreMetrics(registry, store);
  const flusher = startRegistryFlusher({
    registry,
    writer,
    beforeCollect: refreshStoreMetrics,
    logger,
    intervalMs: config.store.flushIntervalSeconds * 1000,
  });
  const judge = config.quality.judge ? createJudge(config.quality.judge, { logger }) : null;
  const quality = createQualityPipeline({
    config: config.quality,
    evaluators: [
      ...createDeterministicEvaluators(config.quality, config.quality.pipeline.deterministic),
      ...(judge ? createJudgeEvaluators(judge) : []),
    ],
    registry,
    logger,
    dbPath: qualityDbPath(config),
  });
  const gateway = createGateway({
    config,
    registry,
    logger,
    onRequest: hooks.onRequest,
    capture: quality.capture,
  });
  const scraper = createScraper({ config, sink: (samples) => writer.write(samples), logger });
  const discovery = connectDiscovery({ config, discovery: config.scrape, scraper, logger });
  const engine = createPromqlEngine(store, {
    timeoutMs: config.query.timeoutSeconds * 1000,
    maxSamples: config.query.maxSamples,
    useRollups: config.query.useRollups,
  });
  const configDir = hooks.configDir ?? process.cwd();
  const dashboards = createDashboardHandler({
    logger,
    dashboards: [...BUILTIN_DASHBOARDS, ...loadUserDashboards(config.dashboards, configDir)],
    home: config.dashboards.home,
  });
  const annotationStore = createAnnotationStore();
  const annotations = createAnnotationsHandler(annotationStore);
  const changes = startChangeDetector({ engine, annotations: annotationStore, logger });
  // Links in alerts and notifications point at this server unless configured otherwise.
  const defaultUrl = `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${config.server.port}`;
  const alertingConfig =
    config.alerting.externalUrl === 'http://127.0.0.1:9400'
      ? { ...config.alerting, externalUrl: defaultUrl }
      : config.alerting;
  const notifyConfig = config.notify.externalUrl
    ? config.notify
    : { ...config.notify, externalUrl: alertingConfig.externalUrl };
  const notifier = createNotifier({
    config: notifyConfig,
    logger,
    registry,
    dbPath: siblingDbPath(config, 'notify.db'),
  });
  const alerting = createAlertEngine({
    config: alertingConfig,
    engine,
    sink: notifier,
    logger,
    registry,
    dbPath: siblingDbPath(config, 'alerting.db'),
    baseDir: configDir,
  });
  const cloudwatch = config.cloudwatch.enabled
    ? createCloudWatchImporter({
        config: config.cloudwatch,
        sink: (samples) => {
          writer.write(samples);
        },
        logger,
      })
    : null;
  const otlp = createOtlpMetricsHandler({ store, logger, config: config.otlp });
  // Cost series are derived by recording rules; the sink flushes so each tick's price series
  // are stored before the rules that read them run.
  const cost: RecordingRules | null = config.cost.enabled
    ? createCostRecorder({
        config: config.cost,
        engine,
        registry,
        logger,
        intervalMs: config.cost.intervalSeconds * 1000,
        sink: async (samples) => {
          writer.write(samples);
          await writer.flush();
        },
      })
    : null;

  const server: Server = createServer(
    createRequestListener({
      config,
      logger,
      gateway,
      engine,
      store,
      scraper,
      dashboards,
      renderOwnMetrics: () => {
        refreshStoreMetrics();
        return registry.renderExposition();
      },
      otlp,
      evaluations: createEvaluationsApi(quality.records),
      pairs: createPairsIngestHandler({ ingest: quality.ingest, logger }),
      extraHandlers: [
        createAlertsApiHandler(alerting),
        createSilencesHandler(notifier.silences),
        annotations,
      ],
    }),
  );
  server.keepAliveTimeout = 65_000;
  // Slow clients: headers must arrive within 20 s and a whole request body within 60 s.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  try {
    await listen(server, config.server.host, config.server.port);
  } catch (err) {
    scraper.stop().catch(() => undefined);
    flusher.stop();
    await writer.close();
    await store.close();
    lock?.release();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  scraper.start();
  quality.start();
  notifier.start();
  if (config.alerting.enabled) alerting.start();
  cloudwatch?.start();
  await discovery.start();
  cost?.start();
  logger.info({ url, store: config.store.path, components: config.components.length }, 'started');

  const flush = async (): Promise<number> => {
    const timestampMs = flusher.flushNow();
    await writer.flush();
    return timestampMs;
  };

  const close = async (): Promise<void> => {
    changes.stop();
    await cloudwatch?.stop();
    await alerting.stop();
    await notifier.close();
    await cost?.stop();
    await discovery.stop();
    await scraper.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await gateway.close();
    await quality.stop();
    await judge?.close();
    flusher.stop();
    await writer.close();
    await store.close();
    lock?.release();
    logger.info({}, 'stopped');
  };

  return {
    url,
    store,
    registry,
    writer,
    flusher,
    gateway,
    scraper,
    engine,
    quality,
    alerting,
    notifier,
    flush,
    close,
  };
}

/** Listens, turning "address in use" into an error that says what to do. */
function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new LlmwatchError(
            'server_port_in_use',
            `port ${port} on ${host} is already in use (another llmwatch?); stop that process ` +
              'or choose another port with server.port in the config (or --port for the demo)',
          ),
        );
      } else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
}

/** Databases of the other parts sit next to the metric store; in memory when it is. */
function siblingDbPath(config: Config, file: string): string {
  if (config.store.path === ':memory:') return ':memory:';
  return join(dirname(config.store.path), file);
}

/** The quality database sits next to the metric store unless configured; in memory with it. */
function qualityDbPath(config: Config): string {
  if (config.store.path === ':memory:') return ':memory:';
  const configured = config.quality.pipeline.dbPath;
  if (configured !== './data/quality.db') return configured;
  return join(dirname(config.store.path), 'quality.db');
}
