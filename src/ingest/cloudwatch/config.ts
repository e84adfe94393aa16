/**
 * Configuration of the optional CloudWatch importer of SageMaker enhanced metrics, a zod fragment
 * the main schema mounts as `cloudwatch:`. Off by default; `cloudwatch: {}` is valid. Credentials
 * never live here: the AWS SDK's default chain (environment variables, shared profile, container
 * or instance role) supplies them.
 */
import { z } from 'zod';
import { DEFAULT_MAPPINGS, mappingSchema } from './mapping.js';

/** Periods GetMetricData accepts: 1, 5, 10, 30 (high resolution) or a multiple of 60 seconds. */
function isValidPeriod(seconds: number): boolean {
  return [1, 5, 10, 30].includes(seconds) || seconds % 60 === 0;
}

/** Three hours: how long CloudWatch keeps high-resolution (under 60 s) data points. */
const HIGH_RESOLUTION_RETENTION_SECONDS = 3 * 3600;

/** One inference component to import, optionally with the endpoint it runs on. */
export const inferenceComponentSchema = z.strictObject({
  /** The `InferenceComponentName` dimension, e.g. "IC-my-endpoint-Qwen". */
  name: z.string().min(1),
  /**
   * Endpoint name for the `endpoint` label when the metric itself has no `EndpointName`
   * dimension (the AWS/SageMaker invocation metrics). Default: learned from metrics that have both.
   */
  endpoint: z.string().min(1).optional(),
});

/** The `cloudwatch:` section of llmwatch.yaml. */
export const cloudwatchConfigSchema = z
  .strictObject({
    /** Turns the importer on. Default false: nothing talks to AWS. */
    enabled: z.boolean().default(false),
    /** AWS region, e.g. "us-east-1". Default: the SDK's chain (AWS_REGION, profile). */
    region: z.string().min(1).optional(),
    /**
     * Override of the CloudWatch endpoint URL (a VPC endpoint, a test server). Default: the
     * region's public endpoint.
     */
    endpoint: z
      .url({
        protocol: /^https?$/,
        error: (issue) =>
          `must be an http(s) URL like "https://monitoring.us-east-1.amazonaws.com", got ${JSON.stringify(issue.input)}`,
      })
      .optional(),
    /**
     * Inference components to import. Default [] discovers every component that has metrics
     * (ListMetrics, recently active ones only).
     */
    inferenceComponents: z.array(inferenceComponentSchema).default([]),
    /** Only import components on these endpoints. Default []: every endpoint. */
    endpoints: z.array(z.string().min(1)).default([]),
    /**
     * Aggregation period in seconds: 1, 5, 10, 30 or a multiple of 60. Default 60. Use the
     * endpoint's MetricPublishFrequencyInSeconds (or a multiple) for exact per-period values.
     */
    periodSeconds: z
      .number()
      .int()
      .positive()
      .refine(isValidPeriod, {
        error: (issue) => `must be 1, 5, 10, 30 or a multiple of 60, got ${String(issue.input)}`,
      })
      .default(60),
    /**
     * How far back each poll reads, in seconds (rounded up to whole periods). Periods in this
     * window are re-read every poll, so late or revised CloudWatch values overwrite earlier ones.
     * Default 600.
     */
    lookbackSeconds: z.number().int().positive().max(86_400).default(600),
    /** Seconds between polls. Default 60. */
    pollIntervalSeconds: z.number().positive().default(60),
    /** Seconds between ListMetrics discoveries of series (new copies, GPUs). Default 300. */
    discoveryIntervalSeconds: z.number().positive().default(300),
    /** Most metric queries in one GetMetricData call; the API allows 500. Default 500. */
    maxQueriesPerRequest: z.number().int().min(1).max(500).default(500),
    /** Attempts per API call, throttling and 5xx retried by the SDK with backoff. Default 5. */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** Replaces the default mapping table (see mapping.ts) when set. */
    mappings: z.array(mappingSchema).min(1).default(DEFAULT_MAPPINGS),
  })
  .refine((c) => c.periodSeconds >= 60 || c.lookbackSeconds <= HIGH_RESOLUTION_RETENTION_SECONDS, {
    path: ['lookbackSeconds'],
    error:
      'must be at most 10800 (3 h) when periodSeconds is under 60: CloudWatch keeps high-resolution data only 3 hours',
  })
  .refine((c) => c.lookbackSeconds >= c.periodSeconds, {
    path: ['lookbackSeconds'],
    error: 'must be at least periodSeconds so each poll reads one whole period',
  });

/** The parsed `cloudwatch:` section. */
export type CloudWatchConfig = z.infer<typeof cloudwatchConfigSchema>;
