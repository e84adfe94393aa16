/**
 * Reading and validating client requests: the size-limited body, then the JSON fields the
 * gateway needs (`model`, `stream`, `stream_options`; `input` for embeddings).
 */
import type { IncomingMessage } from 'node:http';
import type { OpenAiError } from './errors.js';

/**
 * Reads the request body up to `maxBodyBytes`. Calls `onBody` with the whole body, or
 * `onTooLarge` as soon as the declared or received size passes the limit; in that case reading
 * stops (the caller must close the connection). Client errors end silently: nothing is called.
 */
export function readBody(
  req: IncomingMessage,
  maxBodyBytes: number,
  onBody: (body: Buffer) => void,
  onTooLarge: (sizeBytes: number) => void,
): void {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBodyBytes) {
    req.pause();
    onTooLarge(declared);
    return;
  }
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  const onData = (chunk: Buffer): void => {
    sizeBytes += chunk.length;
    if (sizeBytes > maxBodyBytes) {
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      onTooLarge(sizeBytes);
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    onBody(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, sizeBytes));
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', () => req.off('end', onEnd));
}

/** A validated completion request. */
export interface CompletionRequest {
  model: string;
  stream: boolean;
  /** Body to send upstream: the client's bytes, or a re-serialisation with usage requested. */
  upstreamBody: Buffer;
  /** True when the gateway added `stream_options.include_usage`; its usage chunk is removed. */
  usageInjected: boolean;
  /** The client's parsed body, as sent (kept only for captured requests). */
  body: Record<string, unknown>;
  /** False for embeddings: their replies hold vectors, not text the quality pipeline can judge. */
  capturable: boolean;
}

function invalid(message: string, param: string | null, code: string): { error: OpenAiError } {
  return { error: { status: 400, message, type: 'invalid_request_error', param, code } };
}

/** Parses a JSON object body carrying a string `model`, or says what is wrong (400). */
function parseModelBody(
  body: Buffer,
): { obj: Record<string, unknown>; model: string } | { error: OpenAiError } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return invalid(
      `request body is not valid JSON (${reason}); send a JSON object`,
      null,
      'invalid_json',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid('request body must be a JSON object', null, 'invalid_body');
  }
  const obj = parsed as Record<string, unknown>;
  if (obj.model === undefined) {
    return invalid('you must provide a model parameter', 'model', 'missing_model');
  }
  if (typeof obj.model !== 'string') {
    return invalid(`model must be a string, got ${typeof obj.model}`, 'model', 'invalid_model');
  }
  return { obj, model: obj.model };
}

/**
 * Parses and checks an embeddings body (`POST /v1/embeddings`): besides `model`, `input` must be
 * a string, an array of strings, an array of token ids or an array of token-id arrays (the
 * OpenAI API's four forms). The body goes upstream unchanged; embeddings never stream.
 */
export function parseEmbeddingsRequest(
  body: Buffer,
): { request: CompletionRequest } | { error: OpenAiError } {
  const parsed = parseModelBody(body);
  if ('error' in parsed) return parsed;
  const { obj, model } = parsed;
  if (obj.input === undefined) {
    return invalid('you must provide an input parameter', 'input', 'missing_input');
  }
  if (!isEmbeddingsInput(obj.input)) {
    return invalid(
      'input must be a string, an array of strings, an array of integers or an array of integer arrays',
      'input',
      'invalid_input',
    );
  }
  return {
    request: {
      model,
      stream: false,
      upstreamBody: body,
      usageInjected: false,
      body: obj,
      capturable: false,
    },
  };
}

function isEmbeddingsInput(input: unknown): boolean {
  if (typeof input === 'string') return true;
  if (!Array.isArray(input) || input.length === 0) return false;
  const isInt = (v: unknown) => Number.isSafeInteger(v);
  if (input.every((v) => typeof v === 'string')) return true;
  if (input.every(isInt)) return true;
  return input.every((v) => Array.isArray(v) && v.length > 0 && v.every(isInt));
}

/**
 * Parses and checks a chat/completions body. Bad JSON, a non-object body and a missing or
 * non-string `model` give a 400 error; model lookup is the caller's job.
 */
export function parseCompletionRequest(
  body: Buffer,
): { request: CompletionRequest } | { error: OpenAiError } {
  const parsed = parseModelBody(body);
  if ('error' in parsed) return parsed;
  const { obj } = parsed;
  if (obj.stream !== undefined && obj.stream !== null && typeof obj.stream !== 'boolean') {
    return invalid(
      `stream must be true or false, got ${JSON.stringify(obj.stream).slice(0, 40)}`,
      'stream',
      'invalid_stream',
    );
  }
  const stream = obj.stream === true;
  const options = obj.stream_options;
  if (
    options !== undefined &&
    options !== null &&
    (typeof options !== 'object' || Array.isArray(options))
  ) {
    return invalid(
      'stream_options must be an object such as {"include_usage": true}',
      'stream_options',
      'invalid_stream_options',
    );
  }
  const canInject =
    stream && (options === undefined || (typeof options === 'object' && options !== null));
  const wantsUsage =
    typeof options === 'object' &&
    options !== null &&
    (options as Record<string, unknown>).include_usage === true;
  if (!canInject || wantsUsage) {
    return {
      request: {
        model: parsed.model,
        stream,
        upstreamBody: body,
        usageInjected: false,
        body: obj,
        capturable: true,
      },
    };
  }
  const sent = {
    ...obj,
    stream_options: { ...(options as object | undefined), include_usage: true },
  };
  return {
    request: {
      model: parsed.model,
      stream,
      upstreamBody: Buffer.from(JSON.stringify(sent)),
      usageInjected: true,
      body: obj,
      capturable: true,
    },
  };
}
