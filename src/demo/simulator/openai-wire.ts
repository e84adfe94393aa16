/**
 * OpenAI wire format shared by the demo model servers (simulator and llama): request parsing
 * with OpenAI-style validation errors, response bodies, stream chunks and SSE framing.
 */
import type { ServerResponse } from 'node:http';

/** Which OpenAI endpoint a request came in on. */
export type CompletionKind = 'chat' | 'completion';

/** A validated generation request, reduced to what the demo servers use. */
export interface GenerationRequest {
  kind: CompletionKind;
  /** The `model` field as sent. */
  model: string;
  /** The prompt text; for chat, every message content joined with "\n". */
  promptText: string;
  /** `max_tokens` or `max_completion_tokens`; undefined when the client sent neither. */
  maxTokens: number | undefined;
  stream: boolean;
  /** `stream_options.include_usage`; only meaningful when `stream` is true. */
  includeUsage: boolean;
  /** `temperature`; undefined when absent. */
  temperature: number | undefined;
  /** `seed`; undefined when absent. */
  seed: number | undefined;
}

/** An HTTP error in OpenAI's shape: `{ error: { message, type, param, code } }`. */
export interface WireError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: number } };
}

/** Builds an OpenAI-style error for `status` naming the bad `param` (null when not one field). */
export function wireError(status: number, message: string, param: string | null = null): WireError {
  const type =
    status === 404 ? 'NotFoundError' : status >= 500 ? 'InternalServerError' : 'BadRequestError';
  return { status, body: { error: { message, type, param, code: status } } };
}

/** Writes a JSON body with `status` and closes the response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Writes an OpenAI-style error response. */
export function sendError(res: ServerResponse, err: WireError): void {
  sendJson(res, err.status, err.body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readContent(content: unknown, index: number): string | WireError {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) {
    return wireError(400, `messages[${index}].content must be a string or an array of parts`);
  }
  const texts: string[] = [];
  for (const part of content) {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') {
      texts.push(part.text);
    }
  }
  return texts.join(' ');
}

function readPrompt(body: Record<string, unknown>): string | WireError {
  const prompt = body.prompt;
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') {
    return prompt[0];
  }
  // Limitation: batched prompts (several strings) and token-id prompts are not supported.
  return wireError(400, 'prompt must be a string (or an array of exactly one string)', 'prompt');
}

function readMessages(body: Record<string, unknown>): string | WireError {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return wireError(400, 'messages must be a non-empty array of {role, content}', 'messages');
  }
  const texts: string[] = [];
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message) || typeof message.role !== 'string') {
      return wireError(400, `messages[${index}] must be an object with a string role`, 'messages');
    }
    const text = readContent(message.content, index);
    if (typeof text !== 'string') return text;
    texts.push(text);
  }
  return texts.join('\n');
}

function readOptionalNumber(
  body: Record<string, unknown>,
  field: string,
  integerMin?: number,
): number | undefined | WireError {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (integerMin === undefined || (Number.isInteger(value) && value >= integerMin));
  if (!valid) {
    const expected = integerMin === undefined ? 'a number' : `an integer >= ${integerMin}`;
    return wireError(400, `${field} must be ${expected}, got ${JSON.stringify(value)}`, field);
  }
  return value as number;
}

/**
 * Parses and validates a chat or completions request body. Returns a WireError (400) for
 * malformed JSON, a non-object body, a missing model, bad messages/prompt, bad numbers or n > 1.
 */
export function parseGenerationRequest(
  kind: CompletionKind,
  bodyText: string,
): GenerationRequest | WireError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return wireError(400, 'request body is not valid JSON; send a JSON object');
  }
  if (!isRecord(body)) return wireError(400, 'request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model === '') {
    return wireError(400, 'model must be a non-empty string', 'model');
  }

  const promptText = kind === 'chat' ? readMessages(body) : readPrompt(body);
  if (typeof promptText !== 'string') return promptText;
  const maxField =
    body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
  const maxTokens = readOptionalNumber(body, maxField, 1);
  const temperature = readOptionalNumber(body, 'temperature');
  const seed = readOptionalNumber(body, 'seed', Number.MIN_SAFE_INTEGER);
  const n = readOptionalNumber(body, 'n', 1);
  for (const value of [maxTokens, temperature, seed, n]) {
    if (typeof value === 'object') return value;
  }
  // Limitation: n > 1 (several choices per request) is not supported by the demo servers.
  if (n !== undefined && n !== 1) return wireError(400, 'n must be 1 on this server', 'n');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    return wireError(400, 'stream must be a boolean', 'stream');
  }

  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  return {
    kind,
    model: body.model,
    promptText,
    maxTokens: maxTokens as number | undefined,
    stream: body.stream === true,
    includeUsage: streamOptions.include_usage === true,
    temperature: temperature as number | undefined,
    seed: seed as number | undefined,
  };
}

/** True when `value` is a WireError rather than a parsed request. */
export function isWireError(value: unknown): value is WireError {
  return isRecord(value) && typeof value.status === 'number' && isRecord(value.body);
}
