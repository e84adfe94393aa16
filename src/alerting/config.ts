/**
 * The `alerting` section of `llmwatch.yaml` (a zod fragment the main schema includes).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const alertingConfigSchema = z
  .strictObject({
    /** Evaluate alert rules at all. Default true. */
    enabled: z.boolean().default(true),
    /** Glob patterns of rule files (`*`, `?`, `**`), relative to the working directory. */
    ruleFiles: z.array(z.string().min(1)).default([]),
    /** Also load the rules shipped with llmwatch (src/alerting/default-rules). Default true. */
    defaultRules: z.boolean().default(true),
    /** Interval of groups without their own `interval`, in seconds. Default 60. */
    evaluationIntervalSeconds: z.number().positive().default(60),
    /** SQLite file holding alert states, timers and history. Default "./data/alerting.db". */
    statePath: z.string().min(1).default('./data/alerting.db'),
    /** Base URL of llmwatch as users reach it, for the alerts' generator links. */
    externalUrl: z.string().url().default('http://127.0.0.1:9400'),
    /** How long resolved alerts keep being re-sent, in minutes. Default 15 (as Prometheus). */
    resolvedRetentionMinutes: z.number().min(0).default(15),
    /** Age after which transition history is deleted, in days. Default 30. */
    historyRetentionDays: z.number().positive().default(30),
    /** How often rule files are checked for changes, in seconds; 0 turns watching off. */
    reloadCheckSeconds: z.number().min(0).default(5),
  })
  .prefault({});

/** The parsed `alerting` section. */
export type AlertingConfig = z.infer<typeof alertingConfigSchema>;

/**
 * Folder of the rule files shipped with llmwatch: beside this file when run from source, or
 * src/alerting/default-rules under the package root when run from dist/.
 */
export function defaultRulesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'default-rules'),
    join(here, '..', '..', 'src', 'alerting', 'default-rules'),
  ];
  return candidates.find((dir) => existsSync(dir)) ?? (candidates[0] as string);
}

/** Every rule-file pattern the configuration names, the shipped rules first. */
export function ruleFilePatterns(config: AlertingConfig): string[] {
  const patterns = config.defaultRules ? [join(defaultRulesDir(), '*.yaml')] : [];
  return [...patterns, ...config.ruleFiles];
}
