/**
 * Configuration fragment of the quality pipeline's deterministic half (sampling, redaction,
 * regex rules, format bounds), for the lead to mount in the main schema, e.g. as `quality`.
 */
import { z } from 'zod';
import { qualityPipelineConfigSchema } from './pipeline/config.js';
import { judgeConfigSchema } from './judge/config.js';
import { PII_TYPES } from './redact/types.js';

/** Sampling policy fields; see SamplingPolicy in sampling.ts for their meaning. */
const samplingPolicySchema = z.strictObject({
  /** Share of requests sampled, 0..1. Default 0.05. */
  rate: z.number().min(0).max(1).default(0.05),
  /** Requests sampled per window regardless of rate. Default 20. */
  minSamplesPerWindow: z.number().int().min(0).default(20),
  /** Window length in seconds for the minimum. Default 600 (10 minutes). */
  windowSeconds: z.number().positive().default(600),
  /** Judge spend cap per rolling hour, dollars. Default 1. */
  maxJudgeSpendDollarsPerHour: z.number().min(0).default(1),
  /** Estimated judge cost per sample (all criteria), dollars. Default 0.002. */
  estimatedCostDollarsPerSample: z.number().min(0).default(0.002),
});

/** One user regex rule; the pattern is compiled at load time and errors name the rule. */
const regexRuleSchema = z
  .strictObject({
    name: z.string().min(1),
    pattern: z.string().min(1),
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'flags may only contain i, m, s, u')
      .default(''),
    mode: z.enum(['must_match', 'must_not_match']),
  })
  .superRefine((rule, ctx) => {
    try {
      new RegExp(rule.pattern, rule.flags);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: `regex rule ${JSON.stringify(rule.name)} has an invalid pattern ${JSON.stringify(rule.pattern)} (${err instanceof Error ? err.message : String(err)}); fix the pattern`,
      });
    }
  });

/** Per-component overrides: every field optional, missing ones come from `default`. */
const componentSchema = z.strictObject({
  sampling: samplingPolicySchema.partial().optional(),
  /** PII types redacted for this component; default: the top-level list. */
  redactionTypes: z.array(z.enum(PII_TYPES)).optional(),
  /** Regex rules for this component, added to the top-level ones. */
  regexRules: z.array(regexRuleSchema).optional(),
});

/** The `quality` configuration fragment. An empty object is valid and gets every default. */
export const qualityConfigSchema = z.strictObject({
  /** Default sampling policy for every component. */
  sampling: samplingPolicySchema.prefault({}),
  /** PII types redacted before anything is stored or sent to a judge. Default: all. */
  redactionTypes: z.array(z.enum(PII_TYPES)).default([...PII_TYPES]),
  /** Regex rules applied to every component's responses. Default: none. */
  regexRules: z.array(regexRuleSchema).default([]),
  /** Response length bounds for the format evaluator, characters. Default: none. */
  format: z
    .strictObject({
      minChars: z.number().int().min(0).optional(),
      maxChars: z.number().int().positive().optional(),
    })
    .prefault({}),
  /** Overrides keyed by component name. */
  components: z.record(z.string(), componentSchema).default({}),
});

/** The whole `quality` section of llmwatch.yaml: the policy above plus the pipeline's settings. */
export const qualitySectionSchema = qualityConfigSchema.extend({
  /** Evaluation queue, workers and per-judge limits (see pipeline/config.ts). */
  pipeline: qualityPipelineConfigSchema.prefault({}),
  /** The pinned LLM judge; absent means deterministic evaluators only (see judge/config.ts). */
  judge: judgeConfigSchema.optional(),
});

/** The parsed `quality` configuration. */
export type QualityConfig = z.infer<typeof qualityConfigSchema>;
