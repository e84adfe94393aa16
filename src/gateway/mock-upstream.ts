/**
 * A local mock model server that speaks the OpenAI wire format (chat/completions and completions,
 * JSON and SSE streaming; embeddings, JSON), for the gateway's tests and benchmark. It listens on 127.0.0.1, port 0.
 *
 * Behaviour is chosen per request with the `x-mock` header:
 * - (none): answer normally; streams send a role chunk, three content chunks, a finish chunk,
 *   the usage chunk when `stream_options.include_usage` is true, then `[DONE]`. Like vLLM, only
 *   the usage chunk carries a `usage` field.
 * - `split`: stream the same bytes in 7-byte writes with 1 ms pauses (events cross TCP chunks).
 * - `error500`: reply 500 with an OpenAI error body.
 * - `hang`: never answer (for timeouts); the socket is destroyed on close().
 * - `hold`: answer only when `release()` is called.
 * - `slow`: stream chunks 20 ms apart, forever until the client goes (for abort tests).
 * - `big`: a non-streaming reply of about 9 MiB (many vectors before `usage`), see mockBigBody.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Usage every mock reply reports. */
export const MOCK_USAGE = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };

/** The content pieces a mock stream sends. */
export const MOCK_PIECES = ['Hel', 'lo', ' world'];

/** A running mock upstream. */
export interface MockUpstream {
  /** Base URL, e.g. "http://127.0.0.1:40123". */
  url: string;
  /** Parsed bodies of every request received, in order. */
  bodies: Record<string, unknown>[];
  /** Headers of every request received, in order. */
  headers: IncomingHttpHeaders[];
  /** Requests currently held by `x-mock: hold`. */
  heldCount(): number;
  /** Answers every held request normally. */
  release(): void;
  /** Resolves when a `slow` stream's client has gone (its response closed). */
  slowClosed: Promise<void>;
  close(): Promise<void>;
}

/** Builds the SSE body the mock sends for a stream (exported so tests can compare bytes). */
export function mockStreamBody(path: string, model: string, includeUsage: boolean): string {
  const chat = path.endsWith('/chat/completions');
  const base = {
    id: 'cmpl-1',
    object: chat ? 'chat.completion.chunk' : 'text_completion',
    created: 1,
    model,
  };
  const choice = (delta: Record<string, unknown>, finish: string | null) =>
    chat
      ? { index: 0, delta, finish_reason: finish }
      : { index: 0, text: (delta.content as string | undefined) ?? '', finish_reason: finish };
  const events: unknown[] = [];
  if (chat) events.push({ ...base, choices: [choice({ role: 'assistant', content: '' }, null)] });
  for (const piece of MOCK_PIECES)
    events.push({ ...base, choices: [choice({ content: piece }, null)] });
  events.push({ ...base, choices: [choice({}, 'stop')] });
  if (includeUsage) events.push({ ...base, choices: [], usage: MOCK_USAGE });
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
}

/** Usage every mock embeddings reply reports (embeddings have no completion tokens). */
export const MOCK_EMBEDDING_USAGE = { prompt_tokens: 4, total_tokens: 4 };

/** Builds the JSON body the mock sends for a non-streaming request. */
export function mockJsonBody(path: string, model: string): string {
  if (path.endsWith('/embeddings')) {
    return JSON.stringify({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.125, -0.5, 0.75] }],
      model,
      usage: MOCK_EMBEDDING_USAGE,
    });
  }
  const chat = path.endsWith('/chat/completions');
  const text = MOCK_PIECES.join('');
  const choice = chat
    ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }
    : { index: 0, text, finish_reason: 'stop' };
  return JSON.stringify({
    id: 'cmpl-1',
    object: chat ? 'chat.completion' : 'text_completion',
    created: 1,
    model,
    choices: [choice],
    usage: MOCK_USAGE,
  });
}

/** A reply body over the gateway's 8 MiB usage limit, `usage` last (as OpenAI sends it). */
export function mockBigBody(model: string): string {
  const vector = Array.from({ length: 1024 }, (_, k) => Math.sin(k) / 3);
  const data = Array.from({ length: 500 }, (_, index) => ({
    object: 'embedding',
    index,
    embedding: vector,
  }));
  return JSON.stringify({ object: 'list', data, model, usage: MOCK_EMBEDDING_USAGE });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answer(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) {
  const model = String(body.model);
  const path = req.url ?? '';
  if (body.stream !== true) {
    const json = req.headers['x-mock'] === 'big' ? mockBigBody(model) : mockJsonBody(path, model);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
    return;
  }
  const options = body.stream_options as { include_usage?: unknown } | undefined;
  const sse = mockStreamBody(path, model, options?.include_usage === true);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (req.headers['x-mock'] !== 'split') {
    res.end(sse);
    return;
  }
  const bytes = Buffer.from(sse);
  for (let i = 0; i < bytes.length && !res.destroyed; i += 7) {
    res.write(bytes.subarray(i, i + 7));
    await sleep(1);
  }
  res.end();
}

/** Starts a mock upstream on 127.0.0.1 with an ephemeral port. */
export async function startMockUpstream(): Promise<MockUpstream> {
  const bodies: Record<string, unknown>[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const held: (() => void)[] = [];
  let onSlowClosed: () => void = () => {};
  const slowClosed = new Promise<void>((resolve) => (onSlowClosed = resolve));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
        string,
        unknown
      >;
      bodies.push(body);
      headers.push(req.headers);
      const mode = req.headers['x-mock'];
      if (mode === 'hang') return;
      if (mode === 'hold') {
        held.push(() => void answer(req, res, body));
        return;
      }
      if (mode === 'error500') {
        const err = '{"error":{"message":"boom","type":"server_error","param":null,"code":null}}';
        res.writeHead(500, { 'content-type': 'application/json', 'x-upstream': 'yes' });
        res.end(err);
        return;
      }
      if (mode === 'slow') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'x' } }] })}\n\n`;
        const timer = setInterval(() => res.write(chunk), 20);
        res.on('close', () => {
          clearInterval(timer);
          onSlowClosed();
        });
        return;
      }
      void answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    headers,
    heldCount: () => held.length,
    release: () => held.splice(0).forEach((go) => go()),
    slowClosed,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
