/**
 * `llmwatch demo`: the main job on real input. Starts local model servers (simulated vLLM copies
 * and one copy running the real tiny model through node-llama-cpp), starts llmwatch in front of
 * them on the embedded store, replays the real Azure LLM inference traces through the gateway,
 * then keeps serving the dashboard. The copies' GPUs are simulated: a stand-in `nvidia-smi` that
 * prints the real CSV format (from real H100 captures), its numbers following each copy's traffic,
 * read by the real GPU agent running in this process (see gpu/host.ts).
 */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { validateConfig } from '../config/load.js';
import type { Logger } from '../core/log.js';
import { startLlmwatch, type LlmwatchServer } from '../server/app.js';
import { startSimulator, type Simulator } from './simulator/server.js';
import { startLlamaServer, type LlamaServer } from './llama/server.js';
import { loadAzureTrace, sliceTrace } from './trace/azure.js';
import { replayTrace, type ReplayReport } from './replay/replay.js';
import { findProjectRoot } from './paths.js';
import { DEFAULT_LATENCY_MODEL } from './simulator/engine.js';
import { startDemoGpuHost, type DemoGpuHost } from './gpu/host.js';
import type { DemoGpuCopy } from './gpu/load.js';
import {
  DEMO_QUALITY_PAIRS_PER_COMPONENT,
  demoJudgeFromEnv,
  ingestDemoQuality,
} from './quality/index.js';

/** Options of the demo. */
export interface DemoOptions {
  /** Port of the llmwatch server. Default 9400; 0 picks a free port. */
  port: number;
  /** Replay speed-up: 60 replays the traces' hour in one minute. Default 30. */
  speedup: number;
  /** Replay only the first N requests of each trace. Default: all. */
  limit?: number;
  /** SQLite file. Default "./data/demo.db". */
  storePath: string;
  /** Run a copy on the real tiny model (node-llama-cpp). Default true. */
  withLlama: boolean;
  /** Keep serving after the replay. Default true. */
  keepServing: boolean;
  /**
   * Simulate an 8-GPU host (stand-in nvidia-smi plus the real agent) so the GPU and cost panels
   * fill. Default true, except on Windows (the stand-in is a POSIX shell script).
   */
  withGpus?: boolean;
  /**
   * Labelled responses per component sent through the pairs API after start (see
   * src/demo/quality). Default 200; 0 sends none.
   */
  qualityPairsPerComponent?: number;
  /**
   * Configuration sections that replace the demo's own (top-level keys, e.g. `quality`,
   * `alerting`, `notify`), validated with the rest. Default none. For tests and embedding.
   */
  configOverrides?: Record<string, unknown>;
}

/** The simulated GPU host: its name, instance type, and cost recomputation interval. */
export const demoGpuHost = {
  instance: 'demo-gpu-host',
  /** 8 × H100 80GB HBM3, the GPU of the captures the stand-in nvidia-smi is built from. */
  instanceType: 'p5.48xlarge',
  costIntervalSeconds: 2,
} as const;

/** The two demo components, one per real trace. */
export const demoComponents = [
  { name: 'code', model: 'azure-code', trace: 'azure_llm_inference_2023_code.csv' },
  { name: 'conv', model: 'azure-conv', trace: 'azure_llm_inference_2023_conv.csv' },
] as const;

/** What a finished demo replay returns. */
export interface DemoRun {
  server: LlmwatchServer;
  reports: Record<string, ReplayReport>;
  stop(): Promise<void>;
}

/** Runs the demo. Resolves after the replay; the server keeps running until `stop()`. */
export async function runDemo(
  opts: DemoOptions,
  logger: Logger,
  out: NodeJS.WritableStream = process.stdout,
): Promise<DemoRun> {
  const root = findProjectRoot();
  const timeScale = 1 / opts.speedup;
  const simulators: Simulator[] = [];
  let llama: LlamaServer | undefined;

  for (const component of demoComponents) {
    for (const style of ['v1', 'v0'] as const) {
      simulators.push(
        await startSimulator({
          modelName: component.model,
          metricsStyle: style,
          timeScale,
          logger,
        }),
      );
    }
  }
  if (opts.withLlama) {
    llama = await startLlamaServer({
      modelPath: join(root, 'test/fixtures/models/stories260K.gguf'),
      modelName: 'azure-conv',
      logger,
    });
  }

  const config = buildDemoConfig(opts, simulators, llama);
  const server = await startLlmwatch(config, logger);
  const dashboardUrl = `${server.url}/?range=15m&refresh=5s`;
  out.write(`llmwatch demo: dashboard at ${dashboardUrl} (replaying at ${opts.speedup}x)\n`);
  let gpuHost: DemoGpuHost | undefined;
  if (opts.withGpus ?? process.platform !== 'win32') {
    gpuHost = startDemoGpuHost({
      serverUrl: server.url,
      projectRoot: root,
      copies: demoGpuCopies(simulators, llama),
      instance: demoGpuHost.instance,
      instanceType: demoGpuHost.instanceType,
      loadModel: { secondsPerToken: (DEFAULT_LATENCY_MODEL.itlBaseMs / 1000) * timeScale },
      logger,
    });
    out.write(
      `GPUs are simulated: host ${demoGpuHost.instance} (${demoGpuHost.instanceType}, 8 GPUs) is a ` +
        `stand-in nvidia-smi printing the real CSV format (${gpuHost.nvidiaSmiPath}), read by ` +
        "the real GPU agent; its utilisation and memory follow each copy's traffic\n",
    );
  }

  const pairsPerComponent = opts.qualityPairsPerComponent ?? DEMO_QUALITY_PAIRS_PER_COMPONENT;
  if (pairsPerComponent > 0) {
    const judge = config.quality.judge;
    await ingestDemoQuality({
      serverUrl: server.url,
      projectRoot: root,
      components: demoComponents.map((c) => ({ name: c.name, model: c.model })),
      pairsPerComponent,
      judge: judge
        ? { baseUrl: judge.baseUrl ?? 'https://api.openai.com/v1', model: judge.model }
        : null,
      out,
    });
  }

  const reports: Record<string, ReplayReport> = {};
  await Promise.all(
    demoComponents.map(async (component) => {
      const all = loadAzureTrace(join(root, 'test/fixtures/traces', component.trace));
      const requests = opts.limit ? sliceTrace(all, { limit: opts.limit }) : all;
      reports[component.name] = await replayTrace({
        requests,
        targetUrl: server.url,
        model: component.model,
        speedup: opts.speedup,
        onProgress: (p) =>
          out.write(
            `[${component.name}] ${p.completed}/${p.total} done, ${p.failed} failed, ` +
              `${p.inFlight} in flight\n`,
          ),
      });
    }),
  );
  await server.flush();
  for (const [name, report] of Object.entries(reports)) {
    out.write(
      `[${name}] replay finished: ${report.succeeded} ok, ${report.failed} failed, ` +
        `${report.inputTokens} input and ${report.outputTokens} output tokens, ` +
        `latest send ${Math.round(report.maxScheduleLagMs)} ms behind the trace's schedule\n`,
    );
  }
  if (opts.keepServing) out.write(`dashboard stays up at ${dashboardUrl} (Ctrl-C to stop)\n`);

  const stop = async () => {
    await gpuHost?.stop();
    await server.close();
    await Promise.all(simulators.map((s) => s.close()));
    await llama?.close();
  };
  return { server, reports, stop };
}

/**
 * The copies' GPUs on the simulated host: code sim-0 → 0-1, code sim-1 → 2-3, conv sim-0 → 4,
 * conv sim-1 → 5, conv llama-0 → 6; GPU 7 stays free.
 */
function demoGpuCopies(simulators: Simulator[], llama?: LlamaServer): DemoGpuCopy[] {
  const [codeV1, codeV0, convV1, convV0] = simulators;
  // A 34B model in 16-bit over two GPUs, a 7B model on one: weights per GPU in MiB.
  const code = { weightsMiBPerGpu: 32_400, kvMiBPerGpu: 30_000 };
  const conv = { weightsMiBPerGpu: 14_500, kvMiBPerGpu: 50_000 };
  const sim = (s: Simulator) => () => ({ outputTokens: s.stats().outputTokens });
  const copies: DemoGpuCopy[] = [
    { component: 'code', copy: 'sim-0', gpus: [0, 1], counters: sim(codeV1!), ...code },
    { component: 'code', copy: 'sim-1', gpus: [2, 3], counters: sim(codeV0!), ...code },
    { component: 'conv', copy: 'sim-0', gpus: [4], counters: sim(convV1!), ...conv },
    { component: 'conv', copy: 'sim-1', gpus: [5], counters: sim(convV0!), ...conv },
  ];
  if (llama) {
    copies.push({
      component: 'conv',
      copy: 'llama-0',
      gpus: [6],
      counters: () => {
        const stats = llama.stats();
        return { outputTokens: stats.outputTokens, busySeconds: stats.generationSeconds };
      },
      // The real tiny model (stories260K) is about 1 MiB.
      weightsMiBPerGpu: 1,
      kvMiBPerGpu: 64,
    });
  }
  return copies;
}

function buildDemoConfig(opts: DemoOptions, simulators: Simulator[], llama?: LlamaServer): Config {
  const [codeV1, codeV0, convV1, convV0] = simulators;
  const convCopies: Record<string, unknown>[] = [
    { name: 'sim-0', url: convV1!.url, engine: 'vllm' },
    { name: 'sim-1', url: convV0!.url, engine: 'vllm' },
  ];
  // The tiny model runs one request at a time; it takes a share of traffic only when idle.
  if (llama) convCopies.push({ name: 'llama-0', url: llama.url, maxOutstanding: 1 });
  return validateConfig(
    {
      server: { port: opts.port },
      store: { path: opts.storePath, flushIntervalSeconds: 1 },
      scrape: { intervalSeconds: 2, timeoutSeconds: 1 },
      // Recompute cost and capacity often so those panels fill within seconds.
      cost: { intervalSeconds: demoGpuHost.costIntervalSeconds },
      components: [
        {
          name: 'code',
          endpoint: 'demo',
          models: ['azure-code'],
          copies: [
            { name: 'sim-0', url: codeV1!.url, engine: 'vllm' },
            { name: 'sim-1', url: codeV0!.url, engine: 'vllm' },
          ],
        },
        { name: 'conv', endpoint: 'demo', models: ['azure-conv'], copies: convCopies },
      ],
      // An LLM judge only when OPENAI_BASE_URL is set (src/demo/quality/index.ts).
      quality: { judge: demoJudgeFromEnv() },
      ...opts.configOverrides,
    },
    'demo configuration',
  );
}
