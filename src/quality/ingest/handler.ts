/**
 * `POST /api/llmwatch/pairs`: request/response pairs logged elsewhere (native JSON or JSONL,
 * or SageMaker data-capture JSONL), answered 202 only once they are durably enqueued.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../core/log.js';
import { isLlmwatchError } from '../../core/errors.js';
import { readBody } from '../../server/body.js';
import type { PairInput } from '../pipeline/queue.js';
import { parsePairsBody } from './parse.js';

/** Path of the ingest API. */
export const PAIRS_PATH = '/api/llmwatch/pairs';

/** Default body limit, bytes (10 MiB). */
export const DEFAULT_MAX_PAIRS_BODY_BYTES = 10 * 1024 * 1024;

/** Options of createPairsIngestHandler. */
export interface PairsIngestOptions {
  /** Durable enqueue (the pipeline's `ingest`); returns how many pairs were new. */
  ingest(pairs: readonly PairInput[]): number;
  logger: Logger;
  /** Largest body accepted, bytes. Default 10 MiB. */
  maxBodyBytes?: number;
  /** Wall clock, Unix ms. Default Date.now. */
  nowMs?: () => number;
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function error(res: ServerResponse, status: number, code: string, message: string, headers = {}) {
  reply(res, status, { error: { code, message } }, headers);
}

/**
 * Creates the handler `(req, res) => Promise<boolean>`: true when it answered (the path is
 * PAIRS_PATH). Query parameters `component` and `model` fill pairs that lack them (data-capture
 * records always need `component`). Replies: 202 `{ accepted, duplicates, skipped }`; 400
 * `pairs_invalid` naming the line and field; 405 for other methods; 413 over the size limit;
 * 415 for compressed bodies; 503 `quality_queue_full` with Retry-After.
 */
export function createPairsIngestHandler(opts: PairsIngestOptions) {
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_PAIRS_BODY_BYTES;
  const nowMs = opts.nowMs ?? Date.now;

  return async function handlePairsIngest(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== PAIRS_PATH) return false;
    if (req.method !== 'POST') {
      error(
        res,
        405,
        'method_not_allowed',
        `${req.method} is not allowed on ${PAIRS_PATH}; use POST`,
        { allow: 'POST' },
      );
      return true;
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      error(
        res,
        415,
        'unsupported_content_encoding',
        `content-encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported; send an uncompressed body`,
      );
      return true;
    }

    let body: string;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (err) {
      if (isLlmwatchError(err) && err.code === 'body_too_large') {
        error(
          res,
          413,
          'body_too_large',
          `request body is larger than ${maxBodyBytes} bytes; send fewer pairs per request`,
          { connection: 'close' },
        );
      } else if (!res.headersSent)
        error(res, 400, 'body_aborted', 'the request body could not be read');
      return true;
    }

    const defaults = {
      component: url.searchParams.get('component') ?? undefined,
      model: url.searchParams.get('model') ?? undefined,
      nowMs: nowMs(),
    };
    try {
      const { pairs, skipped } = parsePairsBody(body, defaults);
      const accepted = opts.ingest(pairs);
      reply(res, 202, { accepted, duplicates: pairs.length - accepted, skipped });
    } catch (err) {
      if (isLlmwatchError(err) && err.code === 'pairs_invalid') {
        error(res, 400, err.code, err.message);
      } else if (isLlmwatchError(err) && err.code === 'quality_queue_full') {
        error(res, 503, err.code, err.message, { 'retry-after': '60' });
      } else {
        opts.logger.error({ err }, 'pairs ingest failed');
        error(
          res,
          500,
          'internal',
          'the pairs could not be stored; nothing was accepted, retry later',
        );
      }
    }
    return true;
  };
}
