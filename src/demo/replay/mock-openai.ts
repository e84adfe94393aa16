/**
 * Test support: a tiny server that speaks OpenAI's chat-completions and completions wire format
 * (JSON and server-sent-event streams with a final usage chunk), counts prompt tokens as words,
 * generates exactly max_tokens tokens, and records every request it receives.
 * It listens on 127.0.0.1 only. Limitation: it models no queueing or real generation time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What the mock received in one request. */
export interface MockReceived {
  path: string;
  model: string;
  /** Whitespace-separated words in the prompt (all message contents for chat). */
  words: number;
  firstWord: string;
  maxTokens: number;
  stream: boolean;
  includeUsage: boolean;
  /** performance.now() when the request body was complete. */
  receivedMs: number;
}

/**
 * How to answer a request, chosen by its prompt word count: "ok", an HTTP error status, "reset"
 * (destroy the socket), "hang" (never answer), "truncate" (stream without [DONE]),
 * "stream_error" (stream an error event), or "ok" after a delay.
 */
export type MockBehaviour =
  'ok' | 'reset' | 'hang' | 'truncate' | 'stream_error' | { status: number } | { delayMs: number };

/** A started mock server. */
export interface MockOpenAiServer {
  /** Base URL, e.g. "http://127.0.0.1:43121". */
  url: string;
  received: MockReceived[];
  /** Most requests open at the same time since the start or the last reset. */
  readonly peakConcurrent: number;
  /** Forgets received requests and the concurrency peak. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the mock on 127.0.0.1, port 0. `behaviour` picks the answer per prompt word count. */
export async function startMockOpenAi(
  behaviour: (words: number) => MockBehaviour = () => 'ok',
): Promise<MockOpenAiServer> {
  const received: MockReceived[] = [];
  let open = 0;
  const state = { peakConcurrent: 0 };

  const server: Server = createServer((req, res) => {
    open += 1;
    state.peakConcurrent = Math.max(state.peakConcurrent, open);
    res.on('close', () => (open -= 1));
    void handle(req, res, behaviour, received).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get peakConcurrent() {
      return state.peakConcurrent;
    },
    reset() {
      received.length = 0;
      state.peakConcurrent = open;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  behaviour: (words: number) => MockBehaviour,
  received: MockReceived[],
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const chat = req.url === '/v1/chat/completions';
  if (req.method !== 'POST' || (!chat && req.url !== '/v1/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;

  const prompt = chat
    ? (body.messages as Array<{ content: string }>).map((m) => m.content).join(' ')
    : String(body.prompt);
  const promptWords = prompt.split(/\s+/).filter((w) => w !== '');
  const seen: MockReceived = {
    path: req.url ?? '',
    model: String(body.model),
    words: promptWords.length,
    firstWord: promptWords[0] ?? '',
    maxTokens: Number(body.max_tokens),
    stream: body.stream === true,
    includeUsage: (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage
      ? true
      : false,
    receivedMs: performance.now(),
  };
  received.push(seen);

  const action = behaviour(seen.words);
  if (action === 'hang') return;
  if (action === 'reset') {
    req.socket.destroy();
    return;
  }
  if (typeof action === 'object' && 'status' in action) {
    res.writeHead(action.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'injected failure', code: action.status } }));
    return;
  }
  if (typeof action === 'object') await new Promise((r) => setTimeout(r, action.delayMs));

  const usage = {
    prompt_tokens: seen.words,
    completion_tokens: seen.maxTokens,
    total_tokens: seen.words + seen.maxTokens,
  };
  if (!seen.stream) {
    const text = Array.from({ length: seen.maxTokens }, () => 'tok').join(' ');
    const choice = chat
      ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'length' }
      : { index: 0, text, finish_reason: 'length' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'cmpl-mock', model: seen.model, choices: [choice], usage }));
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const send = (data: unknown): boolean => res.write(`data: ${JSON.stringify(data)}\n\n`);
  if (chat) send({ id: 'c', choices: [{ index: 0, delta: { role: 'assistant' } }] });
  for (let i = 0; i < seen.maxTokens; i += 1) {
    const token = i === 0 ? 'tok' : ' tok';
    send({
      id: 'c',
      choices: [chat ? { index: 0, delta: { content: token } } : { index: 0, text: token }],
    });
  }
  if (action === 'stream_error') send({ error: { message: 'injected stream error' } });
  if (seen.includeUsage) send({ id: 'c', choices: [], usage });
  if (action !== 'truncate') res.write('data: [DONE]\n\n');
  res.end();
}
