/**
 * The recording-rule evaluator: at every tick (aligned to the interval, like Prometheus) it
 * evaluates each rule's PromQL and hands the result to a sink as samples named after the rule.
 * Derived series (cost, capacity, per-component GPU use) are computed here once per interval, so
 * dashboards, alerts and Grafana read a few cheap series instead of re-running the joins.
 */
import { LlmwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { MetricRegistry } from '../ingest/registry.js';
import type { PromqlEngine, QueryResult } from '../promql/index.js';
import type { Labels, Sample } from '../store/types.js';
import { assertValidRules, type RecordingRule } from './validate.js';

/** Options of createRecordingRules. */
export interface RecordingRulesOptions {
  /** Evaluates the rules' PromQL. */
  engine: Pick<PromqlEngine, 'instantQuery'>;
  /**
   * Receives each rule's samples (and the prelude's), awaited before the next rule. For rules to
   * read series written earlier in the same tick, the sink must make them queryable before it
   * resolves (e.g. `writer.write(s); await writer.flush()`); otherwise they see the last tick's.
   */
  sink: (samples: Sample[]) => void | Promise<void>;
  /** The rules, evaluated in order. Validated at creation (see validateRules). */
  rules: readonly RecordingRule[];
  /** Evaluation interval in ms; ticks fall on multiples of it. Positive integer, e.g. 30000. */
  intervalMs: number;
  /** Warnings for failing rules (once per change of error), info when they recover. */
  logger: Logger;
  /** Name of this rule group in logs and metrics. Default "recording". */
  group?: string;
  /**
   * Samples written before the rules at each tick (e.g. price tables as info series); called
   * with the tick time in ms. Its errors count as a failure of the group's prelude.
   */
  prelude?: (timeMs: number) => Sample[];
  /** Where the failure and evaluation counters go; default: counted only in stats(). */
  registry?: MetricRegistry;
  /** Clock in Unix ms; default Date.now. */
  nowMs?: () => number;
}

/** Outcome of one tick. */
export interface TickResult {
  /** Evaluation time, Unix ms. */
  timeMs: number;
  /** Samples handed to the sink, prelude included. */
  samplesWritten: number;
  /** Rules (and prelude) that failed in this tick. */
  failures: number;
}

/** Counters since creation. */
export interface RecordingRulesStats {
  ticks: number;
  /** Ticks not evaluated because the previous one ran past them. */
  skippedTicks: number;
  /** Rule evaluations that failed (query, result shape or sink). */
  failures: number;
}

/** A running (or stopped) group of recording rules. */
export interface RecordingRules {
  /** Starts the timer; the first tick is the next multiple of intervalMs. Idempotent. */
  start(): void;
  /** Stops the timer and waits for a tick in progress to finish. */
  stop(): Promise<void>;
  /**
   * Evaluates every rule at `timeMs` (integer Unix ms) now, after any tick in progress; for
   * tests and manual runs. Never rejects for a failing rule (counted instead).
   */
  evaluateOnce(timeMs: number): Promise<TickResult>;
  stats(): RecordingRulesStats;
}

/** Parses a Prometheus JSON sample value ("NaN", "+Inf", "-Inf" or a decimal). */
function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Turns an instant-query result into samples named `rule.record`, with the rule's labels. */
export function resultToSamples(
  rule: RecordingRule,
  result: QueryResult,
  timeMs: number,
): Sample[] {
  let rows: Array<{ metric: Labels; value: string }>;
  if (result.resultType === 'vector') {
    rows = result.result.map((r) => ({ metric: r.metric, value: r.value[1] }));
  } else if (result.resultType === 'scalar') {
    rows = [{ metric: {}, value: result.result[1] }];
  } else {
    throw new LlmwatchError(
      'rules_bad_result',
      `rule ${rule.record} returned a ${result.resultType}; it must return an instant vector or scalar`,
    );
  }
  const seen = new Set<string>();
  return rows.map(({ metric, value }) => {
    const labels: Labels = { ...metric, ...rule.labels, __name__: rule.record };
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (seen.has(key)) {
      throw new LlmwatchError(
        'rules_duplicate_series',
        `rule ${rule.record} produced two samples with labels ${key} after adding its labels; ` +
          'aggregate by more labels or remove the conflicting rule label',
      );
    }
    seen.add(key);
    return { labels, timestampMs: timeMs, value: parseValue(value) };
  });
}

/**
 * Creates a rule group. Throws LlmwatchError "rules_invalid" listing every bad rule, or
 * "config_invalid" for a non-positive or fractional intervalMs. Call start() to run it.
 */
export function createRecordingRules(opts: RecordingRulesOptions): RecordingRules {
  const { engine, sink, rules, logger, prelude } = opts;
  const group = opts.group ?? 'recording';
  const nowMs = opts.nowMs ?? Date.now;
  if (!Number.isSafeInteger(opts.intervalMs) || opts.intervalMs <= 0) {
    throw new LlmwatchError(
      'config_invalid',
      `recording rules interval must be a positive integer of ms like 30000, got ${opts.intervalMs}`,
    );
  }
  assertValidRules(rules);
  const intervalMs = opts.intervalMs;

  const failureFamily = opts.registry?.counter(
    'llmwatch_rule_evaluation_failures_total',
    'Recording-rule evaluations that failed (query error, bad result or sink error).',
  );
  const evaluationFamily = opts.registry?.counter(
    'llmwatch_rule_evaluations_total',
    'Recording-rule evaluations attempted.',
  );
  const stats: RecordingRulesStats = { ticks: 0, skippedTicks: 0, failures: 0 };
  /** Last error message per rule index (-1 is the prelude); absent when the last run was fine. */
  const lastErrors = new Map<number, string>();

  const noteOutcome = (index: number, name: string, err: unknown): void => {
    const previous = lastErrors.get(index);
    if (err === undefined) {
      if (previous !== undefined) logger.info({ group, rule: name, index }, 'rule recovered');
      lastErrors.delete(index);
      return;
    }
    stats.failures++;
    failureFamily?.series({ group, rule: name }).inc();
    const message = err instanceof Error ? err.message : String(err);
    if (message !== previous) {
      logger.warn({ group, rule: name, index, err: message }, 'rule evaluation failed');
    }
    lastErrors.set(index, message);
  };

  const runTick = async (timeMs: number): Promise<TickResult> => {
    stats.ticks++;
    let samplesWritten = 0;
    let failures = 0;
    if (prelude) {
      try {
        const samples = prelude(timeMs);
        await sink(samples);
        samplesWritten += samples.length;
        noteOutcome(-1, 'prelude', undefined);
      } catch (err) {
        failures++;
        noteOutcome(-1, 'prelude', err);
      }
    }
    for (const [index, rule] of rules.entries()) {
      evaluationFamily?.series({ group, rule: rule.record }).inc();
      try {
        const result = await engine.instantQuery(rule.expr, timeMs);
        const samples = resultToSamples(rule, result, timeMs);
        if (samples.length > 0) await sink(samples);
        samplesWritten += samples.length;
        noteOutcome(index, rule.record, undefined);
      } catch (err) {
        failures++;
        noteOutcome(index, rule.record, err);
      }
    }
    return { timeMs, samplesWritten, failures };
  };

  // One tick at a time: every evaluation chains onto the previous one.
  let chain: Promise<unknown> = Promise.resolve();
  const serialize = (timeMs: number): Promise<TickResult> => {
    const run = chain.then(() => runTick(timeMs));
    chain = run.catch(() => undefined);
    return run;
  };

  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let lastTickMs = -Infinity;

  const schedule = (): void => {
    if (!running) return;
    const now = nowMs();
    const nextMs = (Math.floor(now / intervalMs) + 1) * intervalMs;
    timer = setTimeout(() => void onTimer(), nextMs - now);
    timer.unref();
  };

  const onTimer = async (): Promise<void> => {
    timer = null;
    if (!running) return;
    // Evaluate at the latest aligned time; ticks passed over while busy or asleep are skipped.
    const tickMs = Math.floor(nowMs() / intervalMs) * intervalMs;
    if (lastTickMs > -Infinity && tickMs - lastTickMs > intervalMs) {
      stats.skippedTicks += Math.round((tickMs - lastTickMs) / intervalMs) - 1;
    }
    if (tickMs > lastTickMs) {
      lastTickMs = tickMs;
      await serialize(tickMs);
    }
    schedule();
  };

  return {
    start() {
      if (running) return;
      running = true;
      schedule();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await chain;
    },
    evaluateOnce(timeMs) {
      if (!Number.isSafeInteger(timeMs)) {
        return Promise.reject(
          new LlmwatchError(
            'rules_bad_time',
            `evaluateOnce needs an integer Unix time in ms, got ${timeMs}`,
          ),
        );
      }
      return serialize(timeMs);
    },
    stats: () => ({ ...stats }),
  };
}
