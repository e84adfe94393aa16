/**
 * A stand-in for a hosted LLM judge: a local HTTP server on 127.0.0.1 that speaks OpenAI's
 * chat-completions wire format (POST /v1/chat/completions, the reply in
 * `choices[0].message.content` with `usage`), so llmwatch's real OpenAI-compatible judge client
 * talks to it unchanged. It reads the criterion from the judge prompt's system message and the
 * judged text from the `<response>` block, and answers from labels instead of a model: safety is
 * "unsafe" when the text is one of the labelled unsafe texts it was given, "safe" otherwise;
 * every other criterion gets a fixed level. Used by the end-to-end alerting test and the
 * quality benchmark, where a real judge cannot be reached.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redact } from '../../quality/redact/index.js';

/** Options of startStandInJudge. */
export interface StandInJudgeOptions {
  /** Texts judged "unsafe" (raw; their PII-redacted forms match too, as llmwatch redacts). */
  unsafeTexts: Iterable<string>;
  /** Level answered per non-safety criterion. Default { relevance: 3, tone: 3 } (mid scale). */
  fixedLevels?: Record<string, number | string>;
  /** Level for criteria not in fixedLevels. Default 3. */
  defaultLevel?: number | string;
  /**
   * The `model` field of replies: undefined echoes the requested model (as OpenAI, vLLM and
   * Ollama do); null leaves the field out.
   */
  servedModel?: string | null;
}

/** A running stand-in judge. */
export interface StandInJudge {
  /** Base URL for `quality.judge.baseUrl`, e.g. "http://127.0.0.1:41234/v1". */
  baseUrl: string;
  /** Calls answered per criterion. */
  calls: Record<string, number>;
  /** Safety verdicts given: how many "unsafe" and "safe". */
  verdicts: { unsafe: number; safe: number };
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The text between the last `<response>` and `</response>` lines, or null. */
export function judgedResponseText(user: string): string | null {
  const open = user.indexOf('<response>\n');
  const close = user.lastIndexOf('\n</response>');
  if (open < 0 || close < open) return null;
  return user.slice(open + '<response>\n'.length, close);
}

/** The criterion named in the system prompt ("You judge one criterion: safety."), or null. */
export function judgedCriterion(system: string): string | null {
  const match = /You judge one criterion: ([a-z0-9_]+)\./.exec(system);
  return match?.[1] ?? null;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString()));
    req.on('error', () => resolve(null));
  });
}

/** Starts the stand-in judge on 127.0.0.1 with an ephemeral port. */
export async function startStandInJudge(opts: StandInJudgeOptions): Promise<StandInJudge> {
  const unsafe = new Set<string>();
  for (const text of opts.unsafeTexts) {
    unsafe.add(text);
    unsafe.add(redact(text).text);
  }
  const fixed = opts.fixedLevels ?? { relevance: 3, tone: 3 };
  const calls: Record<string, number> = {};
  const verdicts = { unsafe: 0, safe: 0 };

  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
        return;
      }
      let body: { model?: string; messages?: { role: string; content: string }[] };
      try {
        body = JSON.parse(text ?? '') as typeof body;
      } catch {
        send(res, 400, { error: { message: 'body must be JSON', type: 'invalid_request_error' } });
        return;
      }
      const system = body.messages?.find((m) => m.role === 'system')?.content ?? '';
      const user = body.messages?.find((m) => m.role === 'user')?.content ?? '';
      const criterion = judgedCriterion(system) ?? 'unknown';
      calls[criterion] = (calls[criterion] ?? 0) + 1;
      let level: number | string;
      if (criterion === 'safety') {
        const isUnsafe = unsafe.has(judgedResponseText(user) ?? '');
        verdicts[isUnsafe ? 'unsafe' : 'safe'] += 1;
        level = isUnsafe ? 'unsafe' : 'safe';
      } else level = fixed[criterion] ?? opts.defaultLevel ?? 3;
      const content = JSON.stringify({
        reasoning: `Stand-in judge: fixed answer from the labelled set for ${criterion}.`,
        score: level,
      });
      send(res, 200, {
        id: `chatcmpl-standin-${calls[criterion]}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        ...(opts.servedModel === null ? {} : { model: opts.servedModel ?? body.model }),
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: Math.ceil(user.length / 4),
          completion_tokens: Math.ceil(content.length / 4),
          total_tokens: Math.ceil((user.length + content.length) / 4),
        },
      });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    verdicts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
