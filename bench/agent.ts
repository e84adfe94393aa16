/**
 * GPU agent benchmark: CPU, wall time and memory of one agent poll on an 8-GPU host, with the
 * demo's stand-in nvidia-smi (src/demo/gpu: real H100 CSV format, 7 GPUs attributed to 5 copies)
 * and a receiver answering every remote-write push with 204 in a child process. A poll is what
 * the agent does every interval: run nvidia-smi twice (query-gpu, compute-apps), read the
 * process table, attribute, build and encode samples, append them to the on-disk buffer and
 * push the buffer.
 *
 * Memory: RSS and heap of this whole process (tsx and the project's modules included, so an
 * upper bound for the agent), and the heap still held after a full GC per poll (leak check).
 * The agent's own CPU is process.cpuUsage() of this process (Node's spawning of the tool
 * included); the stand-in's CPU (sh + awk, the part a real nvidia-smi replaces) is the reaped
 * children's time from /proc/self/stat, reported separately. Linux only for the latter.
 *
 * Limitation: a real nvidia-smi costs more than the stand-in (it loads NVML and queries the
 * driver, tens of ms per call on the hosts we measured); only the agent's share carries over.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createAgent } from '../src/agent/agent.js';
import { agentConfigSchema } from '../src/agent/config.js';
import { createSilentLogger } from '../src/core/log.js';
import { simulateGpus, type DemoGpuCopy } from '../src/demo/gpu/load.js';
import { loadSmiCaptures, renderAppsTable, renderGpuTable } from '../src/demo/gpu/smi-table.js';
import { writeStandIn, writeStandInTables } from '../src/demo/gpu/stand-in.js';
import { findProjectRoot } from '../src/demo/paths.js';

/** Options of runAgentBench. */
export interface AgentBenchOptions {
  /** Polls measured after 10 warm-up polls. Default 300. */
  polls?: number;
  /** Stop early after this many seconds. Default 30. */
  maxSeconds?: number;
}

const ROLE_ENV = 'LLMWATCH_BENCH_AGENT_ROLE';

/** Child entry: a remote-write receiver that reads each body and answers 204. */
function serveReceiver(): void {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.send?.({ url: `http://127.0.0.1:${port}` });
  });
  process.on('disconnect', () => process.exit(0));
}

function startReceiver(): Promise<[ChildProcess, string]> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [ROLE_ENV]: 'receiver' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench receiver: no start in 20 s')), 20_000);
    child.once('message', (msg) => {
      clearTimeout(timer);
      resolve([child, (msg as { url: string }).url]);
    });
    child.once('exit', (code) => reject(new Error(`bench receiver exited with ${code}`)));
  });
}

/** CPU ms of this process's reaped children (cutime + cstime), or undefined off Linux. */
function childrenCpuMs(ticksPerSecond: number): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command: state is [0], so cutime (16th overall) is [13], cstime [14].
    return ((Number(fields[13]) + Number(fields[14])) / ticksPerSecond) * 1000;
  } catch {
    return undefined;
  }
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** A full garbage collection, so heap figures count retained memory, not garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Runs the polls; returns flat figures (names carry their unit). */
export async function runAgentBench(opts: AgentBenchOptions = {}): Promise<Record<string, number>> {
  const polls = opts.polls ?? 300;
  const maxSeconds = opts.maxSeconds ?? 30;
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-bench-agent-'));
  const [receiver, url] = await startReceiver();
  let ticks = 100;
  try {
    ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // keep the usual 100
  }
  try {
    const smi = writeStandIn(dir);
    const copy = (component: string, name: string, gpus: number[]): DemoGpuCopy => ({
      component,
      copy: name,
      gpus,
      counters: () => ({ outputTokens: 0 }),
      weightsMiBPerGpu: 14_500,
      kvMiBPerGpu: 30_000,
    });
    const copies = [
      copy('code', 'sim-0', [0, 1]),
      copy('code', 'sim-1', [2, 3]),
      copy('conv', 'sim-0', [4]),
      copy('conv', 'sim-1', [5]),
      copy('conv', 'llama-0', [6]),
    ];
    const model = { secondsPerToken: 0.025, saturationRequests: 4, contextMiB: 520 };
    const { gpus, processes } = simulateGpus(
      8,
      copies,
      [1, 2, 3, 4, 0],
      model,
      process.pid,
      'node',
    );
    const captures = loadSmiCaptures(findProjectRoot());
    writeStandInTables(
      dir,
      renderGpuTable(captures, gpus, Date.now()),
      renderAppsTable(captures, processes, Date.now()),
    );
    const agent = createAgent({
      config: agentConfigSchema.parse({
        server: url,
        instance: 'bench-host',
        instanceType: 'p5.48xlarge',
        nvidiaSmiPath: smi,
        bufferDir: join(dir, 'buffer'),
        copies: copies.map((c) => ({ component: c.component, copy: c.copy, gpus: c.gpus })),
      }),
      logger: createSilentLogger(),
    });

    let samplesPerPoll = 0;
    for (let i = 0; i < 10; i++) {
      const result = await agent.pollOnce();
      if (result.error) throw new Error(`agent bench: poll failed: ${result.error}`);
      samplesPerPoll = result.samples.length;
    }
    collectGarbage();
    const memBefore = process.memoryUsage();
    const childBefore = childrenCpuMs(ticks);
    const cpuBefore = process.cpuUsage();
    const startMs = performance.now();
    const wallMs: number[] = [];
    while (wallMs.length < polls && performance.now() - startMs < maxSeconds * 1000) {
      const t0 = performance.now();
      await agent.pollOnce();
      wallMs.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const childAfter = childrenCpuMs(ticks);
    await agent.stop();
    collectGarbage();
    const memAfter = process.memoryUsage();
    if (agent.buffer.pendingBatches > 0) throw new Error('agent bench: pushes did not drain');

    const done = wallMs.length;
    wallMs.sort((a, b) => a - b);
    const figures: Record<string, number> = {
      agent_polls: done,
      agent_gpus: gpus.length,
      agent_samples_per_poll: samplesPerPoll,
      agent_cpu_ms_per_poll: round3((cpu.user + cpu.system) / 1000 / done),
      agent_wall_ms_per_poll_p50: round3(percentile(wallMs, 0.5)),
      agent_wall_ms_per_poll_p99: round3(percentile(wallMs, 0.99)),
      agent_rss_mib: round3(memAfter.rss / 1024 / 1024),
      agent_heap_used_mib: round3(memAfter.heapUsed / 1024 / 1024),
      // Heap still held after a full GC, per poll: a leak would show here.
      agent_heap_retained_growth_kib_per_poll: round3(
        (memAfter.heapUsed - memBefore.heapUsed) / 1024 / done,
      ),
    };
    if (childBefore !== undefined && childAfter !== undefined) {
      // Two stand-in runs per poll: --query-gpu and --query-compute-apps.
      figures.stand_in_cpu_ms_per_poll = round3((childAfter - childBefore) / done);
    }
    return figures;
  } finally {
    receiver.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env[ROLE_ENV] === 'receiver') serveReceiver();
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runAgentBench(), null, 2));
}
