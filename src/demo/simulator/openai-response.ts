/**
 * OpenAI response bodies and server-sent-event streams for chat and completions, shared by the
 * demo model servers. Stream framing follows OpenAI and vLLM: `data: {json}\n\n` per chunk,
 * `data: [DONE]\n\n` at the end, and a usage-only chunk with empty `choices` before [DONE] when
 * the client asked for `stream_options.include_usage`.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { CompletionKind } from './openai-wire.js';

/** Token usage as OpenAI reports it. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Why generation ended: `length` when max_tokens was reached, `stop` on end of sequence. */
export type FinishReason = 'stop' | 'length';

/** Builds a usage object from prompt and completion token counts. */
export function makeUsage(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/** Identity of one response: id prefix by kind, creation time in Unix seconds, model name. */
export interface ResponseIdentity {
  kind: CompletionKind;
  id: string;
  createdSeconds: number;
  model: string;
}

/** Creates a fresh response identity (`chatcmpl-…` or `cmpl-…`). */
export function createIdentity(kind: CompletionKind, model: string): ResponseIdentity {
  const prefix = kind === 'chat' ? 'chatcmpl-' : 'cmpl-';
  return {
    kind,
    id: prefix + randomBytes(12).toString('hex'),
    createdSeconds: Math.floor(Date.now() / 1000),
    model,
  };
}

/** The complete (non-stream) response body. */
export function buildFullResponse(
  identity: ResponseIdentity,
  text: string,
  finishReason: FinishReason,
  usage: Usage,
): Record<string, unknown> {
  const choice =
    identity.kind === 'chat'
      ? {
          index: 0,
          message: { role: 'assistant', content: text },
          logprobs: null,
          finish_reason: finishReason,
        }
      : { index: 0, text, logprobs: null, finish_reason: finishReason };
  return {
    id: identity.id,
    object: identity.kind === 'chat' ? 'chat.completion' : 'text_completion',
    created: identity.createdSeconds,
    model: identity.model,
    choices: [choice],
    usage,
  };
}

/**
 * Writes one streamed response. Call `start`, then `token` once per generated token, then
 * `finish`. Writes are ignored after the client went away.
 */
export class CompletionStream {
  private readonly identity: ResponseIdentity;
  private readonly res: ServerResponse;
  private readonly includeUsage: boolean;

  constructor(identity: ResponseIdentity, res: ServerResponse, includeUsage: boolean) {
    this.identity = identity;
    this.res = res;
    this.includeUsage = includeUsage;
  }

  /** Sends the 200 header (plus `extraHeaders`) and, for chat, the assistant role chunk. */
  start(extraHeaders: Record<string, string> = {}): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...extraHeaders,
    });
    if (this.identity.kind === 'chat') {
      this.writeChunk([
        {
          index: 0,
          delta: { role: 'assistant', content: '' },
          logprobs: null,
          finish_reason: null,
        },
      ]);
    }
  }

  /** Sends one content chunk carrying `text` (one token). */
  token(text: string): void {
    const choice =
      this.identity.kind === 'chat'
        ? { index: 0, delta: { content: text }, logprobs: null, finish_reason: null }
        : { index: 0, text, logprobs: null, finish_reason: null };
    this.writeChunk([choice]);
  }

  /** Sends the finish chunk, the usage chunk when asked for, `[DONE]`, and ends the response. */
  finish(finishReason: FinishReason, usage: Usage): void {
    const choice =
      this.identity.kind === 'chat'
        ? { index: 0, delta: {}, logprobs: null, finish_reason: finishReason }
        : { index: 0, text: '', logprobs: null, finish_reason: finishReason };
    this.writeChunk([choice]);
    if (this.includeUsage) this.writeChunk([], usage);
    this.write('data: [DONE]\n\n');
    if (!this.res.writableEnded) this.res.end();
  }

  private writeChunk(choices: unknown[], usage?: Usage): void {
    const chunk: Record<string, unknown> = {
      id: this.identity.id,
      object: this.identity.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
      created: this.identity.createdSeconds,
      model: this.identity.model,
      choices,
    };
    if (this.includeUsage) chunk.usage = usage ?? null;
    this.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }

  private write(text: string): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(text);
  }
}

/** Body of `GET /v1/models` listing one model. */
export function buildModelList(modelName: string, ownedBy: string): Record<string, unknown> {
  return {
    object: 'list',
    data: [
      {
        id: modelName,
        object: 'model',
        created: Math.floor(Date.now() / 1000),
        owned_by: ownedBy,
      },
    ],
  };
}

/** Reads a request body as UTF-8 up to `maxBytes`; rejects with code `body_too_large` beyond. */
export async function readBody(
  req: AsyncIterable<Buffer | string>,
  maxBytes: number,
): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    const buf = typeof part === 'string' ? Buffer.from(part) : part;
    size += buf.length;
    if (size > maxBytes) {
      throw Object.assign(new Error(`request body over ${maxBytes} bytes`), {
        code: 'body_too_large',
      });
    }
    parts.push(buf);
  }
  return Buffer.concat(parts).toString('utf8');
}
