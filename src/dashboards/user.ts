/**
 * User dashboards: YAML files (one dashboard each) in the configured folder next to the
 * configuration, validated like the configuration and served alongside the built-ins.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from '../config/load.js';
import { BUILTIN_DASHBOARDS } from './builtins.js';
import { dashboardDefinitionSchema, type DashboardsConfig } from './schema.js';
import type { DashboardDefinition } from './types.js';

/**
 * Turns a file-name pattern into a RegExp: `*` any run of characters, `?` one character,
 * `{a,b}` either alternative; everything else literal. Patterns never match across "/".
 */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) out += '\\{';
      else {
        const alts = pattern.slice(i + 1, end).split(',');
        out += `(?:${alts.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`;
        i = end;
      }
    } else out += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Validates one parsed YAML value as a dashboard; problems are prefixed with `file`. */
export function validateDashboard(
  raw: unknown,
  file: string,
): { dashboard?: DashboardDefinition; problems: ConfigProblem[] } {
  const result = dashboardDefinitionSchema.safeParse(raw ?? {});
  if (result.success) return { dashboard: result.data, problems: [] };
  return {
    problems: result.error.issues.map((issue) => ({
      path: `${file}: ${issue.path.map(String).join('.') || '(root)'}`,
      message: issue.message,
    })),
  };
}

/**
 * Loads every user dashboard matching `config.include` in `config.directory` (relative to
 * `configDir`), sorted by file name. A missing folder yields []. Throws ConfigError (code
 * "config_invalid") listing every problem of every file at once: YAML syntax, schema, and ids
 * that repeat a built-in's or another file's id.
 */
export function loadUserDashboards(
  config: DashboardsConfig,
  configDir: string,
): DashboardDefinition[] {
  const dir = isAbsolute(config.directory)
    ? config.directory
    : resolve(configDir, config.directory);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError(dir, [{ path: 'dashboards.directory', message: (err as Error).message }]);
  }
  const pattern = globToRegExp(config.include);
  const seen = new Map(BUILTIN_DASHBOARDS.map((d) => [d.id, 'built-in dashboards']));
  const dashboards: DashboardDefinition[] = [];
  const problems: ConfigProblem[] = [];

  for (const name of names.filter((n) => pattern.test(n))) {
    const file = join(dir, name);
    const doc = parseDocument(readFileSync(file, 'utf8'));
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const line = err.linePos?.[0].line;
        problems.push({
          path: `${file}: line ${line ?? '?'}`,
          message: `YAML: ${err.message.split('\n')[0]}`,
        });
      }
      continue;
    }
    const checked = validateDashboard(doc.toJS(), file);
    problems.push(...checked.problems);
    if (!checked.dashboard) continue;
    const owner = seen.get(checked.dashboard.id);
    if (owner !== undefined) {
      problems.push({
        path: `${file}: id`,
        message: `id ${JSON.stringify(checked.dashboard.id)} is already used by ${owner}; choose another id`,
      });
      continue;
    }
    seen.set(checked.dashboard.id, file);
    dashboards.push(checked.dashboard);
  }
  if (problems.length > 0) throw new ConfigError(`dashboards in ${dir}`, problems);
  return dashboards;
}
