/**
 * Sends one replayed trace request to an OpenAI-compatible endpoint and measures it: status,
 * end-to-end latency, time to first content chunk (streaming), and token usage.
 * Limitation: a non-streaming response body is read whole into memory, with no size cap.
 */
import { performance } from 'node:perf_hooks';

import { request, type Dispatcher } from 'undici';

/**
 * Outcome of one request: the HTTP status, or a failure kind when no usable response came:
 * `error` (connect failure, reset), `timeout` (timeoutMs passed), `aborted` (the replay was
 * cancelled), `protocol` (a 2xx whose body was not valid JSON or a stream without `[DONE]`),
 * `stream_error` (a 2xx stream that carried an `error` event).
 */
export type ReplayStatus = number | 'error' | 'timeout' | 'aborted' | 'protocol' | 'stream_error';

/** What happened to one replayed request. */
export interface ReplayRecord {
  /** The trace request's index. */
  index: number;
  /** HTTP status, or a failure kind (see ReplayStatus). */
  status: ReplayStatus;
  /** True for a 2xx whose body was read completely and made sense. */
  ok: boolean;
  /** From sending the request to the end of the response body (or the failure), in ms. */
  latencyMs: number;
  /** Streaming only: from sending to the first chunk with content, in ms. */
  ttftMs?: number;
  /** usage.prompt_tokens from the response; null when the response had no usage. */
  inputTokens: number | null;
  /** usage.completion_tokens from the response; null when the response had no usage. */
  outputTokens: number | null;
  /** Whether the request asked for a stream. */
  stream: boolean;
  /** Streaming only: number of SSE chunks that carried content. */
  contentChunks?: number;
  /** Words in the prompt sent: the trace row's contextTokens. */
  promptWords: number;
  /** max_tokens sent. */
  maxTokens: number;
  /** True when the trace row had 0 generated tokens and max_tokens 1 was sent instead. */
  maxTokensAdjusted: boolean;
  /** When the request was due, in ms after the replay started. */
  scheduledMs: number;
  /** When it was actually sent, in ms after the replay started. */
  sentMs: number;
}

/** One request to send. */
export interface ReplayCall {
  url: string;
  api: 'chat' | 'completions';
  model: string;
  prompt: string;
  maxTokens: number;
  stream: boolean;
  /** Extra JSON fields merged into the body (e.g. vLLM's `ignore_eos`). */
  extraBody?: Record<string, unknown>;
}

interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
}

/** The part of a ReplayRecord that sending the call determines. */
export type SentCallResult = Pick<
  ReplayRecord,
  | 'status'
  | 'ok'
  | 'latencyMs'
  | 'ttftMs'
  | 'inputTokens'
  | 'outputTokens'
  | 'stream'
  | 'contentChunks'
>;

type Outcome = Pick<ReplayRecord, 'status' | 'ok' | 'ttftMs' | 'contentChunks'> & Usage;

/**
 * Sends `call` through `dispatcher` and resolves with its outcome; it never rejects. `signal`
 * cancels the request; `timeoutSignal` is the per-request timeout (told apart for the status).
 */
export async function sendReplayCall(
  call: ReplayCall,
  dispatcher: Dispatcher,
  signal: AbortSignal,
  timeoutSignal: AbortSignal,
): Promise<SentCallResult> {
  const startedMs = performance.now();
  const body = buildBody(call);
  let outcome: Outcome;
  try {
    const res = await request(call.url, {
      method: 'POST',
      dispatcher,
      signal,
      headers: {
        'content-type': 'application/json',
        accept: call.stream ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      outcome = { status: res.statusCode, ok: false, inputTokens: null, outputTokens: null };
    } else if (call.stream) {
      outcome = await readStream(res.body, res.statusCode, startedMs);
    } else {
      outcome = await readJson(res.body, res.statusCode);
    }
  } catch {
    const status = timeoutSignal.aborted ? 'timeout' : signal.aborted ? 'aborted' : 'error';
    outcome = { status, ok: false, inputTokens: null, outputTokens: null };
  }
  return { ...outcome, latencyMs: performance.now() - startedMs, stream: call.stream };
}

function buildBody(call: ReplayCall): Record<string, unknown> {
  const content =
    call.api === 'chat'
      ? { messages: [{ role: 'user', content: call.prompt }] }
      : { prompt: call.prompt };
  return {
    model: call.model,
    ...content,
    max_tokens: call.maxTokens,
    stream: call.stream,
    ...(call.stream ? { stream_options: { include_usage: true } } : {}),
    ...call.extraBody,
  };
}

async function readJson(body: Dispatcher.ResponseData['body'], status: number): Promise<Outcome> {
  const text = await body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status: 'protocol', ok: false, inputTokens: null, outputTokens: null };
  }
  return { status, ok: true, ...readUsage(parsed) };
}

async function readStream(
  body: Dispatcher.ResponseData['body'],
  status: number,
  startedMs: number,
): Promise<Outcome> {
  const decoder = new TextDecoder();
  let buffered = '';
  let contentChunks = 0;
  let ttftMs: number | undefined;
  let usage: Usage = { inputTokens: null, outputTokens: null };
  let done = false;
  let streamError = false;

  const handleLine = (rawLine: string): void => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return;
    }
    if (isRecord(chunk) && chunk.error !== undefined && chunk.error !== null) streamError = true;
    if (hasContent(chunk)) {
      contentChunks += 1;
      ttftMs ??= performance.now() - startedMs;
    }
    const chunkUsage = readUsage(chunk);
    if (chunkUsage.inputTokens !== null || chunkUsage.outputTokens !== null) usage = chunkUsage;
  };

  for await (const piece of body) {
    buffered += decoder.decode(piece as Buffer, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      handleLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  }
  buffered += decoder.decode();
  if (buffered.length > 0) handleLine(buffered);

  const failure = streamError ? 'stream_error' : done ? undefined : 'protocol';
  return {
    status: failure ?? status,
    ok: failure === undefined,
    contentChunks,
    ...(ttftMs === undefined ? {} : { ttftMs }),
    ...usage,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasContent(chunk: unknown): boolean {
  if (!isRecord(chunk) || !Array.isArray(chunk.choices)) return false;
  return chunk.choices.some((choice: unknown) => {
    if (!isRecord(choice)) return false;
    const delta = isRecord(choice.delta) ? choice.delta.content : undefined;
    const text = delta ?? choice.text;
    return typeof text === 'string' && text.length > 0;
  });
}

function readUsage(value: unknown): Usage {
  const usage = isRecord(value) && isRecord(value.usage) ? value.usage : undefined;
  const count = (v: unknown): number | null =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
  return {
    inputTokens: count(usage?.prompt_tokens),
    outputTokens: count(usage?.completion_tokens),
  };
}
