/**
 * Configuration fragment of the quality pipeline's queue and workers, for the lead to mount in
 * the main schema, e.g. as `quality.pipeline` (next to qualityConfigSchema's fields).
 */
import { z } from 'zod';

/** Concurrency and rate of one judge (by its identity label). */
export const judgeLimitsSchema = z.strictObject({
  /** Evaluations of this judge running at once. Default 4. */
  concurrency: z.number().int().min(1).max(1000).default(4),
  /** Evaluations started per second on average (token bucket refill). Default 5. */
  ratePerSecond: z.number().positive().default(5),
  /** Token bucket size: most evaluations started in a burst. Default 5. */
  burst: z.number().int().min(1).default(5),
});

/** Limits of one judge, parsed. */
export type JudgeLimits = z.infer<typeof judgeLimitsSchema>;

/** The `quality.pipeline` configuration fragment. An empty object gets every default. */
export const qualityPipelineConfigSchema = z.strictObject({
  /** SQLite file of the evaluation queue and records. Default "./data/quality.db". */
  dbPath: z.string().min(1).default('./data/quality.db'),
  /** Deterministic evaluators run on every pair. Default: all six. */
  deterministic: z
    .array(z.enum(['pii_leak', 'toxicity', 'refusal', 'completeness', 'format', 'regex_rules']))
    .default(['pii_leak', 'toxicity', 'refusal', 'completeness', 'format', 'regex_rules']),
  /** How long a worker holds a job before another may take it, ms. Default 120000. */
  leaseMs: z.number().int().min(100).default(120_000),
  /** Tries per job for retryable errors before it is recorded as outcome error. Default 5. */
  maxAttempts: z.number().int().min(1).max(100).default(5),
  /** First retry delay, ms; doubles per try up to retryMaxMs, with jitter. Default 1000. */
  retryBaseMs: z.number().int().min(1).default(1000),
  /** Longest retry delay, ms. Default 60000. */
  retryMaxMs: z.number().int().min(1).default(60_000),
  /** How often idle workers look for due jobs, ms. Default 250. */
  pollMs: z.number().int().min(5).default(250),
  /** Captured pairs buffered in memory before they are written; more are dropped. Default 1000. */
  captureBufferMax: z.number().int().min(1).default(1000),
  /** Most unfinished jobs in the queue; enqueue beyond it is refused (ingest gets 503). */
  maxPendingJobs: z.number().int().min(1).default(200_000),
  /** Limits of LLM judges by judge label; missing labels get `defaultJudge`. */
  judges: z.record(z.string(), judgeLimitsSchema).default({}),
  /** Limits of judges not listed in `judges` (LLM judges). */
  defaultJudge: judgeLimitsSchema.prefault({}),
  /** Limits shared by every deterministic evaluator ("det:" judges): they are local and fast. */
  deterministicJudge: judgeLimitsSchema.prefault({
    concurrency: 8,
    ratePerSecond: 1000,
    burst: 1000,
  }),
});

/** The parsed `quality.pipeline` configuration. */
export type QualityPipelineConfig = z.infer<typeof qualityPipelineConfigSchema>;

/** The `quality.pipeline` configuration before defaults (what createQualityPipeline takes). */
export type QualityPipelineConfigInput = z.input<typeof qualityPipelineConfigSchema>;
