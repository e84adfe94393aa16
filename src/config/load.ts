/**
 * Loads `llmwatch.yaml`: substitutes `${ENV}` references, parses YAML, validates with the schema
 * and cross-field rules, and reports every problem at once with its path.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { LlmwatchError } from '../core/errors.js';
import { configSchema, type Config } from './schema.js';

/** One configuration problem: the dotted path of the field and what is wrong with it. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** Thrown when a configuration is invalid; `problems` lists every issue found. */
export class ConfigError extends LlmwatchError {
  readonly problems: ConfigProblem[];

  constructor(source: string, problems: ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`);
    super(
      'config_invalid',
      `config: ${source} has ${problems.length} problem(s):\n${lines.join('\n')}`,
    );
    this.problems = problems;
  }
}

/**
 * Replaces `${NAME}` with the environment variable NAME. `${NAME:-default}` uses the default when
 * NAME is unset. An unset variable without a default is a problem, reported with its line.
 */
export function substituteEnv(
  text: string,
  env: NodeJS.ProcessEnv,
): { text: string; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const lines = text.split('\n').map((line, index) =>
    line.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
      (_match, name: string, def?: string) => {
        const value = env[name];
        if (value !== undefined) return value;
        if (def !== undefined) return def;
        problems.push({
          path: `line ${index + 1}`,
          message: `environment variable ${name} is not set; set it or write \${${name}:-default}`,
        });
        return '';
      },
    ),
  );
  return { text: lines.join('\n'), problems };
}

/** Validates an already-parsed configuration object. Throws ConfigError listing all problems. */
export function validateConfig(raw: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: describeIssue(issue),
    }));
    throw new ConfigError(source, problems);
  }
  const problems = checkCrossFieldRules(result.data);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result.data;
}

/**
 * Parses and validates configuration text (YAML). Unset environment variables, YAML syntax errors
 * and schema problems are all reported together; schema checks run whenever the YAML parses.
 */
export function parseConfigText(
  text: string,
  source = 'configuration',
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const substituted = substituteEnv(text, env);
  const doc = parseDocument(substituted.text);
  const problems = [...substituted.problems];
  for (const err of doc.errors) {
    const line = err.linePos?.[0].line;
    problems.push({
      path: line ? `line ${line}` : '',
      message: `YAML: ${err.message.split('\n')[0]}`,
    });
  }
  if (doc.errors.length > 0) throw new ConfigError(source, problems);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    problems.push({ path: '', message: `YAML: ${(err as Error).message}; use fewer aliases` });
    throw new ConfigError(source, problems);
  }
  try {
    const config = validateConfig(raw, source);
    if (problems.length > 0) throw new ConfigError(source, problems);
    return config;
  } catch (err) {
    if (!(err instanceof ConfigError) || problems.length === 0) throw err;
    const merged = [...problems, ...err.problems.filter((p) => !problems.includes(p))];
    throw new ConfigError(source, merged);
  }
}

/** Reads and validates a configuration file. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LlmwatchError(
      'config_unreadable',
      `config: cannot read ${path} (${(err as Error).message}); pass an existing file with --config`,
    );
  }
  return parseConfigText(text, path, env);
}

/** Zod reports a bad record key as "Invalid key in record"; show the key's own problem instead. */
function describeIssue(issue: { code: string; message: string; issues?: unknown }): string {
  if (issue.code === 'invalid_key' && Array.isArray(issue.issues) && issue.issues.length > 0) {
    const inner = issue.issues[0] as { message?: string };
    if (inner.message) return inner.message;
  }
  return issue.message;
}

function checkCrossFieldRules(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const componentNames = new Map<string, number>();
  const modelOwners = new Map<string, string>();

  config.components.forEach((component, i) => {
    const previous = componentNames.get(component.name);
    if (previous !== undefined) {
      problems.push({
        path: `components.${i}.name`,
        message: `duplicate component "${component.name}" (also components.${previous}); names must be unique`,
      });
    }
    componentNames.set(component.name, i);

    component.models.forEach((model, j) => {
      const owner = modelOwners.get(model);
      if (owner !== undefined && owner !== component.name) {
        problems.push({
          path: `components.${i}.models.${j}`,
          message: `model "${model}" is already routed to component "${owner}"; route each model once`,
        });
      }
      modelOwners.set(model, component.name);
    });

    const copyNames = new Set<string>();
    component.copies.forEach((copy, j) => {
      if (copyNames.has(copy.name)) {
        problems.push({
          path: `components.${i}.copies.${j}.name`,
          message: `duplicate copy "${copy.name}" in component "${component.name}"`,
        });
      }
      copyNames.add(copy.name);
    });
  });

  if (config.scrape.timeoutSeconds >= config.scrape.intervalSeconds) {
    problems.push({
      path: 'scrape.timeoutSeconds',
      message: `must be below scrape.intervalSeconds (${config.scrape.intervalSeconds})`,
    });
  }
  return problems;
}
