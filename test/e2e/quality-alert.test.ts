/**
 * End to end, quality to page: the demo runs on real traffic (slices of the Azure traces replayed
 * through the gateway), llmwatch's real OpenAI-compatible judge client scores labelled responses
 * from the OpenAI moderation set sent through the pairs API, the alert engine evaluates the
 * low-safety rule every second, and the notifier posts to a local webhook.
 *
 * The judge is a stand-in for a hosted judge (none can be reached from here): a local server on
 * 127.0.0.1 that speaks OpenAI's chat-completions wire format and answers the safety rubric by
 * looking the response text up in the labelled set: "unsafe" for texts from the unsafe side
 * (any moderation flag set), "safe" otherwise; relevance and tone get a fixed mid level (3 of 5).
 *
 * Story for component "code": 10 safe responses, then 10 unsafe ones (average safety 0.5, below
 * 0.8), then 60 safe ones (average over the window 70 / 80 = 0.875, above the 0.85 recovery
 * line). Component "conv" only ever gets safe ones. Expected: LowSafetyScore fires for "code"
 * only, exactly one firing notification reaches the webhook, then one resolved notice.
 *
 * The rule is a copy of the shipped LowSafetyScore (src/alerting/default-rules/quality.yaml):
 * the same expression over 10 minutes, thresholds, minimum sample count and labels, but
 * evaluated every 1 s instead of 1 m, pending for 2 s instead of 5 m and kept firing 1 s instead
 * of 5 m, so the whole story plays out in seconds. The shipped rule is left off
 * (`alerting.defaultRules: false`) because its group name would clash with the copy's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createSilentLogger } from '../../src/core/log.js';
import { runDemo, type DemoRun } from '../../src/demo/run.js';
import { findProjectRoot } from '../../src/demo/paths.js';
import {
  loadLabelledTexts,
  pairsFromTexts,
  postPairs,
  startStandInJudge,
  type LabelledText,
  type StandInJudge,
} from '../../src/demo/quality/index.js';
import {
  startRecordingServer,
  type RecordingServer,
} from '../../src/alerting/notify/test-servers.js';

const TEST_DEADLINE_MS = 60_000;
const startedAtMs = Date.now();

let dir: string;
let demo: DemoRun;
let judge: StandInJudge;
let hook: RecordingServer;
let safe: LabelledText[];
let unsafe: LabelledText[];
let safeCursor = 0;

interface WebhookMessage {
  status: 'firing' | 'resolved';
  alerts: { status: string; labels: Record<string, string> }[];
}

interface ApiAlert {
  rule: string;
  state: string;
  labels: Record<string, string>;
  value: number;
  component: string;
}

/** The shipped LowSafetyScore rule with test-sized timing (see the file comment). */
function testRuleFile(root: string): string {
  const shipped = parseYaml(
    readFileSync(join(root, 'src/alerting/default-rules/quality.yaml'), 'utf8'),
  ) as { groups: { name: string; rules: Record<string, unknown>[] }[] };
  const rule = shipped.groups[0]!.rules.find((r) => r.alert === 'LowSafetyScore');
  assert.ok(rule, 'the shipped quality rules have LowSafetyScore');
  const copy = { ...rule, for: '2s', keepFiringFor: '1s' };
  const path = join(dir, 'quality-test.yaml');
  writeFileSync(
    path,
    stringifyYaml({ groups: [{ name: 'llm-quality-test', interval: '1s', rules: [copy] }] }),
  );
  return path;
}

/** Sleeps until `check` returns a value (not undefined) or `timeoutMs` passes (then throws). */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) {
  const deadline = Date.now() + Math.min(timeoutMs, startedAtMs + TEST_DEADLINE_MS - Date.now());
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function nextSafe(count: number): LabelledText[] {
  const out = safe.slice(safeCursor, safeCursor + count);
  safeCursor += count;
  assert.equal(out.length, count, 'enough safe texts in the fixture');
  return out;
}

/** Sends pairs for both components, waits until all are evaluated, flushes the metrics. */
async function feed(code: LabelledText[], conv: LabelledText[], phase: string): Promise<void> {
  const timestampMs = Date.now();
  const pairs = [
    ...pairsFromTexts(code, {
      component: 'code',
      model: 'azure-code',
      idPrefix: phase,
      timestampMs,
    }),
    ...pairsFromTexts(conv, {
      component: 'conv',
      model: 'azure-conv',
      idPrefix: phase,
      timestampMs,
    }),
  ];
  assert.equal(await postPairs(demo.server.url, pairs), pairs.length);
  const counts = await demo.server.quality.drain(15_000);
  assert.equal(counts.pending + counts.leased, 0, `${phase}: every pair evaluated`);
  await demo.server.flush();
}

async function alerts(): Promise<ApiAlert[]> {
  const res = await fetch(`${demo.server.url}/api/llmwatch/alerts`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { alerts: ApiAlert[] }).alerts;
}

async function averageSafety(): Promise<Record<string, number>> {
  const query =
    'sum by (component) (increase(llm_quality_score_sum{criterion="safety"}[10m])) / ' +
    'sum by (component) (increase(llm_quality_score_count{criterion="safety"}[10m]))';
  const res = await fetch(
    `${demo.server.url}/api/v1/query?${new URLSearchParams({ query, time: String(Date.now() / 1000) })}`,
  );
  const body = (await res.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  // Sum and count are extrapolated by the same factor, so their ratio is exact up to rounding.
  const rounded = (text: string) => Math.round(Number(text) * 1e9) / 1e9;
  return Object.fromEntries(
    body.data.result.map((r) => [r.metric.component ?? '', rounded(r.value[1])]),
  );
}

function messages(): WebhookMessage[] {
  return hook.requests.map((r) => JSON.parse(r.body) as WebhookMessage);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llmwatch-quality-alert-'));
  const root = findProjectRoot();
  const texts = loadLabelledTexts(root);
  safe = texts.moderation.filter((t) => !t.bad);
  unsafe = texts.moderation.filter((t) => t.bad);
  // Replies name the served model, as OpenAI's do.
  judge = await startStandInJudge({ unsafeTexts: unsafe.map((t) => t.text) });
  hook = await startRecordingServer();
  const ruleFile = testRuleFile(root);

  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  demo = await runDemo(
    {
      port: 0,
      speedup: 200,
      limit: 40,
      storePath: join(dir, 'demo.db'),
      withLlama: false,
      keepServing: false,
      withGpus: false,
      qualityPairsPerComponent: 0,
      configOverrides: {
        quality: {
          // Quality comes only from the labelled pairs: no replayed request is sampled.
          sampling: { rate: 0, minSamplesPerWindow: 0 },
          pipeline: {
            pollMs: 20,
            defaultJudge: { concurrency: 16, ratePerSecond: 1000, burst: 1000 },
          },
          judge: {
            provider: 'openai',
            baseUrl: judge.baseUrl,
            model: 'stand-in-judge-2025-01-01',
            ratePerMinute: 100_000,
            concurrency: 16,
            maxAttempts: 2,
            timeoutMs: 5000,
          },
        },
        alerting: {
          defaultRules: false,
          ruleFiles: [ruleFile],
          reloadCheckSeconds: 0,
          externalUrl: 'http://127.0.0.1:9400',
        },
        notify: {
          route: {
            receiver: 'hook',
            groupBy: ['alertname', 'component'],
            groupWaitSeconds: 1,
            groupIntervalSeconds: 1,
            repeatIntervalSeconds: 3600,
          },
          receivers: [{ name: 'hook', webhook: [{ url: `${hook.url}/alerts` }] }],
        },
      },
    },
    createSilentLogger(),
    sink,
  );
});

after(async () => {
  await demo?.stop();
  await judge?.close();
  await hook?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the demo replay ran through the gateway', () => {
  for (const name of ['code', 'conv']) {
    assert.equal(demo.reports[name]!.sent, 40, name);
    assert.equal(demo.reports[name]!.failed, 0, name);
  }
});

test('low safety fires for the degraded component only, notifies once, then resolves', async () => {
  // Phase 1: safe responses on both components; nothing fires.
  await feed(nextSafe(10), nextSafe(10), 'p1');
  assert.deepEqual(await averageSafety(), { code: 1, conv: 1 });

  // Phase 2: unsafe responses on "code" only.
  await feed(unsafe.slice(0, 10), nextSafe(10), 'p2');
  assert.deepEqual(await averageSafety(), { code: 0.5, conv: 1 });
  assert.equal(judge.verdicts.unsafe, 10);
  const firing = await waitFor('LowSafetyScore to fire', 20_000, async () => {
    const found = (await alerts()).filter((a) => a.rule === 'LowSafetyScore');
    return found.some((a) => a.state === 'firing') ? found : undefined;
  });
  assert.deepEqual(
    firing.map((a) => [a.component, a.state, a.labels.severity]),
    [['code', 'firing', 'critical']],
  );
  assert.equal(firing[0]!.value, 0.5);
  const first = await waitFor('the firing notification', 10_000, async () =>
    messages().find((m) => m.status === 'firing'),
  );
  assert.deepEqual(
    first.alerts.map((a) => [a.status, a.labels.alertname, a.labels.component]),
    [['firing', 'LowSafetyScore', 'code']],
  );

  // Phase 3: safe responses again; the window average climbs to 70 / 80 = 0.875.
  await feed(nextSafe(60), nextSafe(10), 'p3');
  assert.deepEqual(await averageSafety(), { code: 0.875, conv: 1 });
  const resolved = await waitFor('the resolved notice', 20_000, async () =>
    messages().find((m) => m.status === 'resolved'),
  );
  assert.deepEqual(
    resolved.alerts.map((a) => [a.status, a.labels.alertname, a.labels.component]),
    [['resolved', 'LowSafetyScore', 'code']],
  );
  assert.deepEqual(
    (await alerts()).filter((a) => a.rule === 'LowSafetyScore'),
    [],
    'no LowSafetyScore instance left',
  );

  // A few more evaluation and notification rounds: nothing is sent again.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  assert.deepEqual(
    messages().map((m) => m.status),
    ['firing', 'resolved'],
  );
  assert.ok(hook.requests.every((r) => r.path === '/alerts'));
  assert.equal(judge.calls.safety, 110);
  assert.equal(judge.calls.relevance, 110);
  assert.ok(Date.now() - startedAtMs < TEST_DEADLINE_MS, 'the test stayed under 60 s');
});
