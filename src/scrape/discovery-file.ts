/**
 * Target lists in Prometheus's file_sd format (JSON or YAML: a list of
 * `{targets: ["host:port", ...], labels: {...}}`) turned into scrape targets, with per-file
 * defaults and relabelling. Pure functions; discovery.ts watches the files.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LlmwatchError } from '../core/errors.js';
import type { Labels } from '../store/types.js';
import { TARGET_ENGINE_NAMES, type TargetEngine } from './engines.js';
import { relabel, type CompiledRelabelRule } from './relabel.js';
import type { ScrapeTarget } from './targets.js';

/** One file of targets and the defaults its targets get. */
export const fileTargetsSchema = z.strictObject({
  /** Path of a JSON or YAML file in file_sd format. Re-read when it changes. */
  path: z.string().min(1),
  /** URL scheme of its targets ("http" or "https"); a group's `__scheme__` label overrides. */
  scheme: z.enum(['http', 'https']).default('http'),
  /** Metrics path of its targets; a group's `__metrics_path__` label overrides. Default "/metrics". */
  metricsPath: z.string().startsWith('/').default('/metrics'),
  /** Engine of its targets; a group's `__engine__` label overrides. Default "auto" (detected). */
  engine: z.enum(TARGET_ENGINE_NAMES).default('auto'),
  /** Seconds between polls of the file, besides change notifications. Default 30. */
  refreshSeconds: z.number().positive().default(30),
});

/** One validated `scrape.fileTargets[]` entry. */
export type FileTargetsConfig = z.infer<typeof fileTargetsSchema>;

const groupSchema = z.strictObject({
  targets: z.array(z.string()),
  labels: z.record(z.string(), z.string()).default({}),
});
const fileSchema = z.array(groupSchema);

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED = new Set(['source', 'le', 'quantile']);
const ADDRESS = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/** The targets of one file and the problems with single targets (skipped, the rest kept). */
export interface FileTargetsResult {
  targets: ScrapeTarget[];
  /** One message per skipped target or dropped label, naming it. */
  problems: string[];
}

function invalid(path: string, detail: string): LlmwatchError {
  return new LlmwatchError(
    'discovery_file_invalid',
    `${path}: ${detail}; expected a list of {targets: ["host:port"], labels: {...}}`,
  );
}

/** Parses the file's text (YAML, which includes JSON). Throws `discovery_file_invalid`. */
export function parseTargetFile(path: string, text: string) {
  let data: unknown;
  try {
    data = text.trim() === '' ? [] : parseYaml(text);
  } catch (err) {
    const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw invalid(path, `not JSON or YAML (${detail})`);
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(path, `at [${issue?.path.join('][') ?? ''}] ${issue?.message ?? 'bad shape'}`);
  }
  return parsed.data;
}

function finishTarget(labels: Labels, problems: string[], where: string): ScrapeTarget | null {
  const address = labels.__address__ ?? '';
  const scheme = labels.__scheme__ ?? 'http';
  const path = labels.__metrics_path__ ?? '/metrics';
  const engine = labels.__engine__ ?? 'auto';
  if (!ADDRESS.test(address)) {
    problems.push(`${where}: address ${JSON.stringify(address)} is not "host:port"; skipped`);
    return null;
  }
  if ((scheme !== 'http' && scheme !== 'https') || !path.startsWith('/')) {
    problems.push(`${where}: scheme ${scheme} or metrics path ${path} is not usable; skipped`);
    return null;
  }
  if (!(TARGET_ENGINE_NAMES as readonly string[]).includes(engine)) {
    const known = TARGET_ENGINE_NAMES.join(', ');
    problems.push(`${where}: engine ${JSON.stringify(engine)} is not one of ${known}; skipped`);
    return null;
  }
  const own: Labels = {};
  for (const [name, value] of Object.entries(labels)) {
    if (name.startsWith('__') || value === '') continue;
    if (!LABEL_NAME.test(name) || RESERVED.has(name)) {
      problems.push(`${where}: label ${JSON.stringify(name)} is reserved or invalid; dropped`);
      continue;
    }
    own[name] = value;
  }
  return {
    url: `${scheme}://${address}${path}`,
    engine: engine as TargetEngine,
    labels: { endpoint: 'default', copy: address, ...own, source: 'engine' },
    model: own.model,
  };
}

/**
 * Turns a file's groups into targets: each address starts with `__address__`, `__scheme__`,
 * `__metrics_path__`, `__engine__` (file defaults), `__meta_filepath` and the group's labels,
 * goes through `rules`, and ends as URL `scheme://address/path` with the labels not starting
 * with `__`, `endpoint` "default" and `copy` = address unless set, and `source="engine"`.
 * Targets dropped by a rule vanish; unusable ones are skipped and named in `problems`.
 */
export function buildFileTargets(
  file: FileTargetsConfig,
  groups: ReturnType<typeof parseTargetFile>,
  rules: readonly CompiledRelabelRule[],
): FileTargetsResult {
  const targets: ScrapeTarget[] = [];
  const problems: string[] = [];
  groups.forEach((group, g) => {
    group.targets.forEach((address, t) => {
      const start: Labels = {
        __address__: address,
        __scheme__: file.scheme,
        __metrics_path__: file.metricsPath,
        __engine__: file.engine,
        __meta_filepath: file.path,
        ...group.labels,
      };
      const labels = relabel(start, rules);
      if (labels === null) return;
      const target = finishTarget(labels, problems, `${file.path} [${g}].targets[${t}]`);
      if (target) targets.push(target);
    });
  });
  return { targets, problems };
}
