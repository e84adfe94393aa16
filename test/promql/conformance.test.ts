/**
 * Runs Prometheus's own PromQL test scripts (testdata/, Apache-2.0) against the engine. Fails
 * when a file passes fewer cases than expected-passes.json records, or when a case fails that
 * known-failures.json does not list with a reason. After an improvement, regenerate both with
 * `node --import tsx test/promql/report.ts --update`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseKey, readExpectedPasses, readKnownFailures } from './known-cases.js';
import { countResults, runAllScripts } from './run-all.js';

test('PromQL conformance scripts pass at least the recorded cases, failures are all known', async () => {
  const all = await runAllScripts();
  const expectedPasses = readExpectedPasses();
  const known = new Map(readKnownFailures().map((f) => [caseKey(f), f]));

  const regressions: string[] = [];
  const unknownFailures: string[] = [];
  for (const [file, results] of all) {
    const { pass } = countResults(results);
    const minimum = expectedPasses[file] ?? 0;
    if (pass < minimum) regressions.push(`${file}: ${pass} passing, expected at least ${minimum}`);
    for (const r of results) {
      if (r.status !== 'fail') continue;
      const entry = known.get(caseKey(r));
      if (!entry || entry.expr !== r.expr || entry.reason.trim() === '') {
        unknownFailures.push(`${r.file}:${r.line} ${r.expr} => ${r.detail}`);
      }
    }
  }
  assert.deepEqual(regressions, []);
  assert.deepEqual(unknownFailures, []);
  assert.deepEqual(Object.keys(expectedPasses).sort(), [...all.keys()].sort());
});
