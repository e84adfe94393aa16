/**
 * Running one leased job: calls its evaluator with a deadline, sorts the result into record,
 * retry or skip, and commits it with the job (see queue.ts).
 */
import type { Logger } from '../../core/log.js';
import {
  isRetryableError,
  normaliseOutcome,
  type Evaluator,
  type Outcome,
  type PipelineResult,
} from './evaluator.js';
import type { EvaluationFacts } from './metrics.js';
import type { EvaluationQueue, LeasedJob } from './queue.js';

/** What runJob needs from the pipeline. */
export interface WorkerDeps {
  queue: EvaluationQueue;
  logger: Logger;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** The evaluator's deadline, ms; it gets an aborted signal after this. */
  timeoutMs: number;
  /** Monotonic clock, ms, for latency. */
  monotonicMs: () => number;
  /** Wall clock, Unix ms, for record times. */
  wallMs: () => number;
  /** Aborted when the pipeline stops: the evaluation is abandoned, its job re-runs later. */
  stopSignal: AbortSignal;
  /** Called once per committed evaluation (metrics, spend). */
  onEvaluated(facts: EvaluationFacts, requestId: string): void;
}

/** Retry delay before try `attempt` + 1: base * 2^(attempt-1), capped, times 0.5..1 jitter. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full * (0.5 + Math.random() * 0.5));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A result with outcome "error" and `reason` in details. */
function errorOf(
  criterion: string,
  reason: string,
  extra: Record<string, unknown> = {},
): PipelineResult {
  return { criterion, outcome: 'error', details: { reason, ...extra } };
}

async function callEvaluator(
  evaluator: Evaluator,
  job: LeasedJob,
  timeoutMs: number,
  stopSignal: AbortSignal,
): Promise<{ result: PipelineResult | null } | { thrown: unknown }> {
  const controller = new AbortController();
  const onStop = () => controller.abort(new Error('quality pipeline stopping'));
  stopSignal.addEventListener('abort', onStop, { once: true });
  const timer = setTimeout(
    () => controller.abort(new Error(`evaluation timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    return { result: await evaluator.evaluate(job.sample, controller.signal) };
  } catch (err) {
    return { thrown: err };
  } finally {
    clearTimeout(timer);
    stopSignal.removeEventListener('abort', onStop);
  }
}

/**
 * Runs `job` with `evaluator` (undefined: not configured any more, recorded as error) and
 * commits the outcome. Never throws; a lost lease (another worker took over) is logged.
 */
export async function runJob(job: LeasedJob, evaluator: Evaluator | undefined, deps: WorkerDeps) {
  const log = {
    jobId: job.id,
    criterion: job.criterion,
    judge: job.judge,
    component: job.sample.component,
  };
  const startMs = deps.monotonicMs();
  let result: PipelineResult | null;
  if (evaluator === undefined) {
    result = errorOf(job.criterion, 'evaluator_not_configured');
  } else if (job.attempts > deps.maxAttempts) {
    result = errorOf(job.criterion, 'attempts_exhausted', { attempts: job.attempts - 1 });
  } else {
    const called = await callEvaluator(evaluator, job, deps.timeoutMs, deps.stopSignal);
    if (deps.stopSignal.aborted) return; // stopping: the job stays leased and re-runs on start
    const canRetry = job.attempts < deps.maxAttempts;
    if ('thrown' in called) {
      if (canRetry && isRetryableError(called.thrown))
        return retry(job, describe(called.thrown), deps);
      result = errorOf(job.criterion, describe(called.thrown), { attempts: job.attempts });
    } else {
      result = called.result;
      if (
        result !== null &&
        result.outcome === 'error' &&
        result.details?.retryable === true &&
        canRetry
      ) {
        return retry(job, String(result.details.reason ?? 'retryable error'), deps);
      }
    }
  }
  const latencyMs = deps.monotonicMs() - startMs;

  if (result === null) {
    deps.queue.skip(job);
    return;
  }
  let outcome: Outcome = normaliseOutcome(result.outcome);
  let score: number | null = null;
  const details = { ...(result.details ?? {}) };
  if (outcome === 'scored') {
    if (typeof result.score === 'number' && result.score >= 0 && result.score <= 1)
      score = result.score;
    else {
      outcome = 'error';
      details.reason = 'invalid_score';
      details.score = String(result.score);
    }
  }
  const tokens = result.usage;
  const write = {
    outcome,
    score,
    reasoning: typeof result.reasoning === 'string' ? result.reasoning : null,
    details,
    latencyMs,
    inputTokens: tokens?.inputTokens ?? null,
    outputTokens: tokens?.outputTokens ?? null,
    costDollars: typeof result.costDollars === 'number' ? result.costDollars : null,
    createdAtMs: deps.wallMs(),
  };
  // Record the judge's label as it is now: an LLM judge learns the served model from its first
  // reply, which changes its label; the queue keys jobs by the label the evaluator started with.
  const recorded = evaluator === undefined ? job : { ...job, judge: evaluator.judge };
  if (!deps.queue.complete(recorded, write)) {
    deps.logger.warn(log, 'evaluation lease lost; result discarded');
    return;
  }
  if (outcome === 'error')
    deps.logger.warn({ ...log, reason: details.reason }, 'evaluation failed');
  deps.onEvaluated(
    {
      component: job.sample.component,
      criterion: job.criterion,
      judge: recorded.judge,
      outcome,
      score,
      durationSeconds: latencyMs / 1000,
      inputTokens: write.inputTokens,
      outputTokens: write.outputTokens,
      costDollars: write.costDollars,
    },
    job.sample.requestId,
  );
}

function retry(job: LeasedJob, error: string, deps: WorkerDeps): void {
  const delayMs = retryDelayMs(job.attempts, deps.retryBaseMs, deps.retryMaxMs);
  deps.logger.warn(
    {
      jobId: job.id,
      criterion: job.criterion,
      judge: job.judge,
      attempt: job.attempts,
      delayMs,
      err: error,
    },
    'evaluation retried',
  );
  deps.queue.retry(job, delayMs, error);
}
