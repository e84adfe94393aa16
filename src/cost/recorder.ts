/**
 * The cost recorder: one recording-rule group that writes the price table (prices.ts) and then
 * evaluates the cost and capacity rules (rules.ts) every `cost.intervalSeconds`.
 */
import type { Logger } from '../core/log.js';
import type { MetricRegistry } from '../ingest/registry.js';
import type { PromqlEngine } from '../promql/index.js';
import { createRecordingRules, type RecordingRules } from '../rules/index.js';
import type { Sample } from '../store/types.js';
import type { CostConfig } from './config.js';
import { priceSamples } from './prices.js';
import { buildCostRules } from './rules.js';

/** Options of createCostRecorder. */
export interface CostRecorderOptions {
  /** The validated `cost` configuration section. */
  config: CostConfig;
  /** Evaluates the rules. */
  engine: Pick<PromqlEngine, 'instantQuery'>;
  /**
   * Receives price and derived samples. To have a tick's prices visible to the same tick's
   * rules, make them queryable before resolving (`writer.write(s); await writer.flush()`);
   * otherwise the first tick after start has no cost series and later ticks use the last
   * tick's prices (same values).
   */
  sink: (samples: Sample[]) => void | Promise<void>;
  logger: Logger;
  /** Evaluation interval in ms. Default: config.intervalSeconds × 1000. */
  intervalMs?: number;
  /** Counts rule failures as `llmwatch_rule_evaluation_failures_total{group="cost"}`. */
  registry?: MetricRegistry;
  /** Clock in Unix ms; default Date.now. */
  nowMs?: () => number;
}

/**
 * Creates the cost recorder (not started: call start(), and stop() on shutdown). Throws
 * LlmwatchError "rules_invalid" only on a bug in the generated rules, "config_invalid" for a bad
 * interval.
 */
export function createCostRecorder(opts: CostRecorderOptions): RecordingRules {
  const { config } = opts;
  return createRecordingRules({
    engine: opts.engine,
    sink: opts.sink,
    logger: opts.logger,
    registry: opts.registry,
    nowMs: opts.nowMs,
    group: 'cost',
    intervalMs: opts.intervalMs ?? config.intervalSeconds * 1000,
    rules: buildCostRules(config),
    prelude: (timeMs) => priceSamples(config, timeMs),
  });
}
