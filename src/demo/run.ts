/**
 * `llmwatch demo`: the main job on real input. Starts local model servers (simulated vLLM copies
 * and one copy running the real tiny model through node-llama-cpp), starts llmwatch in front of
 * them on the embedded store, replays the real Azure LLM inference traces through the gateway,
 * then keeps serving the dashboard.
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
}

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
    await server.close();
    await Promise.all(simulators.map((s) => s.close()));
    await llama?.close();
  };
  return { server, reports, stop };
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
    },
    'demo configuration',
  );
}
