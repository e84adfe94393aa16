/**
 * Gateway benchmark: latency of requests sent straight to a mock upstream versus through the
 * gateway, side by side and interleaved in the same run, for JSON and SSE replies.
 *
 * Processes: the mock upstream (OpenAI wire format, a fixed tiny JSON reply and a short SSE
 * stream) and the gateway each run in their own child process, so the client's work does not
 * share an event loop with what is measured. The gateway child collects its registry every
 * second, as the store flusher would, so recording is on. Everything listens on 127.0.0.1.
 *
 * Phases, each for JSON (`stream: false`) and SSE (`stream: true`):
 * - sequential: one request at a time, alternating direct and gateway, `sequentialRequests` each;
 * - open loop: requests start on a fixed schedule at `openLoopRatePerSecond`, the paths taking
 *   turns in 500 ms blocks, `openLoopSeconds` per path; latency counts from the scheduled start,
 *   so a stalled client or gateway shows up as latency instead of a lower rate.
 * Latency is from sending the request to reading the whole reply body.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

/** Options of runGatewayBench. Defaults: 2,000 sequential requests, 1,000 req/s for 5 s. */
export interface GatewayBenchOptions {
  sequentialRequests?: number;
  openLoopRatePerSecond?: number;
  openLoopSeconds?: number;
}

/** Latency percentiles of one path in one phase, in milliseconds. */
export interface PathLatency {
  p50Ms: number;
  p99Ms: number;
  count: number;
  errors: number;
}

/** One phase: direct vs gateway, with the added latency and ratios. */
export interface PhaseResult {
  name: string;
  direct: PathLatency;
  gateway: PathLatency;
  addedP50Ms: number;
  addedP99Ms: number;
  ratioP50: number;
  ratioP99: number;
}

const ROLE_ENV = 'LLMWATCH_BENCH_ROLE';
const MODEL = 'bench-model';

/** Child process entry: starts the mock or the gateway and reports its URL to the parent. */
async function runChild(role: string): Promise<void> {
  const send = (msg: unknown) => process.send?.(msg);
  if (role === 'mock') {
    const { startMockUpstream } = await import('../src/gateway/mock-upstream.js');
    const mock = await startMockUpstream();
    send({ url: mock.url });
  } else {
    const { startGatewayServer } = await import('../src/gateway/harness.js');
    const upstreamUrl = process.env.LLMWATCH_BENCH_UPSTREAM as string;
    const server = await startGatewayServer({
      components: [{ name: 'bench', models: [MODEL], copies: [{ name: 'c0', url: upstreamUrl }] }],
    });
    setInterval(() => server.registry.collect(Date.now()), 1000);
    send({ url: server.url });
  }
  process.on('disconnect', () => process.exit(0));
}

function startChild(
  role: string,
  env: Record<string, string> = {},
): Promise<[ChildProcess, string]> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, ...env, [ROLE_ENV]: role },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bench ${role} did not start in 20 s`)),
      20_000,
    );
    child.once('message', (msg) => {
      clearTimeout(timer);
      resolve([child, (msg as { url: string }).url]);
    });
    child.once('exit', (code) => reject(new Error(`bench ${role} exited with ${code}`)));
  });
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

function summarize(latencies: number[], errors: number): PathLatency {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    count: sorted.length,
    errors,
  };
}

function phase(name: string, direct: PathLatency, gateway: PathLatency): PhaseResult {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    name,
    direct,
    gateway,
    addedP50Ms: round(gateway.p50Ms - direct.p50Ms),
    addedP99Ms: round(gateway.p99Ms - direct.p99Ms),
    ratioP50: round(gateway.p50Ms / direct.p50Ms),
    ratioP99: round(gateway.p99Ms / direct.p99Ms),
  };
}

/** Sends one request and reads its body; resolves with true on a 200 with a body. */
async function call(pool: Pool, payload: string): Promise<boolean> {
  const res = await pool.request({
    path: '/v1/chat/completions',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: payload,
  });
  const text = await res.body.text();
  return res.statusCode === 200 && text.length > 0;
}

interface Recorder {
  latencies: number[];
  errors: number;
}

async function timed(pool: Pool, payload: string, rec: Recorder, startMs: number): Promise<void> {
  try {
    const ok = await call(pool, payload);
    if (ok) rec.latencies.push(performance.now() - startMs);
    else rec.errors++;
  } catch {
    rec.errors++;
  }
}

async function sequential(pools: [Pool, Pool], payload: string, count: number) {
  const recs: [Recorder, Recorder] = [
    { latencies: [], errors: 0 },
    { latencies: [], errors: 0 },
  ];
  for (let i = 0; i < 200; i++) await call(pools[i % 2] as Pool, payload); // warm-up
  for (let i = 0; i < count * 2; i++) {
    const which = i % 2;
    await timed(pools[which] as Pool, payload, recs[which] as Recorder, performance.now());
  }
  return recs;
}

async function openLoop(
  pools: [Pool, Pool],
  payload: string,
  ratePerSecond: number,
  seconds: number,
) {
  const recs: [Recorder, Recorder] = [
    { latencies: [], errors: 0 },
    { latencies: [], errors: 0 },
  ];
  const intervalMs = 1000 / ratePerSecond;
  const slotsPerBlock = Math.max(1, Math.round(ratePerSecond / 2)); // 500 ms blocks
  const total = Math.floor(ratePerSecond * seconds) * 2;
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now() + 10;
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && t0 + next * intervalMs <= now) {
      // Paths alternate in 500 ms blocks, so each sees the full rate and both share the run.
      const which = Math.floor(next / slotsPerBlock) % 2;
      const scheduled = t0 + next * intervalMs;
      inFlight.push(timed(pools[which] as Pool, payload, recs[which] as Recorder, scheduled));
      next++;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.race([
    Promise.all(inFlight),
    new Promise((resolve) => setTimeout(resolve, 10_000)),
  ]);
  return recs;
}

/**
 * Runs the benchmark and returns one result per phase (sequential and open loop, JSON and SSE).
 * Bounded: 4 x `sequentialRequests` sequential requests, and per reply kind 2 x rate x (seconds
 * + 1 s warm-up) open-loop requests, each open-loop phase waiting at most 10 s for stragglers.
 */
export async function runGatewayBench(opts: GatewayBenchOptions = {}): Promise<PhaseResult[]> {
  const count = opts.sequentialRequests ?? 2000;
  const rate = opts.openLoopRatePerSecond ?? 1000;
  const seconds = opts.openLoopSeconds ?? 5;
  const [mock, mockUrl] = await startChild('mock');
  const [gateway, gatewayUrl] = await startChild('gateway', { LLMWATCH_BENCH_UPSTREAM: mockUrl });
  const pools: [Pool, Pool] = [
    new Pool(mockUrl, { connections: 256 }),
    new Pool(gatewayUrl, { connections: 256 }),
  ];
  const messages = [{ role: 'user', content: 'Say hello.' }];
  const payloads = {
    json: JSON.stringify({ model: MODEL, messages }),
    sse: JSON.stringify({ model: MODEL, messages, stream: true }),
  };
  const results: PhaseResult[] = [];
  try {
    for (const kind of ['json', 'sse'] as const) {
      const [d, g] = await sequential(pools, payloads[kind], count);
      results.push(
        phase(
          `sequential ${kind}`,
          summarize(d.latencies, d.errors),
          summarize(g.latencies, g.errors),
        ),
      );
    }
    for (const kind of ['json', 'sse'] as const) {
      await openLoop(pools, payloads[kind], rate, 1); // warm-up: connections and JIT
      const [d, g] = await openLoop(pools, payloads[kind], rate, seconds);
      results.push(
        phase(
          `open loop ${rate}/s ${kind}`,
          summarize(d.latencies, d.errors),
          summarize(g.latencies, g.errors),
        ),
      );
    }
  } finally {
    await Promise.all(pools.map((p) => p.destroy()));
    mock.kill();
    gateway.kill();
  }
  return results;
}

const role = process.env[ROLE_ENV];
if (role !== undefined) await runChild(role);
