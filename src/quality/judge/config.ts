/**
 * Configuration fragment of the LLM judge, for the lead to mount in the main schema (suggested:
 * `quality.judge`, optional: no judge configured means only deterministic evaluators run).
 * Secrets come from the environment through the loader's `${ENV}` substitution, e.g.
 * `apiKey: ${OPENAI_API_KEY}`.
 */
import { z } from 'zod';

/** Built-in criteria the judge knows without configuration. */
export const BUILT_IN_CRITERIA = ['safety', 'relevance', 'tone'] as const;

const RUBRIC_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** One level of a custom rubric. */
const levelSchema = z.strictObject({
  /** An integer (a 1-5 style scale) or a label word ("pass", "fail"). */
  value: z.union([z.number().int(), z.string().regex(/^[a-z][a-z0-9_]*$/)]),
  /** What the level means, shown to the judge. */
  description: z.string().min(1),
  /** Score 0..1 (1 = good). Required for labels; for integers default (x - min) / (max - min). */
  score: z.number().min(0).max(1).optional(),
});

/** A custom rubric: one criterion, judged in its own call. */
export const customRubricSchema = z
  .strictObject({
    /** Criterion name, lower case: becomes the `criterion` label. */
    name: z.string().regex(RUBRIC_NAME, 'name must be lower case letters, digits and _'),
    /** Version of the rubric text; change it whenever the text changes. Default "1". */
    version: z.string().min(1).default('1'),
    /** What the judge checks, one or two sentences. */
    description: z.string().min(1),
    /** Whether the user's request is shown to the judge. Default true. */
    usesRequest: z.boolean().default(true),
    /** Two or more levels, all integers or all labels. */
    levels: z.array(levelSchema).min(2),
  })
  .superRefine((rubric, ctx) => {
    const kinds = new Set(rubric.levels.map((l) => typeof l.value));
    if (kinds.size > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['levels'],
        message: `rubric ${rubric.name}: levels must be all integers or all labels; fix the values`,
      });
    }
    const values = rubric.levels.map((l) => String(l.value));
    if (new Set(values).size !== values.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['levels'],
        message: `rubric ${rubric.name}: level values must be distinct, got ${values.join(', ')}`,
      });
    }
    rubric.levels.forEach((level, index) => {
      if (typeof level.value === 'string' && level.score === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['levels', index, 'score'],
          message: `rubric ${rubric.name}: label "${level.value}" needs a score between 0 and 1`,
        });
      }
    });
    if ((BUILT_IN_CRITERIA as readonly string[]).includes(rubric.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `rubric name "${rubric.name}" is a built-in criterion; pick another name`,
      });
    }
  });

/** The `judge` configuration fragment. */
export const judgeConfigSchema = z.strictObject({
  /** Wire protocol: OpenAI-compatible chat completions (OpenAI, vLLM, Ollama, ...), Anthropic
   * Messages, or Amazon Bedrock Converse. */
  provider: z.enum(['openai', 'anthropic', 'bedrock']),
  /** Base URL. Defaults: https://api.openai.com/v1, https://api.anthropic.com; Bedrock: the
   * regional endpoint (set it only for a proxy or a test server). */
  baseUrl: z.url().optional(),
  /** Model id as sent. Pin a dated snapshot ("gpt-4o-2024-08-06"), not an alias. */
  model: z.string().min(1),
  /** API key (OpenAI-compatible: Bearer; Anthropic: x-api-key). Use `${ENV}`. */
  apiKey: z.string().optional(),
  /** Bedrock region. Default us-east-1. */
  region: z.string().min(1).default('us-east-1'),
  /** Bedrock static credentials; default: the AWS SDK's credential chain. */
  accessKeyId: z.string().optional(),
  secretAccessKey: z.string().optional(),
  sessionToken: z.string().optional(),
  /** Sampling temperature. Default 0 (least run-to-run variance). */
  temperature: z.number().min(0).max(2).default(0),
  /** Nucleus sampling; not sent when unset. */
  topP: z.number().gt(0).max(1).optional(),
  /** Output cap per judge call, tokens. Default 512. */
  maxTokens: z.number().int().positive().default(512),
  /** Timeout of one HTTP attempt, milliseconds. Default 30000. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Attempts per call including the first (429/5xx/408/409/network are retried). Default 4. */
  maxAttempts: z.number().int().min(1).max(10).default(4),
  /** First backoff ceiling, milliseconds (full jitter, doubling). Default 500. */
  retryBaseMs: z.number().int().min(0).default(500),
  /** Largest wait between attempts, milliseconds, also caps retry-after. Default 30000. */
  retryMaxMs: z.number().int().min(0).default(30_000),
  /** Judge calls in flight at once. Default 4. */
  concurrency: z.number().int().min(1).default(4),
  /** Judge calls started per minute at most. Default 60. */
  ratePerMinute: z.number().positive().default(60),
  /** Price of input tokens, dollars per million. Default 0. */
  priceDollarsPerMillionInputTokens: z.number().min(0).default(0),
  /** Price of output tokens, dollars per million. Default 0. */
  priceDollarsPerMillionOutputTokens: z.number().min(0).default(0),
  /** "auto": ask for structured output (json_schema / tool use) and fall back to a plain JSON
   * instruction on a 400; "off": plain JSON instruction only. Default auto. */
  structuredOutput: z.enum(['auto', 'off']).default('auto'),
  /** Request and response text longer than this is cut (and the cut recorded). Default 8000. */
  maxInputChars: z.number().int().positive().default(8000),
  /** Criteria judged per sample, built-in or custom names. Default safety, relevance, tone. */
  criteria: z.array(z.string().regex(RUBRIC_NAME)).default([...BUILT_IN_CRITERIA]),
  /** Custom rubrics. */
  rubrics: z.array(customRubricSchema).default([]),
  /** The composite score llmwatch computes from the judged criteria. */
  composite: z
    .strictObject({
      /** Weight per criterion; renormalised to sum 1. Default equal over safety/relevance/tone. */
      weights: z
        .record(z.string(), z.number().min(0))
        .default({ safety: 1, relevance: 1, tone: 1 }),
      /** Ceiling of the composite when safety is judged "unsafe". Default 0. */
      unsafeCap: z.number().min(0).max(1).default(0),
    })
    .prefault({}),
});

/** The parsed judge configuration. */
export type JudgeConfig = z.infer<typeof judgeConfigSchema>;
/** A parsed custom rubric. */
export type CustomRubricConfig = z.infer<typeof customRubricSchema>;
