/** Public surface of the deterministic evaluators. */
export type { EvaluationResult, EvaluationSample, Evaluator } from './types.js';
export { createPiiLeakEvaluator } from './pii-leak.js';
export { createToxicityEvaluator, findToxicity, type ToxicityHit } from './toxicity.js';
export { LEXICON, type LexiconEntry, type Severity } from './lexicon.js';
export { createRefusalEvaluator, findRefusal } from './refusal.js';
export { createCompletenessEvaluator } from './completeness.js';
export { createFormatEvaluator, requestedFormat, type FormatOptions } from './format.js';
export { createRegexRulesEvaluator, compileRegexRules, type RegexRule } from './regex-rules.js';
