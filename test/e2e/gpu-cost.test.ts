// GPUs to dollars, end to end: a stand-in nvidia-smi on PATH prints recorded H100 captures (the
// load capture for GPUs 0 and 1, the idle capture for GPU 2; only index, UUID and PIDs are
// substituted), a "copy" process and its child appear in the compute-apps output, the real agent
// attributes GPUs 0 and 1 to that copy by process tree and pushes to a real llmwatch server
// (SQLite store, cost recorder on), and the Quantity dashboard's own cost-panel PromQL gives the
// hand-computed dollars per hour.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../../src/agent/agent.js';
import { agentConfigSchema } from '../../src/agent/config.js';
import { validateConfig } from '../../src/config/load.js';
import { createSilentLogger } from '../../src/core/log.js';
import { quantityDashboard } from '../../src/dashboards/quantity.js';
import { startLlmwatch, type LlmwatchServer } from '../../src/server/app.js';

const CAPTURES = new URL('../fixtures/nvidia-smi/csv/', import.meta.url);
const H100 = 'linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01';
const MASKED_UUID = 'GPU-00000000-0000-0000-0000-000000000000';
const uuidOf = (index: number) => `GPU-00000000-0000-0000-0000-00000000000${index}`;
const STAND_IN = `#!/bin/sh
DIR="$(dirname "$0")"
case "$1" in
  --query-gpu=*) cat "$DIR/query-gpu.csv" ;;
  --query-compute-apps=*) cat "$DIR/compute-apps.csv" ;;
  *) echo "unexpected arguments: $*" >&2; exit 2 ;;
esac
`;

let dir: string;
let copyProcess: ChildProcess;
let childPid: number;
let server: LlmwatchServer;

function capture(kind: 'idle' | 'load', what: string): string[] {
  return readFileSync(new URL(`${H100}.${kind}.${what}.csv`, CAPTURES), 'utf8')
    .trimEnd()
    .split('\n');
}

/** A captured query-gpu row as GPU `index`: the index cell (28th) and the UUID replaced. */
function asGpu(row: string, header: string, index: number): string {
  const cells = row.split(', ');
  const at = header.split(', ').indexOf('index');
  assert.equal(cells[at], '0');
  cells[at] = String(index);
  return cells.join(', ').replace(MASKED_UUID, uuidOf(index));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gpu-cost-e2e-'));
  // The copy: a shell with one child, each printing its PID; both run on GPUs.
  copyProcess = spawn('sh', ['-c', 'sleep 60 & echo $!; wait'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [line] = (await once(copyProcess.stdout!, 'data')) as [Buffer];
  childPid = Number(line.toString().trim());
  assert.ok(Number.isInteger(childPid) && childPid > 0);

  const [header, load] = capture('load', 'query-gpu');
  const [, idle] = capture('idle', 'query-gpu');
  writeFileSync(
    join(dir, 'query-gpu.csv'),
    [header, asGpu(load!, header!, 0), asGpu(load!, header!, 1), asGpu(idle!, header!, 2)]
      .map((l) => `${l}\n`)
      .join(''),
  );
  const apps = capture('load', 'query-compute-apps');
  const burn = apps.find((l) => l.includes(', 11345, ./gpu_burn, '));
  assert.ok(burn);
  writeFileSync(
    join(dir, 'compute-apps.csv'),
    [
      ...apps.map((l) => l.replace(', 11345,', `, ${copyProcess.pid},`)),
      burn.replace(', 11345,', `, ${childPid},`).replace(MASKED_UUID, uuidOf(1)),
    ]
      .map((l) => `${l}\n`)
      .join(''),
  );
  writeFileSync(join(dir, 'nvidia-smi'), STAND_IN);
  chmodSync(join(dir, 'nvidia-smi'), 0o755);
  process.env.PATH = `${dir}:${process.env.PATH ?? ''}`;

  server = await startLlmwatch(
    validateConfig({
      server: { host: '127.0.0.1', port: 0 },
      store: { path: join(dir, 'store.db') },
      cost: { intervalSeconds: 1 },
    }),
    createSilentLogger(),
  );
});

after(async () => {
  copyProcess?.kill('SIGKILL');
  if (childPid) process.kill(childPid, 'SIGKILL');
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Vector = { metric: Record<string, string>; value: [number, string] }[];

async function query(promql: string): Promise<Vector> {
  const res = await fetch(`${server.url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: promql }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { data: { result: Vector } }).data.result;
}

/** The cost panel's first query, as the dashboard sends it with every component selected. */
function costPanelExpr(): string {
  const panel = quantityDashboard.panels.find((p) => p.id === 'cost');
  const expr = panel?.queries[0]?.expr;
  assert.ok(expr, 'the Quantity dashboard has a cost panel');
  return expr.replaceAll('$component', '.*');
}

test('agent samples carry the copy, and the cost panel shows 2 × $98.32/8 per hour', async () => {
  const agent = createAgent({
    config: agentConfigSchema.parse({
      server: server.url,
      instance: 'gpu-host-e2e',
      instanceType: 'p5.48xlarge',
      commandTimeoutSeconds: 5,
      bufferDir: join(dir, 'buffer'),
      copies: [{ component: 'chat', copy: 'c0', pid: copyProcess.pid }],
    }),
    logger: createSilentLogger(),
  });
  const poll = await agent.pollOnce();
  assert.equal(poll.error, undefined);
  assert.equal(agent.buffer.pendingBatches, 0);

  const utilisation = await query('gpu_utilization_ratio');
  assert.deepEqual(
    utilisation
      .map((r) => [r.metric.gpu, r.metric.component ?? '-', r.metric.copy ?? '-', r.value[1]])
      .sort(),
    [
      ['0', 'chat', 'c0', '1'],
      ['1', 'chat', 'c0', '1'],
      ['2', '-', '-', '0'],
    ],
  );
  const memory = await query('gpu_memory_used_bytes{gpu="1"}');
  assert.deepEqual(memory[0]?.metric, {
    __name__: 'gpu_memory_used_bytes',
    instance: 'gpu-host-e2e',
    gpu: '1',
    gpu_uuid: uuidOf(1),
    gpu_model: 'NVIDIA H100 80GB HBM3',
    component: 'chat',
    copy: 'c0',
    source: 'agent',
  });
  assert.equal(memory[0]?.value[1], String(19818 * 1024 * 1024));

  // The cost recorder ticks every second; wait (bounded) for a tick after the push.
  const expr = costPanelExpr();
  assert.equal(expr, 'sum by (component) (llm_cost_dollars_per_hour{component=~".*"})');
  let cost: Vector = [];
  for (let i = 0; i < 50 && cost.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    cost = await query(expr);
  }
  // p5.48xlarge: $98.32/h for 8 GPUs; the copy holds 2 of them: 2 × 12.29 = $24.58/h.
  assert.deepEqual(
    cost.map((r) => [r.metric, r.value[1]]),
    [[{ component: 'chat' }, '24.58']],
  );
  assert.deepEqual(
    (await query('llm_gpus_allocated')).map((r) => r.value[1]),
    ['2'],
  );
  assert.deepEqual(
    (await query('llm_gpus_free')).map((r) => r.value[1]),
    ['1'],
  );
  assert.deepEqual(
    (await query('llm_gpus_used')).map((r) => r.value[1]),
    ['2'],
  );
  assert.deepEqual(
    (await query('llm_instances')).map((r) => r.value[1]),
    ['1'],
  );
  await agent.stop();
});
