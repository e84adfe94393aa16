/**
 * What every judge client shares: the retry loop, the structured-output fallback on a 400, and
 * the latency measurement.
 */
import type { Logger } from '../../../core/log.js';
import type { JudgeConfig } from '../config.js';
import { withRetries, type RetryPolicy } from '../retry.js';
import { JudgeCallError, type ChatReply, type ChatRequest } from '../types.js';

/** A reply as one attempt produces it, before the call-level fields are added. */
export type AttemptReply = Omit<ChatReply, 'latencyMs' | 'attempts' | 'structuredUsed'>;

/** The retry policy from the judge configuration. */
export function retryPolicyOf(
  config: Pick<JudgeConfig, 'maxAttempts' | 'retryBaseMs' | 'retryMaxMs'>,
  logger: Logger,
): RetryPolicy {
  return {
    maxAttempts: config.maxAttempts,
    baseMs: config.retryBaseMs,
    maxMs: config.retryMaxMs,
    onRetry: (err, attempt, waitMs) =>
      logger.warn({ status: err.status, kind: err.kind, attempt, waitMs }, 'judge call retried'),
  };
}

/**
 * Calls `attempt` with retries. When the request asks for structured output and the provider
 * answers 400, asks once more (with retries) without the schema, relying on the JSON
 * instruction in the prompt; once that works, the schema is no longer sent by this client
 * (`state.schemaRejected`), so a model without structured output costs one failed call, not
 * one per evaluation. Other failures are thrown as they are.
 */
export async function completeWithFallback(
  request: ChatRequest,
  state: { schemaRejected: boolean },
  policy: RetryPolicy,
  attempt: (request: ChatRequest) => Promise<AttemptReply>,
  logger: Logger,
): Promise<ChatReply> {
  const startedMs = performance.now();
  const plain: ChatRequest = { ...request, schema: null };
  const useSchema = request.schema !== null && !state.schemaRejected;
  let attempts = 0;
  let reply: AttemptReply;
  try {
    const result = await withRetries(() => attempt(useSchema ? request : plain), policy);
    attempts = result.attempts;
    reply = result.value;
  } catch (err) {
    if (!(useSchema && err instanceof JudgeCallError && err.status === 400)) throw err;
    logger.warn({ status: 400 }, 'judge structured output rejected; using the JSON instruction');
    const result = await withRetries(() => attempt(plain), policy).catch((again: unknown) => {
      if (again instanceof JudgeCallError) again.attempts += err.attempts;
      throw again;
    });
    state.schemaRejected = true;
    attempts = err.attempts + result.attempts;
    reply = result.value;
    return { ...reply, attempts, structuredUsed: false, latencyMs: performance.now() - startedMs };
  }
  return {
    ...reply,
    attempts,
    structuredUsed: useSchema,
    latencyMs: performance.now() - startedMs,
  };
}

/** Reads a non-negative integer token count; anything else is 0. */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}

/** True for a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
