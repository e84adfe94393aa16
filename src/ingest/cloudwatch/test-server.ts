/**
 * A local stand-in for the CloudWatch API, for tests only. The installed SDK
 * (@aws-sdk/client-cloudwatch 3.1178) speaks the AWS JSON 1.0 protocol to CloudWatch: a POST to
 * "/" with `Content-Type: application/x-amz-json-1.0` and
 * `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, a JSON body with the API's member
 * names, timestamps as epoch seconds; errors are a 4xx with `{"__type": ..., "message": ...}` and,
 * because the service is query-compatible, an `x-amzn-query-error: <Code>;Sender` header.
 * (Older SDKs used the query protocol with XML; the first test checks the wire format.)
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface RecordedRequest {
  operation: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** A reply: status, JSON body and extra headers. */
export interface FakeReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Answers one request; the index counts requests of that operation from 0. */
export type FakeHandler = (body: Record<string, unknown>, index: number) => FakeReply;

/** A running fake CloudWatch. */
export interface FakeCloudWatch {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A CloudWatch JSON-protocol error reply, e.g. jsonError(400, "Throttling", "Rate exceeded"). */
export function jsonError(status: number, code: string, message: string): FakeReply {
  return {
    status,
    body: { __type: code, message },
    headers: { 'x-amzn-query-error': `${code};Sender` },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the fake on 127.0.0.1 with an ephemeral port; unknown operations get a 400. */
export async function startFakeCloudWatch(
  handlers: Record<string, FakeHandler>,
): Promise<FakeCloudWatch> {
  const requests: RecordedRequest[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.split('.').pop() ?? '';
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      requests.push({
        operation,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body,
      });
      const index = counts.get(operation) ?? 0;
      counts.set(operation, index + 1);
      const handler = handlers[operation];
      const reply = handler
        ? handler(body, index)
        : jsonError(400, 'InvalidAction', `no handler for ${operation}`);
      res.writeHead(reply.status ?? 200, {
        'content-type': 'application/x-amz-json-1.0',
        ...reply.headers,
      });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
