/**
 * OpenAI-style error replies: `{ error: { message, type, param, code } }` with a 4xx/5xx status.
 */
import type { ServerResponse } from 'node:http';

/** The `type` of an OpenAI error body. Client mistakes are "invalid_request_error". */
export type OpenAiErrorType = 'invalid_request_error' | 'upstream_error';

/** What went wrong, in the OpenAI error shape. `param` names the offending field, or null. */
export interface OpenAiError {
  status: number;
  message: string;
  type: OpenAiErrorType;
  param: string | null;
  code: string;
}

/**
 * Writes an OpenAI-style JSON error and ends the response. Does nothing when the headers were
 * already sent (the caller then has to destroy the response instead). `closeConnection` asks the
 * client to drop the connection (used when the request body was not read to its end).
 */
export function sendOpenAiError(
  res: ServerResponse,
  error: OpenAiError,
  extraHeaders: Record<string, string> = {},
  closeConnection = false,
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify({
    error: { message: error.message, type: error.type, param: error.param, code: error.code },
  });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  };
  if (closeConnection) headers.connection = 'close';
  res.writeHead(error.status, headers);
  res.end(body);
}
