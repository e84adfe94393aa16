/**
 * An OpenAI-compatible server over a real local GGUF model (node-llama-cpp): chat and
 * completions, stream and not, `GET /v1/models` and `GET /health`, with real token usage.
 * Long prompts are cut to fit the context (the end is kept) and max_tokens is capped to what
 * fits; both are logged and announced in the `x-llmwatch-prompt-truncated` and
 * `x-llmwatch-max-tokens-capped` response headers ("<requested>-><used>", in tokens).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSilentLogger, type Logger } from '../../core/log.js';
import { LlmwatchError } from '../../core/errors.js';
import {
  CompletionStream,
  buildFullResponse,
  buildModelList,
  createIdentity,
  makeUsage,
  readBody,
} from '../simulator/openai-response.js';
import {
  isWireError,
  parseGenerationRequest,
  sendError,
  sendJson,
  wireError,
  type CompletionKind,
  type GenerationRequest,
} from '../simulator/openai-wire.js';
import { LlamaRunner, type GenerationPlan } from './runner.js';

/** Options of startLlamaServer. */
export interface LlamaServerOptions {
  /** Path of the GGUF model file. */
  modelPath: string;
  /** Served model name; requests for another model get 404. */
  modelName: string;
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 picks a free one. Default 0. */
  port?: number;
  /** Generations running at once (one context sequence each); the rest queue. Default 1. */
  maxConcurrent?: number;
  /** Context window per sequence in tokens, capped at the model's training context. Default 512. */
  contextSize?: number;
  /** Tokens generated when the request has no max_tokens. Default 16. */
  defaultMaxTokens?: number;
  logger?: Logger;
}

/** Totals of the traffic a llama server has served. */
export interface LlamaServerStats {
  /** Generations that completed and were answered. */
  requestsServed: number;
  /** Prompt tokens evaluated (after truncation, BOS included). */
  promptTokens: number;
  /** Tokens generated. */
  outputTokens: number;
  /** Wall seconds spent generating, queue time excluded. */
  generationSeconds: number;
}

/** A running llama server. */
export interface LlamaServer {
  /** Base URL without trailing slash. */
  url: string;
  /** The context window per sequence actually created, in tokens. */
  contextSize: number;
  /** Closes the server and frees the model. */
  close(): Promise<void>;
  stats(): LlamaServerStats;
}

interface LlamaState {
  runner: LlamaRunner;
  modelName: string;
  defaultMaxTokens: number;
  logger: Logger;
  stats: LlamaServerStats;
  /** Generations in progress; close() waits for them before freeing the model. */
  inFlight: Set<Promise<void>>;
}

/** Loads the model and starts the server. Throws LlmwatchError `llama_start` if loading fails. */
export async function startLlamaServer(opts: LlamaServerOptions): Promise<LlamaServer> {
  const maxConcurrent = opts.maxConcurrent ?? 1;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    throw new LlmwatchError(
      'llama_start',
      `llama: maxConcurrent must be an integer >= 1, got ${maxConcurrent}`,
    );
  }
  let runner: LlamaRunner;
  try {
    runner = await LlamaRunner.load(opts.modelPath, opts.contextSize ?? 512, maxConcurrent);
  } catch (err) {
    const message = `llama: cannot load model "${opts.modelPath}": ${(err as Error).message}; check the path points to a GGUF file`;
    throw new LlmwatchError('llama_start', message, { cause: err });
  }
  const state: LlamaState = {
    runner,
    modelName: opts.modelName,
    defaultMaxTokens: opts.defaultMaxTokens ?? 16,
    logger: opts.logger ?? createSilentLogger(),
    stats: { requestsServed: 0, promptTokens: 0, outputTokens: 0, generationSeconds: 0 },
    inFlight: new Set(),
  };

  const server = createServer((req, res) => {
    route(state, req, res).catch((err: unknown) => {
      state.logger.error({ err: (err as Error).message }, 'llama request failed');
      if (!res.headersSent) sendError(res, wireError(500, 'generation failed'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  state.logger.info(
    { url, model: opts.modelName, contextSize: runner.contextSize },
    'llama listening',
  );

  return {
    url,
    contextSize: runner.contextSize,
    stats: () => ({ ...state.stats }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.allSettled([...state.inFlight]);
      await closed;
      await runner.dispose();
    },
  };
}

async function route(state: LlamaState, req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const kinds: Record<string, CompletionKind> = {
    '/v1/chat/completions': 'chat',
    '/v1/completions': 'completion',
  };
  const kind = kinds[path];
  if (kind !== undefined && req.method === 'POST') return handleGeneration(state, kind, req, res);
  if (path === '/v1/models' && req.method === 'GET') {
    return sendJson(res, 200, buildModelList(state.modelName, 'llama.cpp'));
  }
  if (path === '/health' && req.method === 'GET') return void res.writeHead(200).end();
  sendError(res, wireError(404, `no route for ${req.method ?? ''} ${path}`));
}

async function handleGeneration(
  state: LlamaState,
  kind: CompletionKind,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let bodyText: string;
  try {
    bodyText = await readBody(req, 1024 * 1024);
  } catch (err) {
    if ((err as { code?: string }).code !== 'body_too_large') return void res.destroy();
    return sendError(res, wireError(413, 'request body over 1048576 bytes'));
  }
  const parsed = parseGenerationRequest(kind, bodyText);
  if (isWireError(parsed)) return sendError(res, parsed);
  if (parsed.model !== state.modelName) {
    return sendError(res, wireError(404, `The model \`${parsed.model}\` does not exist.`, 'model'));
  }
  const plan = state.runner.plan(parsed.promptText, parsed.maxTokens ?? state.defaultMaxTokens);
  const running = generate(state, parsed, plan, res);
  state.inFlight.add(running);
  try {
    await running;
  } finally {
    state.inFlight.delete(running);
  }
}

function fitHeaders(state: LlamaState, plan: GenerationPlan): Record<string, string> {
  const headers: Record<string, string> = {};
  if (plan.originalPromptTokenCount !== plan.promptTokenCount) {
    headers['x-llmwatch-prompt-truncated'] =
      `${plan.originalPromptTokenCount}->${plan.promptTokenCount}`;
  }
  if (plan.maxTokens !== plan.requestedMaxTokens) {
    headers['x-llmwatch-max-tokens-capped'] = `${plan.requestedMaxTokens}->${plan.maxTokens}`;
  }
  if (Object.keys(headers).length > 0) {
    const fields = {
      promptTokens: plan.originalPromptTokenCount,
      keptPromptTokens: plan.promptTokenCount,
      requestedMaxTokens: plan.requestedMaxTokens,
      maxTokens: plan.maxTokens,
      contextSize: state.runner.contextSize,
    };
    state.logger.debug(fields, 'llama request fitted to context');
  }
  return headers;
}

async function generate(
  state: LlamaState,
  request: GenerationRequest,
  plan: GenerationPlan,
  res: ServerResponse,
): Promise<void> {
  const identity = createIdentity(request.kind, request.model);
  const headers = fitHeaders(state, plan);
  const aborter = new AbortController();
  res.on('close', () => aborter.abort());
  const stream = request.stream ? new CompletionStream(identity, res, request.includeUsage) : null;
  stream?.start(headers);
  const texts: string[] = [];

  const result = await state.runner.generate(
    plan,
    { temperature: request.temperature ?? 1, seed: request.seed, signal: aborter.signal },
    (text) => (stream ? stream.token(text) : texts.push(text)),
  );
  state.stats.outputTokens += result.completionTokens;
  state.stats.promptTokens += plan.promptTokenCount;
  state.stats.generationSeconds += result.generationMs / 1000;
  if (aborter.signal.aborted) return;

  state.stats.requestsServed += 1;
  const usage = makeUsage(plan.promptTokenCount, result.completionTokens);
  if (stream) return stream.finish(result.finishReason, usage);
  res.setHeaders(new Map(Object.entries(headers)));
  sendJson(res, 200, buildFullResponse(identity, texts.join(''), result.finishReason, usage));
}
