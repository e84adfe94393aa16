/**
 * The OpenAI-compatible gateway: routes `/v1/chat/completions`, `/v1/completions` and
 * `/v1/embeddings` by the body's `model` to a component, balances across its copies by least outstanding requests, and
 * records per-request metrics into the in-process registry. `GET /v1/models` lists the models.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import type { MetricRegistry } from '../ingest/registry.js';
import { sendOpenAiError, type OpenAiError } from './errors.js';
import { Exchange, upstreamHeaders, type ExchangeContext, type RequestFacts } from './exchange.js';
import {
  CaptureBuffer,
  MAX_CAPTURE_REQUEST_BYTES,
  requestIdOf,
  type CaptureOptions,
} from './capture.js';

export type { RequestFacts };
export type { CaptureOptions, CapturedPair } from './capture.js';
import { createModelSeries, registerGatewayFamilies } from './metrics.js';
import { buildRoutes, pickCopy, type ComponentRoute } from './routing.js';
import {
  parseCompletionRequest,
  parseEmbeddingsRequest,
  readBody,
  type CompletionRequest,
} from './request.js';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** Validated configuration: `components` and `gateway.*` are used. */
  config: Config;
  /** Registry the request metrics are recorded into. */
  registry: MetricRegistry;
  logger: Logger;
  /**
   * Monotonic clock in milliseconds used to time requests (durations, TTFT, inter-token gaps).
   * Default `performance.now`. Tests inject a fake clock for exact bucket placement.
   */
  nowMs?: () => number;
  /**
   * Called once per finished request with what was recorded (never with prompts or answers).
   * Must be fast and must not throw; a throwing listener is logged and ignored.
   */
  onRequest?: (facts: RequestFacts) => void;
  /**
   * Capture of sampled request/response pairs for the quality pipeline. Default: none (no
   * request is captured). Every reply carries an `x-request-id` header either way.
   */
  capture?: CaptureOptions;
}

/** A running gateway. */
export interface Gateway {
  /** Handles one request whose path starts with `/v1/`. Never throws; errors become replies. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Closes the upstream connection pools, waiting for in-flight upstream requests. */
  close(): Promise<void>;
}

/** POST routes and the parser of each one's body. */
const POST_PATHS = new Map([
  ['/v1/chat/completions', parseCompletionRequest],
  ['/v1/completions', parseCompletionRequest],
  ['/v1/embeddings', parseEmbeddingsRequest],
]);

function clientError(status: number, message: string, code: string, param: string | null = null) {
  return { status, message, type: 'invalid_request_error', param, code } satisfies OpenAiError;
}

/** Creates the gateway. Upstream pools are created now; connections open on first use. */
export function createGateway(opts: GatewayOptions): Gateway {
  const { config, logger } = opts;
  const nowMs = opts.nowMs ?? performance.now.bind(performance);
  const families = registerGatewayFamilies(opts.registry);
  const { byModel, components } = buildRoutes(config, families);
  const ctx: ExchangeContext = {
    families,
    logger,
    nowMs,
    onRequest: opts.onRequest,
    onCapture: opts.capture?.onCapture.bind(opts.capture),
  };
  const createdSeconds = Math.floor(Date.now() / 1000);
  const modelList = JSON.stringify({
    object: 'list',
    data: [...byModel].map(([id, route]) => ({
      id,
      object: 'model',
      created: createdSeconds,
      owned_by: route.name,
    })),
  });
  const knownModels = [...byModel.keys()].join(', ') || '(none configured)';

  function reject(
    res: ServerResponse,
    error: OpenAiError,
    extraHeaders: Record<string, string> = {},
    closeConnection = false,
  ): void {
    families.invalidRequests.series({ reason: error.code }).inc();
    sendOpenAiError(res, error, extraHeaders, closeConnection);
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    request: CompletionRequest,
    component: ComponentRoute,
    startMs: number,
    requestId: string,
  ): void {
    const copy = pickCopy(component);
    let series = copy.seriesByModel.get(request.model);
    if (series === undefined) {
      series = createModelSeries(families, {
        component: component.name,
        copy: copy.name,
        endpoint: component.endpoint,
        model: request.model,
      });
      copy.seriesByModel.set(request.model, series);
    }
    const exchange = new Exchange(
      ctx,
      res,
      component,
      copy,
      series,
      startMs,
      request.usageInjected,
      startCapture(request, component, copy.name, requestId),
    );
    const body = request.upstreamBody;
    const url = req.url as string;
    try {
      copy.pool.dispatch(
        {
          path: copy.basePath + url,
          method: 'POST',
          headers: upstreamHeaders(req.headers, body.length),
          body,
        },
        exchange,
      );
    } catch (err) {
      exchange.onResponseError(null as never, err as Error);
    }
  }

  /** A capture buffer when the request is sampled, else null (no further cost). */
  function startCapture(
    request: CompletionRequest,
    component: ComponentRoute,
    copy: string,
    requestId: string,
  ): CaptureBuffer | null {
    const capture = opts.capture;
    if (capture === undefined || !request.capturable) return null;
    try {
      if (!capture.shouldCapture(component.name, requestId)) return null;
    } catch (err) {
      logger.warn({ err, component: component.name, requestId }, 'capture sampler failed');
      return null;
    }
    const requestCut = request.upstreamBody.length > MAX_CAPTURE_REQUEST_BYTES;
    const base = {
      requestId,
      component: component.name,
      model: request.model,
      copy,
      endpoint: component.endpoint,
      request: requestCut ? null : request.body,
      stream: request.stream,
      startedAtMs: Date.now(),
    };
    return new CaptureBuffer(base, requestCut);
  }

  function onCompletionBody(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    startMs: number,
    requestId: string,
    parse: typeof parseCompletionRequest,
  ): void {
    const parsed = parse(body);
    if ('error' in parsed) {
      reject(res, parsed.error);
      return;
    }
    const component = byModel.get(parsed.request.model);
    if (component === undefined) {
      const shown = JSON.stringify(parsed.request.model.slice(0, 200));
      const message = `model ${shown} is not served here; known models: ${knownModels}`;
      reject(res, clientError(404, message, 'model_not_found', 'model'));
      return;
    }
    forward(req, res, parsed.request, component, startMs, requestId);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const startMs = nowMs();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const requestId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const parse = POST_PATHS.get(path);
    if (parse !== undefined) {
      if (req.method !== 'POST') {
        const message = `${req.method} is not allowed on ${path}; use POST`;
        reject(res, clientError(405, message, 'method_not_allowed'), { allow: 'POST' });
        return;
      }
      const encoding = req.headers['content-encoding'];
      if (encoding !== undefined && encoding !== 'identity') {
        const message = `content-encoding "${encoding.slice(0, 40)}" is not supported; send an uncompressed JSON body`;
        reject(res, clientError(415, message, 'unsupported_content_encoding'), {}, true);
        return;
      }
      const limit = config.gateway.maxBodyBytes;
      readBody(
        req,
        limit,
        (body) => onCompletionBody(req, res, body, startMs, requestId, parse),
        (sizeBytes) => {
          const message = `request body of ${sizeBytes} bytes or more exceeds the gateway limit of ${limit} bytes; send less or raise gateway.maxBodyBytes`;
          reject(res, clientError(413, message, 'body_too_large'), {}, true);
        },
      );
      return;
    }
    if (path === '/v1/models') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const message = `${req.method} is not allowed on ${path}; use GET`;
        reject(res, clientError(405, message, 'method_not_allowed'), { allow: 'GET, HEAD' });
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(modelList),
      });
      res.end(req.method === 'HEAD' ? undefined : modelList);
      return;
    }
    const message = `unknown path ${path}; the gateway serves POST /v1/chat/completions, POST /v1/completions, POST /v1/embeddings and GET /v1/models`;
    reject(res, clientError(404, message, 'unknown_path'));
  }

  async function close(): Promise<void> {
    await Promise.all(components.flatMap((c) => c.copies.map((copy) => copy.pool.close())));
  }

  return { handle, close };
}
