/** Runs every conformance script in testdata/ and returns the results per file. */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runScript, type CaseResult } from './promqltest.js';

/** The folder holding the copied upstream scripts. */
export const TESTDATA_DIR = fileURLToPath(new URL('./testdata/', import.meta.url));

/** Results of every `*.test` file, keyed by file name, files in name order. */
export async function runAllScripts(): Promise<Map<string, CaseResult[]>> {
  const files = (await readdir(TESTDATA_DIR)).filter((f) => f.endsWith('.test')).sort();
  const out = new Map<string, CaseResult[]>();
  for (const file of files) {
    out.set(file, await runScript(file, await readFile(TESTDATA_DIR + file, 'utf8')));
  }
  return out;
}

/** Pass, fail and skip counts of one file's results. */
export function countResults(results: readonly CaseResult[]): {
  pass: number;
  fail: number;
  skip: number;
} {
  const count = (status: CaseResult['status']): number =>
    results.filter((r) => r.status === status).length;
  return { pass: count('pass'), fail: count('fail'), skip: count('skip') };
}
