/** Public API of alert rule evaluation (the notification pipeline lives in ./notify). */
export {
  alertingConfigSchema,
  defaultRulesDir,
  ruleFilePatterns,
  type AlertingConfig,
} from './config.js';
export {
  createAlertEngine,
  type AlertEngine,
  type AlertEngineOptions,
  type AlertView,
  type ReloadResult,
  type TransitionView,
} from './engine.js';
export { answerAlertsApi, createAlertsApiHandler, type ApiAnswer } from './http.js';
export { runRulesCheck, runRulesTest, type CliOutput } from './cli.js';
export { expandGlobs, loadRuleFiles, type LoadedRules } from './load.js';
export { parseRuleFile } from './rule-file.js';
export {
  formatRuleProblem,
  type AlertRule,
  type RuleGroup,
  type RuleProblem,
} from './rule-types.js';
export type { HistoryFilter } from './state-db.js';
