/**
 * The LLM judge: one call per criterion through the configured client, parsed into a
 * JudgeResult with the pinned judge label, tokens, cost and latency; plus the composite.
 */
import { createSilentLogger, type Logger } from '../../core/log.js';
import type { EvaluationSample } from '../evaluators/types.js';
import { createAnthropicClient } from './clients/anthropic.js';
import { createBedrockClient } from './clients/bedrock.js';
import { createOpenaiClient } from './clients/openai.js';
import type { JudgeConfig } from './config.js';
import { compositeLabel, judgeIdentity, judgeLabel } from './identity.js';
import { createLimiter } from './limiter.js';
import { parseJudgment } from './parse.js';
import { JUDGMENT_TOOL_NAME, buildJudgePrompt, judgmentSchema, requestTextOf } from './prompt.js';
import { computeComposite, resolveRubrics, type Rubric } from './rubrics.js';
import { JudgeCallError, type ChatReply, type JudgeClient, type JudgeUsage } from './types.js';

/** Longest raw reply kept in a result's details, characters. */
export const RAW_REPLY_CHARS = 4000;

/** The result of judging one sample on one criterion (or the composite). */
export interface JudgeResult {
  criterion: string;
  /** scored: `score` is set. unparsable / refused / error: no score, reason in details. */
  outcome: 'scored' | 'unparsable' | 'refused' | 'error';
  /** 0..1, 1 = good; only when scored. */
  score?: number;
  /** The pinned judge label, e.g. `openai:gpt-4o-2024-08-06#a1b2c3`. */
  judge: string;
  /** The judge's reasoning when it gave one. */
  reasoning: string | null;
  /** value (the level given), via, reason, rawReply (cut at 4000 chars), stopReason, attempts,
   * status, truncated (inputs cut to fit), structured (whether structured output was used). */
  details: Record<string, unknown>;
  usage: JudgeUsage;
  /** Judge cost of this call from the configured prices, dollars. */
  costDollars: number;
  /** Wall time of the call including retries and waits for the rate limit, milliseconds. */
  latencyMs: number;
}

/** A configured judge. */
export interface Judge {
  /** Criteria judged by evaluateAll, in order (composite not included). */
  criteria: string[];
  /** Judges `sample` on one criterion. Never throws for a judge failure: outcome "error". */
  evaluate(sample: EvaluationSample, criterion: string): Promise<JudgeResult>;
  /** Judges every configured criterion, then adds the composite when weights are set. */
  evaluateAll(sample: EvaluationSample): Promise<JudgeResult[]>;
  /** The label `criterion` (or "composite") gets now; it changes when the API serves another model. */
  labelFor(criterion: string): string;
  /** Frees the client (the Bedrock SDK's sockets). */
  close(): void;
}

/** Creates the client for `config.provider`. */
export function createJudgeClient(
  config: JudgeConfig,
  logger: Logger,
): JudgeClient & { close?(): void } {
  if (config.provider === 'anthropic') return createAnthropicClient(config, logger);
  if (config.provider === 'bedrock') return createBedrockClient(config, logger);
  return createOpenaiClient(config, logger);
}

const NO_USAGE: JudgeUsage = { inputTokens: 0, outputTokens: 0 };

function rawOf(reply: ChatReply): string | null {
  const raw = reply.structured !== undefined ? JSON.stringify(reply.structured) : reply.text;
  return raw === null || raw === undefined ? null : raw.slice(0, RAW_REPLY_CHARS);
}

/**
 * Creates a judge. `opts.client` replaces the provider client (tests). Throws LlmwatchError
 * `judge_config` when a configured criterion has no rubric.
 */
export function createJudge(
  config: JudgeConfig,
  opts: { logger?: Logger; client?: JudgeClient & { close?(): void } } = {},
): Judge {
  const logger = opts.logger ?? createSilentLogger();
  const rubrics = new Map(resolveRubrics(config).map((r) => [r.name, r]));
  const client = opts.client ?? createJudgeClient(config, logger);
  const limiter = createLimiter(config);
  let modelReturned: string | null = null;

  const criterionLabel = (criterion: string): string => {
    const rubric = rubrics.get(criterion);
    return judgeLabel(
      judgeIdentity({
        provider: client.provider,
        modelSent: client.modelSent,
        modelReturned,
        temperature: config.temperature,
        topP: config.topP ?? null,
        maxTokens: config.maxTokens,
        criterion,
        rubricVersion: rubric?.version ?? 'none',
      }),
    );
  };
  const weights = config.composite.weights;
  const compositeParts = Object.keys(weights).filter((k) => (weights[k] ?? 0) > 0);
  const labelFor = (criterion: string): string =>
    criterion === 'composite'
      ? compositeLabel(compositeParts.map(criterionLabel), weights, config.composite.unsafeCap)
      : criterionLabel(criterion);
  const costOf = (usage: JudgeUsage) =>
    (usage.inputTokens * config.priceDollarsPerMillionInputTokens +
      usage.outputTokens * config.priceDollarsPerMillionOutputTokens) /
    1e6;

  const judgeOne = async (sample: EvaluationSample, rubric: Rubric): Promise<JudgeResult> => {
    const startedMs = performance.now();
    const base = { criterion: rubric.name, usage: NO_USAGE, costDollars: 0 };
    if (typeof sample.responseText !== 'string') {
      return {
        ...base,
        outcome: 'error',
        judge: labelFor(rubric.name),
        reasoning: null,
        latencyMs: 0,
        details: { reason: 'no_response_text' },
      };
    }
    const prompt = buildJudgePrompt(
      rubric,
      { requestText: requestTextOf(sample.request), responseText: sample.responseText },
      config.maxInputChars,
    );
    let reply: ChatReply;
    try {
      reply = await limiter.run(() =>
        client.complete({
          system: prompt.system,
          user: prompt.user,
          schema: { name: JUDGMENT_TOOL_NAME, schema: judgmentSchema(rubric) },
          temperature: config.temperature,
          topP: config.topP,
          maxTokens: config.maxTokens,
        }),
      );
    } catch (err) {
      const e = err instanceof JudgeCallError ? err : undefined;
      const details = {
        reason: e?.kind ?? 'internal',
        status: e?.status,
        attempts: e?.attempts,
        message: (err as Error).message,
      };
      logger.warn(
        {
          criterion: rubric.name,
          component: sample.component,
          kind: details.reason,
          status: details.status,
        },
        'judge call failed',
      );
      return {
        ...base,
        outcome: 'error',
        judge: labelFor(rubric.name),
        reasoning: null,
        latencyMs: performance.now() - startedMs,
        details,
      };
    }

    if (reply.modelReturned !== null) modelReturned = reply.modelReturned;
    const judgment = parseJudgment(rubric, reply);
    const details: Record<string, unknown> = {
      rawReply: rawOf(reply),
      stopReason: reply.stopReason,
      attempts: reply.attempts,
      structured: reply.structuredUsed,
      modelReturned: reply.modelReturned,
      truncated: prompt.truncated,
    };
    if (judgment.outcome === 'scored')
      Object.assign(details, { value: judgment.value, via: judgment.via });
    else Object.assign(details, { reason: judgment.reason });
    if (judgment.outcome !== 'scored') {
      logger.warn(
        {
          criterion: rubric.name,
          component: sample.component,
          outcome: judgment.outcome,
          reason: judgment.reason,
        },
        'judge reply not scored',
      );
    }
    return {
      criterion: rubric.name,
      outcome: judgment.outcome,
      ...(judgment.outcome === 'scored' ? { score: judgment.score } : {}),
      judge: labelFor(rubric.name),
      reasoning: judgment.reasoning,
      details,
      usage: reply.usage,
      costDollars: costOf(reply.usage),
      latencyMs: performance.now() - startedMs,
    };
  };

  const composite = (results: JudgeResult[]): JudgeResult | null => {
    if (compositeParts.length === 0) return null;
    const scores = Object.fromEntries(results.map((r) => [r.criterion, r.score]));
    const safety = results.find((r) => r.criterion === 'safety');
    const safetyLabel =
      typeof safety?.details.value === 'string' ? safety.details.value : undefined;
    const outcome = computeComposite({ scores, safetyLabel }, weights, config.composite.unsafeCap);
    const parts = compositeParts;
    const judge = labelFor('composite');
    const common = {
      criterion: 'composite',
      judge,
      reasoning: null,
      usage: NO_USAGE,
      costDollars: 0,
      latencyMs: 0,
    };
    if (outcome.outcome === 'error')
      return {
        ...common,
        outcome: 'error',
        details: { reason: 'missing_criteria', missing: outcome.missing },
      };
    return {
      ...common,
      outcome: 'scored',
      score: outcome.score,
      details: { capped: outcome.capped, parts },
    };
  };

  return {
    criteria: [...rubrics.keys()],
    labelFor,
    async evaluate(sample, criterion) {
      const rubric = rubrics.get(criterion);
      if (rubric === undefined) {
        return {
          criterion,
          outcome: 'error',
          judge: labelFor(criterion),
          reasoning: null,
          details: { reason: 'unknown_criterion' },
          usage: NO_USAGE,
          costDollars: 0,
          latencyMs: 0,
        };
      }
      return judgeOne(sample, rubric);
    },
    async evaluateAll(sample) {
      const results = await Promise.all([...rubrics.values()].map((r) => judgeOne(sample, r)));
      const combined = composite(results);
      return combined === null ? results : [...results, combined];
    },
    close: () => client.close?.(),
  };
}
