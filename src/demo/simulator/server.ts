/**
 * A simulated vLLM OpenAI-compatible server for demos and tests: chat and completions (stream and
 * not), `GET /v1/models`, `GET /health` and a vLLM-style `GET /metrics`, with queueing and latency
 * from the engine's model (see engine.ts) and word-based token counts (see tokens.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/log.js';
import { createSilentLogger } from '../../core/log.js';
import { LlmwatchError } from '../../core/errors.js';
import { DEFAULT_LATENCY_MODEL, SimulatedEngine, type LatencyModel } from './engine.js';
import {
  CompletionStream,
  buildFullResponse,
  buildModelList,
  createIdentity,
  makeUsage,
  readBody,
} from './openai-response.js';
import {
  isWireError,
  parseGenerationRequest,
  sendError,
  sendJson,
  wireError,
  type CompletionKind,
  type GenerationRequest,
} from './openai-wire.js';
import { countPromptTokens, createRandom, nextTokenText, type Random } from './tokens.js';
import { VllmMetrics, type MetricsStyle } from './vllm-metrics.js';

/** Options of startSimulator. */
export interface SimulatorOptions {
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 picks a free one. Default 0. */
  port?: number;
  /** The served model name; requests for another model get 404. */
  modelName: string;
  /** vLLM metric names to imitate: 'v1' (new) or 'v0' (old). Default 'v1'. */
  metricsStyle?: MetricsStyle;
  /** Multiplies every simulated delay (0.05 runs 20x faster). Must be > 0. Default 1. */
  timeScale?: number;
  /** Seed for jitter, generated words and failure injection. Default 1. */
  seed?: number;
  /** Fraction 0..1 of generation requests answered with HTTP 500 (seeded). Default 0. */
  failureRate?: number;
  /** Overrides of the latency model fields. */
  latency?: Partial<LatencyModel>;
  /** Tokens generated when the request has no max_tokens. Default 16. */
  defaultMaxTokens?: number;
  /** Largest accepted request body in bytes; larger gets 413. Default 1 MiB. */
  maxBodyBytes?: number;
  logger?: Logger;
}

/** Totals of the traffic a simulator has served. */
export interface SimulatorStats {
  /** Requests that finished generating (finish_reason "length"). */
  requestsServed: number;
  /** Tokens generated, including those of requests aborted midway. */
  outputTokens: number;
  /** Prompt tokens whose prefill finished. */
  promptTokens: number;
  /** Requests answered with an injected HTTP 500. */
  injectedFailures: number;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Aborts in-flight requests and closes the server. */
  close(): Promise<void>;
  stats(): SimulatorStats;
}

interface SimulatorState {
  options: Required<Pick<SimulatorOptions, 'modelName' | 'defaultMaxTokens' | 'maxBodyBytes'>>;
  engine: SimulatedEngine;
  metrics: VllmMetrics;
  textRandom: Random;
  failureRandom: Random;
  failureRate: number;
  stats: SimulatorStats;
  logger: Logger;
}

function validateOptions(opts: SimulatorOptions): void {
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0 && Number.isFinite(timeScale))) {
    throw new LlmwatchError(
      'simulator_options',
      `simulator: timeScale must be a number > 0, got ${timeScale}`,
    );
  }
  const failureRate = opts.failureRate ?? 0;
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new LlmwatchError(
      'simulator_options',
      `simulator: failureRate must be between 0 and 1, got ${failureRate}`,
    );
  }
  if (opts.modelName === '') {
    throw new LlmwatchError('simulator_options', 'simulator: modelName must not be empty');
  }
}

/** Starts a simulated vLLM server. Throws LlmwatchError `simulator_options` on bad options. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  validateOptions(opts);
  const seed = opts.seed ?? 1;
  const metrics = new VllmMetrics(opts.metricsStyle ?? 'v1', opts.modelName);
  const latency = { ...DEFAULT_LATENCY_MODEL, ...opts.latency };
  const state: SimulatorState = {
    options: {
      modelName: opts.modelName,
      defaultMaxTokens: opts.defaultMaxTokens ?? 16,
      maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    },
    engine: new SimulatedEngine(latency, opts.timeScale ?? 1, createRandom(seed), metrics),
    metrics,
    textRandom: createRandom(seed + 1),
    failureRandom: createRandom(seed + 2),
    failureRate: opts.failureRate ?? 0,
    stats: { requestsServed: 0, outputTokens: 0, promptTokens: 0, injectedFailures: 0 },
    logger: opts.logger ?? createSilentLogger(),
  };

  const server = createServer((req, res) => {
    route(state, req, res).catch((err: unknown) => {
      state.logger.error({ err }, 'simulator request failed');
      if (!res.headersSent) sendError(res, wireError(500, 'internal simulator error'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  state.logger.info({ url, model: opts.modelName }, 'simulator listening');

  return {
    url,
    stats: () => ({ ...state.stats, promptTokens: state.engine.promptTokensProcessed }),
    close: async () => {
      state.engine.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function route(state: SimulatorState, req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? '/').split('?')[0];
  const kinds: Record<string, CompletionKind> = {
    '/v1/chat/completions': 'chat',
    '/v1/completions': 'completion',
  };
  const kind = path === undefined ? undefined : kinds[path];
  if (kind !== undefined && req.method === 'POST') return handleGeneration(state, kind, req, res);
  if (path === '/v1/models' && req.method === 'GET') {
    return sendJson(res, 200, buildModelList(state.options.modelName, 'vllm'));
  }
  if (path === '/metrics' && req.method === 'GET') {
    const text = state.metrics.render(state.engine.gauges());
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    return void res.end(text);
  }
  if (path === '/health' && req.method === 'GET') return void res.writeHead(200).end();
  sendError(res, wireError(404, `no route for ${req.method ?? ''} ${path ?? ''}`));
}

async function handleGeneration(
  state: SimulatorState,
  kind: CompletionKind,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let bodyText: string;
  try {
    bodyText = await readBody(req, state.options.maxBodyBytes);
  } catch (err) {
    if ((err as { code?: string }).code !== 'body_too_large') return void res.destroy();
    return sendError(res, wireError(413, `request body over ${state.options.maxBodyBytes} bytes`));
  }
  const parsed = parseGenerationRequest(kind, bodyText);
  if (isWireError(parsed)) return sendError(res, parsed);
  if (parsed.model !== state.options.modelName) {
    const message = `The model \`${parsed.model}\` does not exist.`;
    return sendError(res, wireError(404, message, 'model'));
  }
  if (state.failureRate > 0 && state.failureRandom() < state.failureRate) {
    state.stats.injectedFailures += 1;
    return sendError(res, wireError(500, 'injected failure (simulator failureRate)'));
  }
  generate(state, parsed, res);
}

function generate(state: SimulatorState, request: GenerationRequest, res: ServerResponse): void {
  const promptTokens = countPromptTokens(request.promptText);
  const maxTokens = request.maxTokens ?? state.options.defaultMaxTokens;
  const identity = createIdentity(request.kind, request.model);
  const stream = request.stream ? new CompletionStream(identity, res, request.includeUsage) : null;
  const texts: string[] = [];
  let finished = false;

  stream?.start();
  const cancel = state.engine.submit({
    promptTokens,
    maxTokens,
    onTokens: (count) => {
      state.stats.outputTokens += count;
      for (let i = 0; i < count; i += 1) {
        const text = nextTokenText(state.textRandom);
        if (stream) stream.token(text);
        else texts.push(text);
      }
    },
    onFinish: (reason) => {
      finished = true;
      if (reason === 'abort') return void res.destroy();
      state.stats.requestsServed += 1;
      const usage = makeUsage(promptTokens, maxTokens);
      if (stream) stream.finish('length', usage);
      else sendJson(res, 200, buildFullResponse(identity, texts.join(''), 'length', usage));
    },
  });
  res.on('close', () => {
    if (!finished) cancel();
  });
}
