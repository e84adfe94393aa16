/**
 * The recorded expectations of the conformance run: passing counts per file
 * (expected-passes.json) and every failing case with its reason (known-failures.json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from './promqltest.js';

/** One failing case that is known and explained. */
export interface KnownFailure {
  file: string;
  line: number;
  expr: string;
  reason: string;
}

const PASSES_PATH = fileURLToPath(new URL('./expected-passes.json', import.meta.url));
const FAILURES_PATH = fileURLToPath(new URL('./known-failures.json', import.meta.url));

/** Minimum passing cases per file. */
export function readExpectedPasses(): Record<string, number> {
  return JSON.parse(readFileSync(PASSES_PATH, 'utf8')) as Record<string, number>;
}

/** Known failing cases. */
export function readKnownFailures(): KnownFailure[] {
  return JSON.parse(readFileSync(FAILURES_PATH, 'utf8')) as KnownFailure[];
}

/** Key identifying a case across runs. */
export function caseKey(c: { file: string; line: number }): string {
  return `${c.file}:${c.line}`;
}

/** Reasons that apply to whole files: features llmwatch leaves out. */
const FILE_REASONS: Record<string, string> = {
  'duration_expression.test': 'duration expressions (experimental) are not implemented',
  'extended_vectors.test': 'anchored/smoothed range selectors (experimental) are not implemented',
  'fill-modifier.test': 'the fill modifiers of binary operators (experimental) are not implemented',
  'info.test': 'info() (experimental) is not implemented',
  'start_timestamps.test':
    'the store keeps no start timestamps, so start-timestamp-aware functions differ',
  'type_and_unit.test':
    'type-and-unit labels (__type__, __unit__; experimental) are not implemented',
};

/** A reason for a new failure derived from its file and error; reviewed by hand afterwards. */
export function describeFailure(result: CaseResult): string {
  const detail = result.detail ?? '';
  const fileReason = FILE_REASONS[result.file];
  if (fileReason) return fileReason;
  const unsupported = /unsupported: (.*) is not implemented yet/.exec(detail);
  if (unsupported) return `${unsupported[1]} is not implemented`;
  const unknown = /unknown function with name "([^"]+)"/.exec(detail);
  if (unknown) return `function ${unknown[1]}() (experimental) is not known to the PromQL grammar`;
  if (detail.includes('parse error: unexpected')) {
    return 'the PromQL grammar of @prometheus-io/lezer-promql rejects this syntax';
  }
  if (detail.startsWith('failed as expected')) {
    return "fails as expected, but the error message differs from Prometheus's";
  }
  return `wrong result: ${detail}`;
}

/** Rewrites both files from a run, keeping the reasons already written. */
export function writeKnownCases(all: Map<string, CaseResult[]>): void {
  const previous = new Map(readKnownFailures().map((f) => [caseKey(f), f]));
  const passes: Record<string, number> = {};
  const failures: KnownFailure[] = [];
  for (const [file, results] of all) {
    passes[file] = results.filter((r) => r.status === 'pass').length;
    for (const r of results) {
      if (r.status !== 'fail') continue;
      const reason = previous.get(caseKey(r))?.reason ?? describeFailure(r);
      failures.push({ file, line: r.line, expr: r.expr, reason });
    }
  }
  writeFileSync(PASSES_PATH, JSON.stringify(passes, null, 2) + '\n');
  writeFileSync(FAILURES_PATH, JSON.stringify(failures, null, 2) + '\n');
}
