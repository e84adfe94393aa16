/**
 * End to end on real traffic: slices of the real Azure traces are replayed through the llmwatch
 * gateway to simulated vLLM copies, and PromQL over the embedded store must give back exactly the
 * counts and token sums the trace implies.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/load.js';
import { createSilentLogger } from '../../src/core/log.js';
import { startLlmwatch, type LlmwatchServer } from '../../src/server/app.js';
import { startSimulator, type Simulator } from '../../src/demo/simulator/server.js';
import { loadAzureTrace, sliceTrace, type TraceRequest } from '../../src/demo/trace/azure.js';
import { REQUEST_DURATION_BUCKETS_SECONDS } from '../../src/gateway/index.js';
import { replayTrace, type ReplayReport } from '../../src/demo/replay/replay.js';

const sliceSize = 250;
const traces = {
  code: { model: 'azure-code', file: 'azure_llm_inference_2023_code.csv' },
  conv: { model: 'azure-conv', file: 'azure_llm_inference_2023_conv.csv' },
} as const;

let dir: string;
let server: LlmwatchServer;
const simulators: Simulator[] = [];
const slices: Record<string, TraceRequest[]> = {};
const reports: Record<string, ReplayReport> = {};
let evalSeconds = 0;
const recordedDurations: Record<string, number[]> = { code: [], conv: [] };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llmwatch-e2e-'));
  const logger = createSilentLogger();
  const copies: Record<string, { name: string; url: string; engine: 'vllm' }[]> = {};
  for (const [name, trace] of Object.entries(traces)) {
    copies[name] = [];
    for (const style of ['v1', 'v0'] as const) {
      const sim = await startSimulator({
        modelName: trace.model,
        metricsStyle: style,
        timeScale: 0.01,
      });
      simulators.push(sim);
      copies[name]!.push({ name: `sim-${style}`, url: sim.url, engine: 'vllm' });
    }
  }
  const config = validateConfig({
    server: { port: 0 },
    store: { path: join(dir, 'e2e.db') },
    scrape: { intervalSeconds: 1, timeoutSeconds: 0.5 },
    components: Object.entries(traces).map(([name, trace]) => ({
      name,
      endpoint: 'e2e',
      models: [trace.model],
      copies: copies[name],
    })),
  });
  server = await startLlmwatch(config, logger, {
    onRequest: (facts) => recordedDurations[facts.component]?.push(facts.durationSeconds),
  });

  await Promise.all(
    Object.entries(traces).map(async ([name, trace]) => {
      const requests = sliceTrace(loadAzureTrace(join('test/fixtures/traces', trace.file)), {
        limit: sliceSize,
      });
      slices[name] = requests;
      reports[name] = await replayTrace({
        requests,
        targetUrl: server.url,
        model: trace.model,
        speedup: 200,
        streamFraction: 0.5,
      });
    }),
  );
  evalSeconds = (await server.flush()) / 1000;
});

after(async () => {
  await server?.close();
  await Promise.all(simulators.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function instant(query: string): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query, time: String(evalSeconds) }),
  });
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  assert.equal(body.status, 'success', JSON.stringify(body));
  return new Map(body.data.result.map((r) => [r.metric.component ?? '', Number(r.value[1])]));
}

test('every replayed request succeeded', () => {
  for (const name of Object.keys(traces)) {
    assert.equal(reports[name]!.sent, sliceSize);
    assert.equal(reports[name]!.failed, 0);
  }
});

test('increase(llm_requests_total) per component equals the replayed request count exactly', async () => {
  const result = await instant(
    'sum by (component) (increase(llm_requests_total{source="gateway"}[1h]))',
  );
  assert.deepEqual(Object.fromEntries(result), { code: sliceSize, conv: sliceSize });
});

test('output and input tokens equal the trace sums exactly', async () => {
  const output = await instant(
    'sum by (component) (increase(llm_output_tokens_total{source="gateway"}[1h]))',
  );
  const input = await instant(
    'sum by (component) (increase(llm_input_tokens_total{source="gateway"}[1h]))',
  );
  for (const name of Object.keys(traces)) {
    const requests = slices[name]!;
    const generated = requests.reduce((sum, r) => sum + Math.max(r.generatedTokens, 1), 0);
    const context = requests.reduce((sum, r) => sum + r.contextTokens, 0);
    assert.equal(output.get(name), generated, `${name} output tokens`);
    assert.equal(input.get(name), context, `${name} input tokens`);
  }
});

test('TTFT is recorded once per streamed request', async () => {
  const counts = await instant(
    'sum by (component) (increase(llm_time_to_first_token_seconds_count{source="gateway"}[1h]))',
  );
  for (const name of Object.keys(traces)) {
    const streamed = reports[name]!.records.filter((r) => r.stream).length;
    assert.equal(counts.get(name), streamed, `${name} streamed requests`);
  }
});

test('histogram_quantile agrees with the exact percentile of recorded latencies within a bucket', async () => {
  for (const q of [0.5, 0.95, 0.99]) {
    const result = await instant(
      `histogram_quantile(${q}, sum by (le, component) (increase(llm_request_duration_seconds_bucket{source="gateway"}[1h])))`,
    );
    for (const name of Object.keys(traces)) {
      const latencies = [...recordedDurations[name]!].sort((a, b) => a - b);
      assert.equal(latencies.length, sliceSize);
      const exact = latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!;
      const estimate = result.get(name)!;
      const width = bucketWidthAround(exact);
      assert.ok(
        Math.abs(estimate - exact) <= width,
        `${name} p${q * 100}: estimate ${estimate}s vs exact ${exact}s (bucket width ${width}s)`,
      );
    }
  }
});

/** Width of the gateway duration bucket that holds `seconds`. */
function bucketWidthAround(seconds: number): number {
  const bounds = REQUEST_DURATION_BUCKETS_SECONDS;
  let lower = 0;
  for (const upper of bounds) {
    if (seconds <= upper) return upper - lower;
    lower = upper;
  }
  return Infinity;
}
