/**
 * The simulated inference engine: a continuous-batching scheduler with a latency model, driven by
 * one timer for all requests (like vLLM's engine steps), which keeps the vLLM metrics truthful.
 *
 * Latency model (defaults resemble a 7B-13B model on one A100/H100-class GPU; every delay is
 * multiplied by `timeScale`):
 * - At most `maxRunning` requests run at once, and only while the KV tokens they hold plus the
 *   newcomer's prompt fit in `kvCapacityTokens`; the rest wait in FIFO order (num_requests_waiting).
 * - Time to first token = queue wait + ttftBaseMs + prefillMsPerToken x prompt tokens.
 * - Each later token comes itlBaseMs + itlPerRunningMs x (running - 1) after the previous one,
 *   so decoding slows mildly as the batch grows.
 * - Every delay gets seeded jitter of +/- jitterRatio.
 * - KV-cache usage = (prompt + generated tokens of running requests) / kvCapacityTokens, capped at 1.
 * Metrics use each token's scheduled wall-clock time; the actual write can lag by one timer tick.
 * Limitation: no preemption, no prefix caching, and no chunked prefill are simulated.
 */
import type { EngineGauges, FinishedReason, VllmMetrics } from './vllm-metrics.js';
import type { Random } from './tokens.js';

/** Tunable latency model; see the file comment for how each field is used. */
export interface LatencyModel {
  /** Maximum requests in the running batch. Default 32. */
  maxRunning: number;
  /** Fixed part of time to first token, in simulated ms. Default 30. */
  ttftBaseMs: number;
  /** Prefill cost per prompt token, in simulated ms. Default 0.25 (4,000 tokens/s). */
  prefillMsPerToken: number;
  /** Inter-token delay with one running request, in simulated ms. Default 25. */
  itlBaseMs: number;
  /** Extra inter-token delay per additional running request, in simulated ms. Default 0.5. */
  itlPerRunningMs: number;
  /** Relative jitter applied to every delay, 0..1. Default 0.1. */
  jitterRatio: number;
  /** KV-cache capacity in tokens. Default 65,536. */
  kvCapacityTokens: number;
}

/** Default latency model. */
export const DEFAULT_LATENCY_MODEL: LatencyModel = {
  maxRunning: 32,
  ttftBaseMs: 30,
  prefillMsPerToken: 0.25,
  itlBaseMs: 25,
  itlPerRunningMs: 0.5,
  jitterRatio: 0.1,
  kvCapacityTokens: 65_536,
};

/** One request handed to the engine. */
export interface EngineRequest {
  promptTokens: number;
  /** Exact number of tokens to generate (>= 1). */
  maxTokens: number;
  /** Called once per tick with the number (>= 1) of tokens newly generated. */
  onTokens: (count: number) => void;
  /** Called once when generation ends: `length` after maxTokens, `abort` on engine close. */
  onFinish: (reason: FinishedReason) => void;
}

interface Job {
  request: EngineRequest;
  arrivalMs: number;
  emitted: number;
  nextDueMs: number;
  lastDueMs: number;
}

/** The smallest real delay between two engine ticks, so tiny timeScales batch tokens per tick. */
const MIN_TICK_MS = 4;

/** Scheduler plus latency model; see the file comment. */
export class SimulatedEngine {
  private readonly model: LatencyModel;
  private readonly timeScale: number;
  private readonly random: Random;
  private readonly metrics: VllmMetrics;
  private readonly waiting: Job[] = [];
  private readonly running: Job[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Prompt tokens whose prefill finished (matches vllm:prompt_tokens_total). */
  promptTokensProcessed = 0;

  constructor(model: LatencyModel, timeScale: number, random: Random, metrics: VllmMetrics) {
    this.model = model;
    this.timeScale = timeScale;
    this.random = random;
    this.metrics = metrics;
  }

  /** Queues a request; returns a function that cancels it (counted as `abort`). */
  submit(request: EngineRequest): () => void {
    const now = performance.now();
    const job: Job = { request, arrivalMs: now, emitted: 0, nextDueMs: 0, lastDueMs: now };
    this.waiting.push(job);
    this.admit(now);
    this.reschedule();
    return () => this.cancel(job);
  }

  /** Current gauge values for /metrics. */
  gauges(): EngineGauges {
    const held = this.running.reduce((sum, job) => sum + this.heldTokens(job), 0);
    return {
      running: this.running.length,
      waiting: this.waiting.length,
      kvCacheUsageRatio: Math.min(1, held / this.model.kvCapacityTokens),
    };
  }

  /** Stops the timer and aborts every request (each gets onFinish('abort')). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const jobs = [...this.running, ...this.waiting];
    this.running.length = 0;
    this.waiting.length = 0;
    for (const job of jobs) {
      this.metrics.recordFinished('abort');
      job.request.onFinish('abort');
    }
  }

  private heldTokens(job: Job): number {
    return job.request.promptTokens + job.emitted;
  }

  private scaledMs(simulatedMs: number): number {
    const jitter = 1 + this.model.jitterRatio * (2 * this.random() - 1);
    return simulatedMs * jitter * this.timeScale;
  }

  private cancel(job: Job): void {
    const queue = this.running.includes(job) ? this.running : this.waiting;
    const index = queue.indexOf(job);
    if (index < 0) return;
    queue.splice(index, 1);
    this.metrics.recordFinished('abort');
    this.admit(performance.now());
    this.reschedule();
  }

  private admit(nowMs: number): void {
    let held = this.running.reduce((sum, job) => sum + this.heldTokens(job), 0);
    while (this.waiting.length > 0 && this.running.length < this.model.maxRunning) {
      const job = this.waiting[0] as Job;
      const fits = held + job.request.promptTokens <= this.model.kvCapacityTokens;
      if (!fits && this.running.length > 0) break;
      this.waiting.shift();
      this.running.push(job);
      held += job.request.promptTokens;
      this.metrics.queueTime.observe((nowMs - job.arrivalMs) / 1000);
      const prefillMs =
        this.model.ttftBaseMs + this.model.prefillMsPerToken * job.request.promptTokens;
      job.nextDueMs = nowMs + this.scaledMs(prefillMs);
    }
  }

  private reschedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running.length === 0) return;
    const earliest = Math.min(...this.running.map((job) => job.nextDueMs));
    const delayMs = Math.max(MIN_TICK_MS, earliest - performance.now());
    this.timer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    const now = performance.now();
    for (const job of [...this.running]) {
      const count = this.advance(job, now);
      if (count > 0) job.request.onTokens(count);
      if (job.emitted >= job.request.maxTokens) this.finish(job);
    }
    this.admit(now);
    this.reschedule();
  }

  /** Emits every token of `job` due by `nowMs`, recording TTFT and inter-token gaps. */
  private advance(job: Job, nowMs: number): number {
    let count = 0;
    while (job.emitted < job.request.maxTokens && job.nextDueMs <= nowMs) {
      if (job.emitted === 0) {
        this.metrics.timeToFirstToken.observe((job.nextDueMs - job.arrivalMs) / 1000);
        this.metrics.promptTokensTotal += job.request.promptTokens;
        this.promptTokensProcessed += job.request.promptTokens;
      } else {
        this.metrics.interToken.observe((job.nextDueMs - job.lastDueMs) / 1000);
      }
      job.lastDueMs = job.nextDueMs;
      job.emitted += 1;
      count += 1;
      const itlMs = this.model.itlBaseMs + this.model.itlPerRunningMs * (this.running.length - 1);
      job.nextDueMs += this.scaledMs(itlMs);
    }
    this.metrics.generationTokensTotal += count;
    return count;
  }

  private finish(job: Job): void {
    this.running.splice(this.running.indexOf(job), 1);
    this.metrics.e2eLatency.observe((job.lastDueMs - job.arrivalMs) / 1000);
    this.metrics.recordFinished('length');
    job.request.onFinish('length');
  }
}
