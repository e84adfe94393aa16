/**
 * A scripted HTTP server on 127.0.0.1:0 for the judge client tests: each request gets the next
 * scripted answer (the last one repeats), and every request is recorded.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

/** One scripted answer. */
export interface StubAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless a string. */
  body: unknown;
}

/** A request the stub received. */
export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A running stub. */
export interface StubServer {
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

/**
 * Starts the stub; answers are used in order, the last one repeats. `http2`: speak cleartext
 * HTTP/2 (the AWS SDK's Bedrock runtime client uses HTTP/2), else HTTP/1.1.
 */
export async function startStub(
  answers: StubAnswer[],
  opts: { http2?: boolean } = {},
): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const handle = (req: AnyRequest, res: AnyResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)] as StubAnswer;
      const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      (res as ServerResponse).end(payload);
    });
  };
  const sessions = new Set<Http2Session>();
  const server = opts.http2
    ? createHttp2Server(handle).on('session', (s: Http2Session) => {
        sessions.add(s);
        s.on('close', () => sessions.delete(s));
      })
    : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
