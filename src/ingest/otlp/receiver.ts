/**
 * The OTLP/HTTP metrics receiver (`POST /v1/metrics`), per the OTLP/HTTP specification: bodies in
 * protobuf (`application/x-protobuf`) or JSON (`application/json`), optionally gzip-compressed.
 * A request is answered only after its samples are committed to the store, so acknowledged data
 * survives a crash. Answers: 200 (with partial_success when some points were refused), 400 for
 * undecodable bodies, 405 for other methods, 413 for oversized bodies or too many points, 415 for
 * unsupported content types or encodings, 503 when the store fails (senders retry 503).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLlmwatchError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { MetricStore } from '../../store/types.js';
import { appendInBatches, readBodyLimited } from '../push-body.js';
import type { OtlpConfig } from './config.js';
import { convertRequest } from './convert.js';
import { decodeMetricsRequest, encodingOf, gunzipLimited } from './decode.js';
import type { OtlpMetricsRequest } from './model.js';
import { sendExportResponse, sendStatus } from './response.js';
import { createOtlpState, type OtlpState } from './state.js';

/** What the receiver needs. */
export interface OtlpReceiverDeps {
  /** Samples are appended here and awaited before answering. */
  store: Pick<MetricStore, 'append'>;
  logger: Logger;
  /** The validated `otlp:` configuration section. */
  config: OtlpConfig;
  /**
   * Delta running totals and start-sample markers. Default: one state per `config` object,
   * created on first use, so pass the same config object on every call.
   */
  state?: OtlpState;
}

const defaultStates = new WeakMap<OtlpConfig, OtlpState>();

/** Returns a handler bound to one state; equivalent to calling handleOtlpMetrics with `state`. */
export function createOtlpMetricsHandler(
  deps: OtlpReceiverDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const bound = { ...deps, state: deps.state ?? createOtlpState(deps.config.maxDeltaSeries) };
  return (req, res) => handleOtlpMetrics(bound, req, res);
}

/** Handles one `POST /v1/metrics`. Never throws: every outcome is an HTTP answer, failures logged. */
export async function handleOtlpMetrics(
  deps: OtlpReceiverDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const encoding = encodingOf(req.headers['content-type']) ?? 'json';
  try {
    await receive(deps, req, res);
  } catch (err) {
    deps.logger.error({ err }, 'otlp metrics receive failed');
    if (!res.headersSent)
      sendStatus(res, 500, encoding, 'internal error while receiving OTLP metrics');
  }
}

async function receive(
  deps: OtlpReceiverDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { config, logger } = deps;
  const contentType = req.headers['content-type'];
  const encoding = encodingOf(contentType);
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return sendStatus(
      res,
      405,
      encoding ?? 'json',
      `OTLP metrics need POST, got ${req.method ?? '?'}`,
      true,
    );
  }
  if (encoding === undefined) {
    const message = `unsupported content-type ${JSON.stringify(contentType ?? '')}; send application/x-protobuf or application/json`;
    return sendStatus(res, 415, 'json', message, true);
  }
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
    const message = `unsupported content-encoding ${JSON.stringify(contentEncoding)}; send gzip or no encoding`;
    return sendStatus(res, 415, encoding, message, true);
  }
  const tooLarge = `body is larger than ${config.maxBodyBytes} bytes (otlp.maxBodyBytes); export smaller batches`;
  if (Number(req.headers['content-length'] ?? '0') > config.maxBodyBytes) {
    return sendStatus(res, 413, encoding, tooLarge, true);
  }
  const raw = await readBodyLimited(req, config.maxBodyBytes);
  if (raw === undefined) return sendStatus(res, 413, encoding, tooLarge, true);

  let request: OtlpMetricsRequest;
  try {
    const body =
      contentEncoding === 'gzip' ? await gunzipLimited(raw, config.maxDecompressedBytes) : raw;
    request = decodeMetricsRequest(body, encoding, config.maxDataPointsPerRequest);
  } catch (err) {
    if (!isLlmwatchError(err)) throw err;
    logger.warn({ code: err.code, sizeBytes: raw.length, encoding }, 'otlp metrics rejected');
    const status = err.code === 'otlp_invalid' ? 400 : 413;
    return sendStatus(res, status, encoding, err.message);
  }

  const state = deps.state ?? defaultState(config);
  const outcome = await state.runExclusive(() => storeRequest(deps, state, request));
  if (outcome.failed) return sendStatus(res, 503, encoding, outcome.message);
  if (outcome.rejectedPoints > 0) {
    logger.warn(
      { rejectedPoints: outcome.rejectedPoints, reasons: outcome.reasons },
      'otlp metrics partially rejected',
    );
  }
  const errorMessage =
    outcome.rejectedPoints > 0
      ? `${outcome.rejectedPoints} of ${request.pointCount} data points rejected: ${outcome.reasons.join('; ')}`
      : '';
  sendExportResponse(res, encoding, outcome.rejectedPoints, errorMessage);
}

type StoreOutcome =
  { failed: false; rejectedPoints: number; reasons: string[] } | { failed: true; message: string };

/** Converts, stores, and only then commits the delta totals (a failed store changes nothing). */
async function storeRequest(
  deps: OtlpReceiverDeps,
  state: OtlpState,
  request: OtlpMetricsRequest,
): Promise<StoreOutcome> {
  const tx = state.begin();
  const converted = convertRequest(request, deps.config, tx);
  try {
    await appendInBatches(deps.store, converted.samples);
  } catch (err) {
    const code = isLlmwatchError(err) ? err.code : undefined;
    deps.logger.error(
      { err, code, samples: converted.samples.length },
      'otlp metrics store failed',
    );
    return {
      failed: true,
      message: `storing ${converted.samples.length} samples failed; retry later`,
    };
  }
  tx.commit();
  return { failed: false, rejectedPoints: converted.rejectedPoints, reasons: converted.reasons };
}

function defaultState(config: OtlpConfig): OtlpState {
  let state = defaultStates.get(config);
  if (state === undefined) {
    state = createOtlpState(config.maxDeltaSeries);
    defaultStates.set(config, state);
  }
  return state;
}
