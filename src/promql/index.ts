/** Public API of the PromQL engine. */
export {
  createPromqlEngine,
  DEFAULT_LOOKBACK_DELTA_MS,
  MAX_RANGE_QUERY_STEPS,
  type PromPoint,
  type PromqlEngine,
  type PromqlEngineOptions,
  type QueryResult,
} from './engine.js';
export {
  DEFAULT_MAX_SAMPLES,
  DEFAULT_QUERY_TIMEOUT_MS,
  DEFAULT_YIELD_INTERVAL_MS,
  TIMEOUT_MESSAGE,
  TOO_MANY_SAMPLES_MESSAGE,
  type QueryOptions,
} from './limits.js';
export { DEFAULT_ROLLUP_MIN_SPAN_MS, ROLLUP_FUNCTIONS } from './rollup-plan.js';
export { parsePromql, type ParsedQuery } from './parse.js';
export { formatSampleValue } from './format.js';
export { createMemoryStore } from './memory-store.js';
