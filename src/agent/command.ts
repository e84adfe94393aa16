/**
 * `llmwatch agent --config FILE`: reads the `agent:` section of FILE (the same YAML file as the
 * server's, or one holding only `agent:`), starts the agent and runs until SIGINT or SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { LlmwatchError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import { substituteEnv } from '../config/load.js';
import { createAgent, type Agent } from './agent.js';
import { agentConfigSchema, type AgentConfig } from './config.js';

/**
 * Loads and validates the agent section of `path`. Throws LlmwatchError `config_invalid` listing
 * every problem (with its `agent.` path), or `config_unreadable` when the file cannot be read.
 */
export function loadAgentConfig(path: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LlmwatchError(
      'config_unreadable',
      `config: cannot read ${path} (${(err as Error).message}); pass an existing file with --config`,
    );
  }
  const substituted = substituteEnv(text, env);
  const problems = substituted.problems.map((p) => `  - ${p.path}: ${p.message}`);
  let raw: unknown;
  try {
    raw = parse(substituted.text) as unknown;
  } catch (err) {
    problems.push(`  - YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const section = (raw as { agent?: unknown } | null | undefined)?.agent ?? {};
  const result = agentConfigSchema.safeParse(section);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(`  - ${['agent', ...issue.path.map(String)].join('.')}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) {
    throw new LlmwatchError(
      'config_invalid',
      `config: ${path} has ${problems.length} problem(s):\n${problems.join('\n')}`,
    );
  }
  return result.data;
}

/**
 * Runs the agent from `configPath` until SIGINT/SIGTERM; resolves after a clean stop. Throws
 * (before starting) on an invalid configuration or an unusable buffer directory.
 */
export async function runAgentCommand(
  configPath: string,
  logger: Logger = createLogger(),
): Promise<void> {
  const config = loadAgentConfig(configPath);
  const agent: Agent = createAgent({ config, logger });
  agent.start();
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await agent.stop();
}
