/**
 * Configuration of the OTLP/HTTP metrics receiver (`POST /v1/metrics`), a zod fragment the main
 * schema mounts as `otlp:`. Every field has a default, so `otlp: {}` (or no `otlp` key) works.
 */
import { z } from 'zod';

const attributeName = z.string().min(1);

/** The `otlp:` section of llmwatch.yaml. */
export const otlpConfigSchema = z.strictObject({
  /**
   * Attribute whose value becomes the `component` label: looked up in the resource attributes,
   * then in the data point's. Default "service.name".
   */
  componentAttribute: attributeName.default('service.name'),
  /**
   * Attribute whose value becomes the `copy` label (resource first, then point).
   * Default "service.instance.id".
   */
  copyAttribute: attributeName.default('service.instance.id'),
  /**
   * Attributes tried in order for the `model` label (point first, then resource); the first one
   * present wins. Default ["gen_ai.response.model", "gen_ai.request.model"]: the model that
   * answered, else the model asked for.
   */
  modelAttributes: z
    .array(attributeName)
    .min(1)
    .default(['gen_ai.response.model', 'gen_ai.request.model']),
  /**
   * Further resource attributes copied onto every sample as sanitised labels (e.g. "host.name"
   * becomes `host_name`). Default none: most resource attributes (SDK version, process id) would
   * only add cardinality.
   */
  resourceLabels: z.array(attributeName).default([]),
  /**
   * What to do with delta-temporality sums and histograms: "accumulate" keeps a running total per
   * series in memory and stores cumulative counters; "reject" refuses those points (partial
   * success) so senders must use cumulative temporality. Default "accumulate".
   */
  deltaTemporality: z.enum(['accumulate', 'reject']).default('accumulate'),
  /** Most delta series whose running totals are kept; points of further series are refused. */
  maxDeltaSeries: z.number().int().positive().default(100_000),
  /** Largest request body as sent (compressed or not), in bytes. Default 8 MiB. */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /** Largest body after gzip decompression, in bytes. Default 32 MiB. */
  maxDecompressedBytes: z
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** Most data points in one request; beyond it the request is refused with 413. Default 100 000. */
  maxDataPointsPerRequest: z.number().int().positive().default(100_000),
  /** Most attributes on one data point; a point with more is refused. Default 64. */
  maxAttributesPerPoint: z.number().int().positive().default(64),
});

/** The validated `otlp:` section with defaults applied. */
export type OtlpConfig = z.infer<typeof otlpConfigSchema>;

/** The defaults, for callers without a configuration file (tests, embedding). */
export const DEFAULT_OTLP_CONFIG: OtlpConfig = otlpConfigSchema.parse({});
