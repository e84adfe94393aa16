/**
 * The Prometheus remote-write 1.0 receiver (`POST /api/v1/write`). A request is answered 204 only
 * after its samples are committed to the store, so acknowledged data survives a crash. Answers
 * follow Prometheus's receiver: 400 (plain text naming the problem) for bad payloads, which
 * senders do not retry; 5xx when the store fails, which senders retry. Retried batches are
 * harmless: a sample at an existing (series, timestamp) replaces the old one.
 *
 * Limitation: remote write 2.0 (io.prometheus.write.v2.Request) is refused with 415; configure
 * senders with `protobuf_message: prometheus.WriteRequest` (the 1.0 format).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLlmwatchError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { MetricStore } from '../../store/types.js';
import { appendInBatches, readBodyLimited } from '../push-body.js';
import {
  decodeWriteRequest,
  type DecodeLimits,
  type DecodedWriteRequest,
  type RemoteWriteMetadata,
} from './codec.js';

/** What the receiver needs. */
export interface RemoteWriteDeps {
  /** Samples are appended here and awaited before answering (not the lossy buffered writer). */
  store: Pick<MetricStore, 'append'>;
  logger: Logger;
  /** Limits on the payload; see DecodeLimits. Defaults apply to unset fields. */
  limits?: RemoteWriteLimits;
  /** Receives the metadata (TYPE, HELP, unit) senders include; its errors are logged, ignored. */
  onMetadata?: (metadata: RemoteWriteMetadata[]) => void;
}

/** Payload limits: the decode limits plus the compressed body size. */
export interface RemoteWriteLimits extends DecodeLimits {
  /** Largest compressed request body, in bytes. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Most samples per store transaction; a request is split into batches. Default 50 000. */
  maxBatchSamples?: number;
}

/** The default compressed body limit, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

const V2_HINT =
  'llmwatch accepts remote write 1.0 only (content-type application/x-protobuf, ' +
  'proto=prometheus.WriteRequest); set protobuf_message: prometheus.WriteRequest ' +
  "in the sender's remote_write config";

/**
 * Handles one `POST /api/v1/write`. Never throws: every outcome is an HTTP answer (204, 400, 405,
 * 413, 415 or 500) and failures are logged.
 */
export async function handleRemoteWrite(
  deps: RemoteWriteDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    await receive(deps, req, res);
  } catch (err) {
    deps.logger.error({ err }, 'remote write failed');
    if (!res.headersSent) sendText(res, 500, 'internal error while receiving remote write');
  }
}

async function receive(deps: RemoteWriteDeps, req: IncomingMessage, res: ServerResponse) {
  const limits = deps.limits ?? {};
  const maxBodyBytes = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return sendText(res, 405, `remote write needs POST, got ${req.method ?? '?'}`);
  }
  const refusal = checkHeaders(req, maxBodyBytes);
  if (refusal !== undefined) return sendText(res, refusal.status, refusal.message, true);

  const body = await readBodyLimited(req, maxBodyBytes);
  if (body === undefined) {
    const message = `remote write body is larger than ${maxBodyBytes} bytes; send smaller batches (queue_config.max_samples_per_send)`;
    return sendText(res, 413, message, true);
  }

  let decoded: DecodedWriteRequest;
  try {
    decoded = decodeWriteRequest(body, limits);
  } catch (err) {
    if (!isLlmwatchError(err)) throw err;
    deps.logger.warn({ code: err.code, sizeBytes: body.length }, 'remote write rejected');
    return sendText(res, err.code === 'remote_write_too_large' ? 413 : 400, err.message);
  }

  try {
    await appendInBatches(deps.store, decoded.samples, limits.maxBatchSamples);
  } catch (err) {
    const code = isLlmwatchError(err) ? err.code : undefined;
    deps.logger.error({ err, code, samples: decoded.samples.length }, 'remote write store failed');
    if (code === 'store_invalid_sample') return sendText(res, 400, (err as Error).message);
    return sendText(res, 500, `storing ${decoded.samples.length} samples failed; retry later`);
  }

  recordMetadata(deps, decoded.metadata);
  if (decoded.droppedHistograms > 0 || decoded.droppedExemplars > 0) {
    deps.logger.warn(
      { histograms: decoded.droppedHistograms, exemplars: decoded.droppedExemplars },
      'remote write dropped unsupported native histograms or exemplars',
    );
  }
  res.writeHead(204);
  res.end();
}

/** Returns a refusal for unsupported headers or an oversized declared length. */
function checkHeaders(
  req: IncomingMessage,
  maxBodyBytes: number,
): { status: number; message: string } | undefined {
  // As in Prometheus, a missing Content-Encoding or Content-Type means remote write 1.0.
  const encoding = (req.headers['content-encoding'] ?? 'snappy').trim().toLowerCase();
  if (encoding !== 'snappy') {
    return {
      status: 415,
      message: `unsupported content-encoding ${JSON.stringify(encoding)}; remote write bodies must be snappy-compressed (content-encoding: snappy)`,
    };
  }
  const contentType = req.headers['content-type'] ?? 'application/x-protobuf';
  const [mediaType = '', ...params] = contentType.split(';').map((p) => p.trim());
  const proto = params.find((p) => p.toLowerCase().startsWith('proto='))?.slice(6);
  if (mediaType.toLowerCase() !== 'application/x-protobuf') {
    return {
      status: 415,
      message: `unsupported content-type ${JSON.stringify(contentType)}; ${V2_HINT}`,
    };
  }
  if (proto !== undefined && proto !== 'prometheus.WriteRequest') {
    return {
      status: 415,
      message: `unsupported remote write message ${JSON.stringify(proto)}; ${V2_HINT}`,
    };
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBodyBytes) {
    return {
      status: 413,
      message: `remote write body of ${declared} bytes is larger than ${maxBodyBytes} bytes; send smaller batches (queue_config.max_samples_per_send)`,
    };
  }
  return undefined;
}

function recordMetadata(deps: RemoteWriteDeps, metadata: RemoteWriteMetadata[]): void {
  if (metadata.length === 0 || deps.onMetadata === undefined) return;
  try {
    deps.onMetadata(metadata);
  } catch (err) {
    deps.logger.warn({ err }, 'remote write metadata sink failed');
  }
}

/** Sends a plain-text answer as Prometheus does; `close` ends the connection (unread body). */
function sendText(res: ServerResponse, status: number, message: string, close = false): void {
  const text = `${message}\n`;
  const headers: Record<string, string | number> = {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(text);
}
