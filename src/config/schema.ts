/**
 * The one schema for `llmwatch.yaml`. Every field has a default that runs on a laptop, so an
 * empty file is a valid configuration.
 */
import { z } from 'zod';
import { agentConfigSchema } from '../agent/config.js';
import { qualitySectionSchema } from '../quality/config.js';
import { costConfigSchema } from '../cost/config.js';
import { otlpConfigSchema } from '../ingest/otlp/config.js';
import { ENGINE_NAMES, TARGET_ENGINE_NAMES } from '../scrape/engines.js';
import { fileTargetsSchema } from '../scrape/discovery-file.js';
import { relabelRuleSchema } from '../scrape/relabel.js';
import { alertingConfigSchema } from '../alerting/config.js';
import { notifyConfigSchema } from '../alerting/notify/config.js';
import { cloudwatchConfigSchema } from '../ingest/cloudwatch/config.js';
import { dashboardsConfigSchema } from '../dashboards/schema.js';

const durationSeconds = z.number().positive();

/** An http(s) URL; base URLs of copies may not carry a query or fragment. The message shows the value. */
function httpUrl(opts: { base: boolean }) {
  const form = opts.base
    ? '"http://10.0.0.5:8000" without ?query or #fragment'
    : '"http://10.0.0.5:8000/metrics"';
  return z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        const web = url.protocol === 'http:' || url.protocol === 'https:';
        return web && !(opts.base && (url.search || url.hash));
      } catch {
        return false;
      }
    },
    { error: (issue) => `must be an http(s) URL like ${form}, got ${JSON.stringify(issue.input)}` },
  );
}

/** Labels a user may attach to scraped samples; reserved names are refused. */
const reservedLabels = new Set(['__name__', 'source', 'le', 'quantile']);
const userLabels = z.record(
  z
    .string()
    .regex(
      /^[a-zA-Z_][a-zA-Z0-9_]*$/,
      'label names use letters, digits and "_", not starting with a digit',
    )
    .refine((name) => !reservedLabels.has(name) && !name.startsWith('__'), {
      error: (issue) =>
        `label ${JSON.stringify(issue.input)} is reserved by llmwatch; choose another name`,
    }),
  z.string(),
);

/** One replica of a component: a model server process behind the gateway. */
export const copySchema = z.strictObject({
  /** Copy name, the `copy` label. Unique within its component. */
  name: z.string().min(1),
  /** Upstream base URL, e.g. "http://10.0.0.5:8000". Requests go to `${url}/v1/...`. */
  url: httpUrl({ base: true }),
  /**
   * Serving engine, for the scraper's name mapping. Set to scrape `${url}${metricsPath}`;
   * leave unset for upstreams that expose no metrics.
   */
  engine: z.enum(ENGINE_NAMES).optional(),
  /**
   * Requests in flight above which the gateway prefers the component's other copies, e.g. a
   * small or slow copy. When every copy is at its limit the least loaded one is still used.
   * Default: no limit.
   */
  maxOutstanding: z.number().int().positive().optional(),
  /** Path of the Prometheus metrics endpoint on the copy. Default "/metrics". */
  metricsPath: z.string().startsWith('/').default('/metrics'),
});

/** One model deployment: the model names clients send, and the copies that serve them. */
export const componentSchema = z.strictObject({
  /** Component name, the `component` label. Unique. */
  name: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits, "_", "-", "." or ":"'),
  /** Model ids clients send in `model` that route to this component. At least one. */
  models: z.array(z.string().min(1)).min(1),
  /** Endpoint (serving cluster) this component belongs to, the `endpoint` label. */
  endpoint: z.string().min(1).default('default'),
  /** The copies. At least one. */
  copies: z.array(copySchema).min(1),
});

/** An extra scrape target that is not a gateway copy. */
export const scrapeTargetSchema = z.strictObject({
  /** Full URL of the metrics endpoint. */
  url: httpUrl({ base: false }),
  /** Engine whose names are mapped to canonical metrics. */
  engine: z.enum(TARGET_ENGINE_NAMES).default('auto'),
  /** Labels added to every sample, typically `component` and `copy`. */
  labels: userLabels.default({}),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      /** Address to listen on. Default loopback only. */
      host: z.string().default('127.0.0.1'),
      /** TCP port. Default 9400. */
      port: z.number().int().min(0).max(65535).default(9400),
    })
    .prefault({}),
  store: z
    .strictObject({
      /** SQLite database file. Default "./data/llmwatch.db". */
      path: z.string().min(1).default('./data/llmwatch.db'),
      /** How often recorded gateway metrics are written to the store, in seconds. Default 1. */
      flushIntervalSeconds: durationSeconds.default(1),
      /** Samples held in memory while the store is slow; beyond this they are dropped. */
      bufferMaxSamples: z.number().int().positive().default(200_000),
      /** Age after which samples and rollups are deleted, in days; 0 keeps everything. Default 30. */
      retentionDays: z.number().min(0).default(30),
      /** Most series one query selector may read; beyond it the query fails clearly. Default 100k. */
      maxSeriesPerSelect: z.number().int().positive().default(100_000),
      /** Most samples one query selector may read. Default 50 million. */
      maxSamplesPerSelect: z.number().int().positive().default(50_000_000),
      /** Bytes of decoded blocks kept for queries to reuse; 0 turns the cache off. 128 MiB. */
      blockCacheBytes: z
        .number()
        .int()
        .min(0)
        .default(128 * 1024 * 1024),
      /**
       * Seconds after its last read a cached entry is not evicted for a new one (longer than a
       * dashboard's refresh); 0 makes the cache a plain least-recently-used one. Default 60, at
       * most a day; kept in whole milliseconds.
       */
      blockCacheProtectSeconds: z.number().min(0).max(86_400).default(60),
    })
    .prefault({}),
  gateway: z
    .strictObject({
      /** Largest accepted request body in bytes. Default 4 MiB. */
      maxBodyBytes: z
        .number()
        .int()
        .positive()
        .default(4 * 1024 * 1024),
      /** Time allowed for an upstream to answer headers, in seconds. Default 60. */
      upstreamHeadersTimeoutSeconds: durationSeconds.default(60),
      /** Time allowed between two body chunks from an upstream, in seconds. Default 300. */
      upstreamBodyTimeoutSeconds: durationSeconds.default(300),
    })
    .prefault({}),
  scrape: z
    .strictObject({
      /** Scrape interval in seconds. Default 5. */
      intervalSeconds: durationSeconds.default(5),
      /** Per-scrape timeout in seconds; must be below the interval. Default 3. */
      timeoutSeconds: durationSeconds.default(3),
      /** Largest accepted metrics body in bytes. Default 10 MiB. */
      maxBodyBytes: z
        .number()
        .int()
        .positive()
        .default(10 * 1024 * 1024),
      /** Targets beyond the copies that declare an `engine`. */
      targets: z.array(scrapeTargetSchema).default([]),
      /** Files of targets in Prometheus's file_sd format, re-read on change. Default none. */
      fileTargets: z.array(fileTargetsSchema).default([]),
      /** Relabel rules, in order, for every target read from `fileTargets`. Default none. */
      relabel: z.array(relabelRuleSchema).default([]),
    })
    .prefault({}),
  /** Model deployments behind the gateway. */
  components: z.array(componentSchema).default([]),
  query: z
    .strictObject({
      /** Longest a query may run, in seconds; a request's `timeout` can only shorten it. */
      timeoutSeconds: durationSeconds.default(120),
      /** Most samples one query may load (Prometheus's query.max-samples). Default 50M. */
      maxSamples: z.number().int().positive().default(50_000_000),
      /** Answer long aligned range functions from 5-minute/1-hour rollups. Default true. */
      useRollups: z.boolean().default(true),
    })
    .prefault({}),
  /** Price table and how often cost and capacity series are derived (see src/cost/config.ts). */
  cost: costConfigSchema.prefault({}),
  /** Alert rules, evaluation and state (see src/alerting/config.ts and docs/alerting.md). */
  alerting: alertingConfigSchema.prefault({}),
  /** Notification routing, receivers, silences and inhibition (see src/alerting/notify/config.ts). */
  notify: notifyConfigSchema.prefault({}),
  /** SageMaker/CloudWatch import, off by default (see src/ingest/cloudwatch/config.ts). */
  cloudwatch: cloudwatchConfigSchema.prefault({}),
  /** User dashboards in YAML next to the config (see src/dashboards/schema.ts). */
  dashboards: dashboardsConfigSchema.prefault({}),
  /** OTLP/HTTP metrics receiver at POST /v1/metrics (see src/ingest/otlp/config.ts). */
  otlp: otlpConfigSchema.prefault({}),
  /** `llmwatch agent` on a GPU host reads this section (see src/agent/config.ts). */
  agent: agentConfigSchema.prefault({}),
  /** Sampling, redaction and deterministic evaluators (see src/quality/config.ts). */
  quality: qualitySectionSchema.prefault({}),
  log: z
    .strictObject({
      /** pino level: trace, debug, info, warn, error, fatal, silent. Default "info". */
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    })
    .prefault({}),
});

/** The validated configuration with all defaults applied. */
export type Config = z.infer<typeof configSchema>;
/** One component of the validated configuration. */
export type ComponentConfig = z.infer<typeof componentSchema>;
/** One copy of the validated configuration. */
export type CopyConfig = z.infer<typeof copySchema>;
