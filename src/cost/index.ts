/** Public API of cost and capacity: the config fragment, the rules and the recorder. */
export {
  costConfigSchema,
  effectiveInstanceTypes,
  EXAMPLE_INSTANCE_TYPES,
  tokenPriceSchema,
  type CostConfig,
  type InstanceTypePrice,
  type TokenPrice,
} from './config.js';
export { priceSamples } from './prices.js';
export { buildCostRules, COST_SERIES, tokenCostTerms } from './rules.js';
export { createCostRecorder, type CostRecorderOptions } from './recorder.js';
