// The GPU agent end to end: a stand-in nvidia-smi on PATH printing real recorded captures, a
// "copy" process whose PID is substituted into the recorded compute-apps output, and a real
// llmwatch server receiving remote write; checked through the server's PromQL API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createAgent } from '../../src/agent/agent.js';
import { agentConfigSchema } from '../../src/agent/config.js';
import { validateConfig } from '../../src/config/load.js';
import { createSilentLogger } from '../../src/core/log.js';
import { startLlmwatch, type LlmwatchServer } from '../../src/server/app.js';

const CAPTURES = new URL('../fixtures/nvidia-smi/csv/', import.meta.url);
const CAPTURE = 'linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.load';
const STAND_IN = `#!/bin/sh
DIR="$(dirname "$0")"
case "$(cat "$DIR/mode" 2>/dev/null)" in
  hang) sleep 30 ;;
  fail) echo "Failed to initialize NVML: Driver/library version mismatch" >&2; exit 1 ;;
  garbage) echo "NVRM: something odd"; exit 0 ;;
esac
case "$1" in
  --query-gpu=*) cat "$DIR/query-gpu.csv" ;;
  --query-compute-apps=*) cat "$DIR/compute-apps.csv" ;;
  *) echo "unexpected arguments: $*" >&2; exit 2 ;;
esac
`;

let dir: string;
let copyProcess: ChildProcess;
const servers: LlmwatchServer[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'agent-e2e-'));
  copyProcess = spawn('sleep', ['30'], { stdio: 'ignore' });
  const apps = readFileSync(new URL(`${CAPTURE}.query-compute-apps.csv`, CAPTURES), 'utf8');
  assert.match(apps, /, 11345, \.\/gpu_burn, /);
  writeFileSync(join(dir, 'compute-apps.csv'), apps.replace(', 11345,', `, ${copyProcess.pid},`));
  writeFileSync(
    join(dir, 'query-gpu.csv'),
    readFileSync(new URL(`${CAPTURE}.query-gpu.csv`, CAPTURES)),
  );
  writeFileSync(join(dir, 'nvidia-smi'), STAND_IN);
  chmodSync(join(dir, 'nvidia-smi'), 0o755);
  process.env.PATH = `${dir}:${process.env.PATH ?? ''}`;
});

after(async () => {
  copyProcess.kill('SIGKILL');
  for (const server of servers) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startServer(port = 0): Promise<LlmwatchServer> {
  const config = validateConfig({
    server: { host: '127.0.0.1', port },
    // One data folder per server: llmwatch locks its folder (quality and alert state live there).
    store: { path: join(dir, `store-${servers.length}`, 'llmwatch.db') },
  });
  const server = await startLlmwatch(config, createSilentLogger());
  servers.push(server);
  return server;
}

function agentConfig(server: string, bufferName: string, extra: Record<string, unknown> = {}) {
  return agentConfigSchema.parse({
    server,
    instance: 'gpu-host-1',
    instanceType: 'p5.48xlarge',
    commandTimeoutSeconds: 1,
    bufferDir: join(dir, bufferName),
    copies: [{ component: 'chat', copy: 'c0', pid: copyProcess.pid }],
    ...extra,
  });
}

async function query(server: LlmwatchServer, promql: string, timeS: number) {
  const url = `${server.url}/api/v1/query?query=${encodeURIComponent(promql)}&time=${timeS}`;
  const body = (await (await fetch(url)).json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result;
}

test('one poll puts attributed gpu_* samples into the server', async () => {
  const server = await startServer();
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  const agent = createAgent({
    config: agentConfig(server.url, 'buffer-a'),
    logger: createSilentLogger(),
    nowMs: () => nowMs,
  });
  const result = await agent.pollOnce();
  assert.equal(result.error, undefined);
  assert.equal(agent.buffer.pendingBatches, 0);

  const labels = {
    instance: 'gpu-host-1',
    gpu: '0',
    gpu_uuid: 'GPU-00000000-0000-0000-0000-000000000000',
    gpu_model: 'NVIDIA H100 80GB HBM3',
    component: 'chat',
    copy: 'c0',
    source: 'agent',
  };
  const timeS = nowMs / 1000;
  assert.deepEqual(await query(server, 'gpu_utilization_ratio', timeS), [
    { metric: { __name__: 'gpu_utilization_ratio', ...labels }, value: [timeS, '1'] },
  ]);
  assert.deepEqual(await query(server, 'gpu_memory_used_bytes{component="chat"}', timeS), [
    {
      metric: { __name__: 'gpu_memory_used_bytes', ...labels },
      value: [timeS, String(19818 * 1024 * 1024)],
    },
  ]);
  assert.deepEqual(await query(server, 'sum by (component, copy) (gpu_allocated)', timeS), [
    { metric: { component: 'chat', copy: 'c0' }, value: [timeS, '1'] },
  ]);
  assert.deepEqual(await query(server, 'gpu_free', timeS), []);
  assert.deepEqual(await query(server, 'host_info', timeS), [
    {
      metric: {
        __name__: 'host_info',
        instance: 'gpu-host-1',
        instance_type: 'p5.48xlarge',
        source: 'agent',
      },
      value: [timeS, '1'],
    },
  ]);
  await agent.stop();
});

test('server away: batches wait on disk, then arrive in order when it starts', async () => {
  const port = await freePort();
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 10_000;
  let nowMs = t0;
  const agent = createAgent({
    config: agentConfig(`http://127.0.0.1:${port}`, 'buffer-b'),
    logger: createSilentLogger(),
    nowMs: () => nowMs,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
  });
  for (let i = 0; i < 3; i++) {
    nowMs = t0 + i * 1000;
    await agent.pollOnce();
  }
  assert.equal(agent.buffer.pendingBatches, 3);
  assert.ok(agent.pusher.consecutiveFailures >= 1);

  const server = await startServer(port);
  for (let i = 0; i < 100 && agent.buffer.pendingBatches > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(agent.buffer.pendingBatches, 0);
  const url =
    `${server.url}/api/v1/query_range?query=llmwatch_agent_buffered_batches` +
    `&start=${t0 / 1000}&end=${t0 / 1000 + 2}&step=1`;
  const body = (await (await fetch(url)).json()) as {
    data: { result: { values: [number, string][] }[] };
  };
  // Each poll recorded how many batches were already waiting: 0, 1, 2.
  assert.deepEqual(body.data.result[0]?.values, [
    [t0 / 1000, '0'],
    [t0 / 1000 + 1, '1'],
    [t0 / 1000 + 2, '2'],
  ]);
  await agent.stop();
});

test('nvidia-smi that hangs, exits 1 or prints garbage: a warning naming it, then it recovers', async () => {
  const server = await startServer();
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const agent = createAgent({ config: agentConfig(server.url, 'buffer-c'), logger });
  const cases: [string, RegExp][] = [
    ['hang', /^nvidia-smi --query-gpu=\S+ --format=csv,nounits did not finish within 1000 ms/],
    ['fail', /exited with status 1: Failed to initialize NVML/],
    ['garbage', /^nvidia-smi --query-gpu: line 1 has 1 values but the query asked for 9/],
  ];
  for (const [mode, expected] of cases) {
    writeFileSync(join(dir, 'mode'), mode);
    const started = Date.now();
    const result = await agent.pollOnce();
    assert.match(result.error ?? '', expected);
    assert.ok(Date.now() - started < 5000);
    const warning = JSON.parse(lines.at(-1) ?? '{}') as { msg: string; err: string };
    assert.equal(warning.msg, 'agent poll failed');
    assert.match(warning.err, expected);
  }
  writeFileSync(join(dir, 'mode'), 'ok');
  const result = await agent.pollOnce();
  assert.equal(result.error, undefined);
  assert.equal(
    result.samples.filter((s) => s.labels.__name__ === 'gpu_utilization_ratio').length,
    1,
  );
  const failures = result.samples.find(
    (s) => s.labels.__name__ === 'llmwatch_agent_poll_failures_total',
  );
  assert.equal(failures?.value, 3);
  await agent.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
