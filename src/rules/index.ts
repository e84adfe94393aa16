/** Public API of the recording-rule evaluator (reused by alerting for its rule queries). */
export {
  createRecordingRules,
  resultToSamples,
  type RecordingRules,
  type RecordingRulesOptions,
  type RecordingRulesStats,
  type TickResult,
} from './recording.js';
export { assertValidRules, validateRules, type RecordingRule } from './validate.js';
