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
export { parsePromql, type ParsedQuery } from './parse.js';
export { formatSampleValue } from './format.js';
export { createMemoryStore } from './memory-store.js';
