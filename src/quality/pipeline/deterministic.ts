/**
 * The deterministic evaluators the configuration enables, adapted for the pipeline.
 */
import type { QualityConfig } from '../config.js';
import {
  createCompletenessEvaluator,
  createFormatEvaluator,
  createRefusalEvaluator,
  createRegexRulesEvaluator,
  createToxicityEvaluator,
} from '../evaluators/index.js';
import { guarded, type Evaluator as DeterministicEvaluator } from '../evaluators/types.js';
import { adaptDeterministic, type Evaluator } from './evaluator.js';

/** Names of the deterministic evaluators, as used in `quality.pipeline.deterministic`. */
export type DeterministicName =
  'pii_leak' | 'toxicity' | 'refusal' | 'completeness' | 'format' | 'regex_rules';

/** Judge label names (without "det:" and version) per evaluator. */
const JUDGE_NAMES: Record<DeterministicName, string> = {
  pii_leak: 'pii-leak',
  toxicity: 'toxicity-lexicon',
  refusal: 'refusal',
  completeness: 'completeness',
  format: 'format',
  regex_rules: 'regex-rules',
};

/** A sample as the pipeline builds it: the redacted pair plus what redaction removed. */
export interface PipelineSample {
  /** PII spans redacted from the response, per type, counted before redaction. */
  responsePiiCounts?: Record<string, number>;
}

/**
 * Criterion `pii_leak` from the redaction counts: evaluators only ever see redacted text, so
 * the PII the response held is counted when the pair is redacted (for the component's
 * redaction types) and read back here. Score 1 when none, 0 when any; details.counts per type.
 */
function piiLeakFromCounts(): DeterministicEvaluator {
  return guarded('pii_leak', (sample) => {
    const raw = (sample as PipelineSample).responsePiiCounts ?? {};
    const counts = Object.fromEntries(Object.entries(raw).filter(([, n]) => n > 0));
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      criterion: 'pii_leak',
      outcome: 'scored',
      score: total === 0 ? 1 : 0,
      details: { counts },
    };
  });
}

/** Regex rules per component: the top-level rules plus the component's own. */
function regexRulesEvaluator(config: QualityConfig): DeterministicEvaluator {
  const shared = createRegexRulesEvaluator(config.regexRules);
  const byComponent = new Map<string, DeterministicEvaluator>();
  for (const [name, component] of Object.entries(config.components)) {
    if (component.regexRules === undefined || component.regexRules.length === 0) continue;
    byComponent.set(
      name,
      createRegexRulesEvaluator([...config.regexRules, ...component.regexRules]),
    );
  }
  return {
    criterion: 'regex_rules',
    evaluate: (sample) => (byComponent.get(sample.component) ?? shared).evaluate(sample),
  };
}

/**
 * Builds the enabled deterministic evaluators (default all six), each with judge label
 * "det:<name>@1" (e.g. "det:toxicity-lexicon@1"). PII leaks are read from the redaction
 * counts (see PipelineSample), so they follow the component's redaction types. Throws LlmwatchError `quality_regex_invalid` for a bad regex rule.
 */
export function createDeterministicEvaluators(
  config: QualityConfig,
  enabled: readonly DeterministicName[],
): Evaluator[] {
  const build: Record<DeterministicName, () => DeterministicEvaluator> = {
    pii_leak: () => piiLeakFromCounts(),
    toxicity: () => createToxicityEvaluator(),
    refusal: () => createRefusalEvaluator(),
    completeness: () => createCompletenessEvaluator(),
    format: () => createFormatEvaluator(config.format),
    regex_rules: () => regexRulesEvaluator(config),
  };
  return [...new Set(enabled)].map((name) => adaptDeterministic(build[name](), JUDGE_NAMES[name]));
}
