/**
 * Maps undici/network errors from an upstream to a failure kind and the client's error reply:
 * connect problems and resets give 502, timeouts 504.
 */
import type { OpenAiError } from './errors.js';
import type { UpstreamErrorKind } from './metrics.js';

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** The failure kind and the OpenAI-style reply for it. */
export interface UpstreamFailure {
  kind: UpstreamErrorKind;
  reply: OpenAiError;
}

/** Classifies an upstream error by its `code`; unknown codes count as "protocol". */
export function classifyUpstreamError(error: Error): UpstreamFailure {
  const code = String((error as { code?: unknown }).code ?? '');
  let kind: UpstreamErrorKind = 'protocol';
  if (CONNECT_CODES.has(code)) kind = 'connect';
  else if (TIMEOUT_CODES.has(code)) kind = 'timeout';
  else if (RESET_CODES.has(code)) kind = 'reset';
  const messages: Record<UpstreamErrorKind, string> = {
    connect: 'the model server could not be reached; check that the copy is running',
    timeout: 'the model server did not answer in time; retry later or raise the gateway timeouts',
    reset: 'the model server closed the connection before answering; retry the request',
    protocol: 'the model server sent a malformed reply; check the copy logs',
  };
  return {
    kind,
    reply: {
      status: kind === 'timeout' ? 504 : 502,
      message: messages[kind],
      type: 'upstream_error',
      param: null,
      code: `upstream_${kind}`,
    },
  };
}
