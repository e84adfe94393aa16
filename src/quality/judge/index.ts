/** Public surface of the LLM judge. */
export {
  judgeConfigSchema,
  customRubricSchema,
  BUILT_IN_CRITERIA,
  type JudgeConfig,
} from './config.js';
export {
  BUILT_IN_RUBRICS,
  SAFETY_RUBRIC,
  RELEVANCE_RUBRIC,
  TONE_RUBRIC,
  computeComposite,
  customRubric,
  resolveRubrics,
  type Rubric,
  type RubricLevel,
} from './rubrics.js';
export { PROMPT_VERSION, buildJudgePrompt, judgmentSchema, requestTextOf } from './prompt.js';
export { PARSER_VERSION, parseJudgment, type Judgment } from './parse.js';
export { judgeIdentity, judgeLabel, identityHash, type JudgeIdentity } from './identity.js';
export { parseRetryAfterMs, withRetries, backoffMs, type RetryPolicy } from './retry.js';
export { createJudge, createJudgeClient, type Judge, type JudgeResult } from './judge.js';
export {
  JudgeCallError,
  type ChatReply,
  type ChatRequest,
  type JudgeClient,
  type JudgeUsage,
} from './types.js';
export { createJudgeEvaluators, type JudgeEvaluator } from './evaluators.js';
