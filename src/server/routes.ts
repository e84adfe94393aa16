/**
 * The HTTP route table of the llmwatch server: one node:http server for the gateway (/v1/*), the
 * Prometheus query API (/api/v1/*), llmwatch's own JSON API (/api/llmwatch/*), its /metrics, and
 * the dashboards. Routes are thin; the logic lives in each part's module.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.js';
import { isLlmwatchError } from '../core/errors.js';
import type { Config } from '../config/schema.js';
import type { Gateway } from '../gateway/gateway.js';
import type { PromqlEngine } from '../promql/engine.js';
import type { MetricStore } from '../store/types.js';
import type { Scraper } from '../scrape/scraper.js';
import { handlePromApi } from '../query/prom-api.js';
import { createMetadataRegistry } from '../query/metadata.js';
import { handleRemoteWrite } from '../ingest/remote-write/receiver.js';
import { readParams } from './body.js';
import { listComponents } from './components.js';

/** Everything the routes need. */
export interface RouteDeps {
  config: Config;
  logger: Logger;
  gateway: Gateway;
  engine: PromqlEngine;
  store: MetricStore;
  scraper: Scraper;
  dashboards: (req: IncomingMessage, res: ServerResponse) => boolean;
  renderOwnMetrics: () => string;
  /** Evaluation records API (GET /api/llmwatch/evaluations...). */
  evaluations: (path: string, params: URLSearchParams) => { status: number; body: unknown } | null;
  /** Ingest of request/response pairs (POST /api/llmwatch/pairs); false when not its path. */
  pairs: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** More llmwatch API handlers (alerts, silences, annotations); each returns true if handled. */
  extraHandlers: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>)[];
  /** OTLP/HTTP metrics receiver for POST /v1/metrics. */
  otlp: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  nowMs?: () => number;
}

const maxQueryBodyBytes = 1024 * 1024;

/** Sends a JSON body with the given status. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Creates the request listener for the llmwatch server. */
export function createRequestListener(deps: RouteDeps) {
  const nowMs = deps.nowMs ?? Date.now;
  const metadata = createMetadataRegistry({ expositionSources: [deps.renderOwnMetrics] });

  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === '/v1/metrics') {
      deps.otlp(req, res).catch((err: unknown) => {
        deps.logger.error({ err, path }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      });
      return;
    }
    if (path.startsWith('/v1/')) {
      deps.gateway.handle(req, res);
      return;
    }
    handleOther(req, res, path).catch((err: unknown) => {
      deps.logger.error({ err, path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { status: 'error', error: 'internal error' });
      else res.destroy();
    });
  };

  async function handleOther(req: IncomingMessage, res: ServerResponse, path: string) {
    if (path === '/api/v1/write') {
      const onMetadata = metadata.record;
      await handleRemoteWrite({ store: deps.store, logger: deps.logger, onMetadata }, req, res);
      return;
    }
    if (path.startsWith('/api/v1/')) {
      if (req.method !== 'GET' && req.method !== 'POST') {
        res.setHeader('allow', 'GET, POST');
        const error = `${req.method} is not allowed on ${path}; use GET, or POST with a form body`;
        sendJson(res, 405, { status: 'error', errorType: 'bad_data', error });
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      let params: URLSearchParams;
      try {
        params = await readParams(req, url, maxQueryBodyBytes);
      } catch (err) {
        const message = isLlmwatchError(err) ? err.message : String(err);
        sendJson(res, 400, { status: 'error', errorType: 'bad_data', error: message });
        return;
      }
      const reply = await handlePromApi(
        { engine: deps.engine, store: deps.store, metadata, logger: deps.logger },
        path,
        params,
        nowMs(),
      );
      sendJson(res, reply.status, reply.body);
      return;
    }
    if (path === '/api/llmwatch/pairs') {
      await deps.pairs(req, res);
      return;
    }
    if (path.startsWith('/api/llmwatch/evaluations')) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const reply = deps.evaluations(path, url.searchParams);
      if (reply) {
        sendJson(res, reply.status, reply.body);
        return;
      }
    }
    for (const handler of deps.extraHandlers) {
      if (await handler(req, res)) return;
    }
    if (path === '/api/llmwatch/components') {
      sendJson(res, 200, { components: listComponents(deps.config) });
      return;
    }
    if (path === '/api/llmwatch/targets') {
      sendJson(res, 200, { targets: deps.scraper.targets() });
      return;
    }
    if (path === '/graph') {
      // Alert links use Prometheus's /graph?g0.expr=... form; the Alerts page lists them.
      res.writeHead(302, { location: '/d/alerts' });
      res.end();
      return;
    }
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/metrics') {
      const text = deps.renderOwnMetrics();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
      return;
    }
    if (deps.dashboards(req, res)) return;
    sendJson(res, 404, {
      status: 'error',
      error: `no route for ${req.method} ${path}; see /api/v1/*, /v1/*, /api/llmwatch/* or /`,
    });
  }
}
