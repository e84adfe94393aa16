/**
 * Unit tests for alert rules (`llmwatch rules test`), in the spirit of `promtool test rules`:
 * input series in the test-script notation, evaluation times, and the alert instances expected
 * at each time with their state, labels and annotations. See docs/alerting.md for the format.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { expandGlobs } from './load.js';
import { createSilentLogger } from '../core/log.js';
import { createMemoryStore, createPromqlEngine } from '../promql/index.js';
import type { Sample } from '../store/types.js';
import { alertingConfigSchema } from './config.js';
import { parseDurationMs } from './duration.js';
import { createAlertEngine, type AlertView } from './engine.js';
import { parseSeriesLabels, parseValues } from './series-notation.js';

const duration = z.string().refine((t) => parseDurationMs(t) !== undefined, {
  error: (issue) => `must be a duration like "5m", got ${JSON.stringify(issue.input)}`,
});

const expectedAlertSchema = z.strictObject({
  state: z.enum(['pending', 'firing', 'recovering', 'nodata', 'error']).default('firing'),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).optional(),
});

const testFileSchema = z.strictObject({
  rule_files: z.array(z.string().min(1)).min(1),
  evaluation_interval: duration.default('1m'),
  tests: z
    .array(
      z.strictObject({
        name: z.string().default(''),
        interval: duration.default('1m'),
        input_series: z
          .array(z.strictObject({ series: z.string(), values: z.string() }))
          .default([]),
        alert_rule_test: z.array(
          z.strictObject({
            eval_time: duration,
            alertname: z.string(),
            exp_alerts: z.array(expectedAlertSchema).default([]),
          }),
        ),
      }),
    )
    .min(1),
});

type TestCase = z.infer<typeof testFileSchema>['tests'][number];
type Expected = z.infer<typeof expectedAlertSchema>;

function samplesOf(test: TestCase): Sample[] {
  const stepMs = parseDurationMs(test.interval) as number;
  const samples: Sample[] = [];
  for (const input of test.input_series) {
    const labels = parseSeriesLabels(input.series);
    parseValues(input.values).forEach((value, step) => {
      if (value !== undefined) samples.push({ labels, timestampMs: step * stepMs, value });
    });
  }
  return samples;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function matches(expected: Expected, got: AlertView): boolean {
  if (expected.state !== got.state) return false;
  if (!sameLabels({ ...expected.labels, alertname: got.rule }, got.labels)) return false;
  return expected.annotations === undefined || sameLabels(expected.annotations, got.annotations);
}

function describe(alert: { state: string; labels: object; annotations?: object }): string {
  const shown = alert.annotations && Object.keys(alert.annotations).length > 0;
  const annotations = shown ? ` annotations=${JSON.stringify(alert.annotations)}` : '';
  return `${alert.state} ${JSON.stringify(alert.labels)}${annotations}`;
}

/** Runs one test case; returns its failure messages (empty when it passed). */
async function runCase(test: TestCase, ruleFiles: string[], evalMs: number): Promise<string[]> {
  const store = createMemoryStore();
  await store.append(samplesOf(test));
  const config = alertingConfigSchema.parse({
    ruleFiles,
    defaultRules: false,
    evaluationIntervalSeconds: evalMs / 1000,
    reloadCheckSeconds: 0,
  });
  const engine = createAlertEngine({
    config,
    engine: createPromqlEngine(store),
    sink: { send: async () => undefined },
    logger: createSilentLogger(),
    dbPath: ':memory:',
  });
  const failures: string[] = [];
  try {
    const checks = [...test.alert_rule_test].sort(
      (a, b) => (parseDurationMs(a.eval_time) as number) - (parseDurationMs(b.eval_time) as number),
    );
    let nextMs = 0;
    for (const check of checks) {
      const atMs = parseDurationMs(check.eval_time) as number;
      for (; nextMs <= atMs; nextMs += evalMs) await engine.evaluateOnce(nextMs);
      const got = engine.alerts().filter((a) => a.rule === check.alertname);
      const missing = check.exp_alerts.filter((e) => !got.some((g) => matches(e, g)));
      const extra = got.filter((g) => !check.exp_alerts.some((e) => matches(e, g)));
      if (missing.length > 0 || extra.length > 0) {
        failures.push(
          `alertname ${check.alertname} at ${check.eval_time}:\n` +
            `      expected: [${check.exp_alerts.map(describe).join(', ')}]\n` +
            `      got:      [${got.map(describe).join(', ')}]`,
        );
      }
    }
  } finally {
    await engine.stop();
    await store.close();
  }
  return failures;
}

/**
 * Runs every test of one test file; `print` receives the report lines. Returns the number of
 * failed tests (a file that cannot be read or parsed counts as one failure).
 */
export async function runRulesTestFile(
  file: string,
  print: (line: string) => void,
): Promise<number> {
  let parsed: z.infer<typeof testFileSchema>;
  try {
    const doc = parseDocument(readFileSync(file, 'utf8'));
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    const result = testFileSchema.safeParse(doc.toJS());
    if (!result.success) {
      throw new Error(
        result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      );
    }
    parsed = result.data;
  } catch (err) {
    print(`${file}: FAILED to load: ${(err as Error).message}`);
    return 1;
  }
  const ruleFiles = parsed.rule_files.map((f) => resolve(dirname(file), f));
  const unmatched = parsed.rule_files.filter((_, i) => expandGlobs([ruleFiles[i]!]).length === 0);
  if (unmatched.length > 0) {
    const names = unmatched.map((f) => JSON.stringify(f)).join(', ');
    print(`${file}: FAILED to load: rule_files ${names} match no file; fix the path or the glob`);
    return 1;
  }
  const evalMs = parseDurationMs(parsed.evaluation_interval) as number;
  let failed = 0;
  for (const [index, test] of parsed.tests.entries()) {
    const name = test.name || `tests[${index}]`;
    let failures: string[];
    try {
      failures = await runCase(test, ruleFiles, evalMs);
    } catch (err) {
      failures = [(err as Error).message];
    }
    if (failures.length === 0) {
      print(`${file}: ${name}: PASS`);
      continue;
    }
    failed++;
    print(`${file}: ${name}: FAIL`);
    for (const failure of failures) print(`    ${failure}`);
  }
  return failed;
}
