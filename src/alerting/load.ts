/**
 * Finds rule files by glob and loads them. Globs support `*` and `?` within one path segment
 * and `**` for any number of directories; a pattern without wildcards names one file, which
 * must exist.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseRuleFile } from './rule-file.js';
import type { RuleGroup, RuleProblem } from './rule-types.js';

function segmentRegex(segment: string): RegExp {
  const body = segment
    .split('')
    .map((ch) =>
      ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}

function listDir(dir: string): Array<{ name: string; isDir: boolean }> {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((entry) => ({
      name: entry.name,
      isDir: entry.isDirectory(),
    }));
  } catch {
    return [];
  }
}

function walk(dir: string, segments: readonly string[], out: Set<string>): void {
  const [head, ...rest] = segments;
  if (head === undefined) {
    if (statSync(dir, { throwIfNoEntry: false })?.isFile()) out.add(dir);
    return;
  }
  if (head === '**') {
    walk(dir, rest, out);
    for (const entry of listDir(dir)) {
      if (entry.isDir) walk(join(dir, entry.name), segments, out);
    }
    return;
  }
  if (!/[*?]/.test(head)) {
    walk(join(dir, head), rest, out);
    return;
  }
  const re = segmentRegex(head);
  for (const entry of listDir(dir)) {
    if (re.test(entry.name)) walk(join(dir, entry.name), rest, out);
  }
}

/**
 * Expands glob patterns (relative ones against `baseDir`, default the working directory) into
 * a sorted list of existing files. Patterns that match nothing add nothing.
 */
export function expandGlobs(patterns: readonly string[], baseDir = process.cwd()): string[] {
  const out = new Set<string>();
  for (const pattern of patterns) {
    const absolute = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
    const [root, ...segments] = absolute.split('/');
    walk(root === '' ? '/' : (root ?? '/'), segments, out);
  }
  return [...out].sort();
}

/** Result of loading rule files. */
export interface LoadedRules {
  files: string[];
  groups: RuleGroup[];
  problems: RuleProblem[];
}

/**
 * Loads and validates the given files. Group names must be unique across files (a rule's key is
 * `group/alert`). `groups` is empty whenever any problem was found. Never throws.
 */
export function loadRuleFiles(files: readonly string[], defaultIntervalMs: number): LoadedRules {
  const groups: RuleGroup[] = [];
  const problems: RuleProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({ file, message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const parsed = parseRuleFile(text, file, defaultIntervalMs);
    problems.push(...parsed.problems);
    for (const [groupIndex, group] of parsed.groups.entries()) {
      const other = seen.get(group.name);
      if (other !== undefined) {
        problems.push({
          file,
          groupIndex,
          group: group.name,
          message: `group name "${group.name}" is also used in ${other}; group names must be unique`,
        });
      }
      seen.set(group.name, file);
      groups.push(group);
    }
  }
  return { files: [...files], groups: problems.length === 0 ? groups : [], problems };
}
