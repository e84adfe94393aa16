/**
 * CLI entry points for rule files, for the lead to wire as `llmwatch rules check <files...>`
 * and `llmwatch rules test <files...>` (commander). Both return the process exit code.
 */
import { expandGlobs, loadRuleFiles } from './load.js';
import { formatRuleProblem } from './rule-types.js';
import { runRulesTestFile } from './rules-test.js';

/** Output sinks; default stdout and stderr. */
export interface CliOutput {
  out?: (line: string) => void;
  err?: (line: string) => void;
}

function expandArgs(files: readonly string[]): string[] {
  return files.flatMap((file) => (/[*?]/.test(file) ? expandGlobs([file]) : [file]));
}

/**
 * Checks rule files like `promtool check rules`: prints every problem with its file, group and
 * rule, or a summary per file. Returns 0 when all are valid, 1 otherwise (also for no files).
 */
export function runRulesCheck(files: readonly string[], output: CliOutput = {}): number {
  const out = output.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = output.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const paths = expandArgs(files);
  if (paths.length === 0) {
    err('rules check: no rule files given or matched; pass files like rules/*.yaml');
    return 1;
  }
  let failed = 0;
  for (const file of paths) {
    const loaded = loadRuleFiles([file], 60_000);
    if (loaded.problems.length === 0) {
      const rules = loaded.groups.reduce((n, g) => n + g.rules.length, 0);
      out(`${file}: SUCCESS: ${loaded.groups.length} group(s), ${rules} rule(s)`);
      continue;
    }
    failed++;
    err(`${file}: FAILED: ${loaded.problems.length} problem(s)`);
    for (const problem of loaded.problems) err(`  ${formatRuleProblem(problem)}`);
  }
  return failed === 0 ? 0 : 1;
}

/**
 * Runs rule unit-test files (see docs/alerting.md). Prints PASS/FAIL per test with the expected
 * and actual alerts; returns 0 when every test passed, 1 otherwise.
 */
export async function runRulesTest(
  files: readonly string[],
  output: CliOutput = {},
): Promise<number> {
  const out = output.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const paths = expandArgs(files);
  if (paths.length === 0) {
    (output.err ?? ((line: string) => process.stderr.write(`${line}\n`)))(
      'rules test: no test files given or matched; pass files like rules/tests/*.yaml',
    );
    return 1;
  }
  let failed = 0;
  for (const file of paths) failed += await runRulesTestFile(file, out);
  out(failed === 0 ? 'SUCCESS' : `FAILED: ${failed} test(s)`);
  return failed === 0 ? 0 : 1;
}
