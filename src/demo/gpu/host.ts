/**
 * The demo's simulated GPU host: a stand-in `nvidia-smi` (stand-in.ts) whose tables (smi-table.ts,
 * built from real H100 captures) are rewritten every second from the copies' traffic (load.ts),
 * and the real GPU agent (src/agent) polling it in this process and pushing to the demo server,
 * with each copy's GPUs attributed by index. Everything lives in a temp folder removed on stop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createAgent, type Agent } from '../../agent/agent.js';
import { agentConfigSchema } from '../../agent/config.js';
import type { Logger } from '../../core/log.js';
import {
  estimateRunning,
  simulateGpus,
  type CopyCounters,
  type DemoGpuCopy,
  type LoadModel,
} from './load.js';
import { loadSmiCaptures, renderAppsTable, renderGpuTable } from './smi-table.js';
import { writeStandIn, writeStandInTables } from './stand-in.js';

/** Options of startDemoGpuHost. */
export interface DemoGpuHostOptions {
  /** The llmwatch server the agent pushes to, e.g. "http://127.0.0.1:9400". */
  serverUrl: string;
  /** The project root (holds test/fixtures/nvidia-smi). */
  projectRoot: string;
  /** The copies and their GPU indices; indices must be below gpuCount. */
  copies: DemoGpuCopy[];
  /** GPUs on the host. Default 8. */
  gpuCount?: number;
  /** The `instance` label. Default "demo-gpu-host". */
  instance?: string;
  /** The `instance_type` reported in host_info. Default "p5.48xlarge" (8 × H100 80GB HBM3). */
  instanceType?: string;
  /** Seconds between agent polls. Default 1. */
  agentIntervalSeconds?: number;
  /** How the load is estimated; secondsPerToken is required. */
  loadModel: Pick<LoadModel, 'secondsPerToken'> & Partial<LoadModel>;
  logger: Logger;
}

/** A running simulated GPU host. */
export interface DemoGpuHost {
  /** Path of the stand-in nvidia-smi. */
  nvidiaSmiPath: string;
  agent: Agent;
  /** Rewrites the stand-in's tables from the copies' counters now (the timer does it each second). */
  update(): void;
  /** Stops the agent and the updates, and removes the temp folder. */
  stop(): Promise<void>;
}

/** Starts the simulated host. Throws when a copy names a GPU index outside 0..gpuCount-1. */
export function startDemoGpuHost(options: DemoGpuHostOptions): DemoGpuHost {
  const gpuCount = options.gpuCount ?? 8;
  for (const copy of options.copies) {
    const bad = copy.gpus.find((g) => !Number.isInteger(g) || g < 0 || g >= gpuCount);
    if (bad !== undefined) {
      throw new Error(
        `demo GPU host: ${copy.component}/${copy.copy} names GPU ${bad}, but the host has GPUs 0-${gpuCount - 1}`,
      );
    }
  }
  const model: LoadModel = { saturationRequests: 4, contextMiB: 520, ...options.loadModel };
  const captures = loadSmiCaptures(options.projectRoot);
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-demo-gpu-'));
  const nvidiaSmiPath = writeStandIn(dir);
  const processName = basename(process.execPath);

  let last = { atMs: performance.now(), counters: options.copies.map((c) => c.counters()) };
  const update = () => {
    const atMs = performance.now();
    const counters: CopyCounters[] = options.copies.map((c) => c.counters());
    const elapsedSeconds = (atMs - last.atMs) / 1000;
    const running = counters.map((now, i) =>
      estimateRunning(last.counters[i]!, now, elapsedSeconds, model),
    );
    last = { atMs, counters };
    const { gpus, processes } = simulateGpus(
      gpuCount,
      options.copies,
      running,
      model,
      process.pid,
      processName,
    );
    const nowMs = Date.now();
    writeStandInTables(
      dir,
      renderGpuTable(captures, gpus, nowMs),
      renderAppsTable(captures, processes, nowMs),
    );
  };
  update();
  const timer = setInterval(() => {
    try {
      update();
    } catch (err) {
      options.logger.warn({ err: (err as Error).message }, 'demo GPU tables not updated');
    }
  }, 1000);

  const agent = createAgent({
    config: agentConfigSchema.parse({
      server: options.serverUrl,
      intervalSeconds: options.agentIntervalSeconds ?? 1,
      commandTimeoutSeconds: 5,
      instance: options.instance ?? 'demo-gpu-host',
      instanceType: options.instanceType ?? 'p5.48xlarge',
      nvidiaSmiPath,
      bufferDir: join(dir, 'buffer'),
      copies: options.copies.map((c) => ({ component: c.component, copy: c.copy, gpus: c.gpus })),
    }),
    logger: options.logger,
  });
  agent.start();

  return {
    nvidiaSmiPath,
    agent,
    update,
    async stop() {
      clearInterval(timer);
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
