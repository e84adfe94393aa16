/**
 * Local servers for the notification tests, all on 127.0.0.1 with an ephemeral port: an HTTP
 * server that records every request and answers as told, and a tiny SMTP server written with
 * node:net that speaks just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for
 * nodemailer to deliver a message without TLS or authentication.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** One request the recording server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An answer the recording server gives; default 200 "ok". */
export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A running recording server. */
export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a recording HTTP server; `answer(n)` decides the reply to the n-th request (0-based). */
export async function startRecordingServer(
  answer: (index: number, req: RecordedRequest) => CannedAnswer = () => ({
    status: 200,
    body: 'ok',
  }),
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const reply = answer(requests.length, recorded);
      requests.push(recorded);
      res.writeHead(reply.status, reply.headers ?? { 'content-type': 'text/plain' });
      res.end(reply.body ?? '');
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

/** One message the SMTP server accepted. */
export interface SmtpMessage {
  from: string;
  to: string[];
  data: string;
}

/** A running SMTP server. */
export interface SmtpServer {
  port: number;
  messages: SmtpMessage[];
  close(): Promise<void>;
}

/**
 * Starts the tiny SMTP server. `dataReply(n)` answers the end of the n-th DATA (0-based);
 * default "250 OK" (give e.g. "451 try again later" to test retries).
 */
export async function startSmtpServer(
  dataReply: (index: number) => string = () => '250 OK',
): Promise<SmtpServer> {
  const messages: SmtpMessage[] = [];
  let dataCount = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    let inData = false;
    let current: SmtpMessage = { from: '', to: [], data: '' };
    const say = (line: string) => socket.write(`${line}\r\n`);
    say('220 llmwatch-test ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const reply = dataReply(dataCount++);
            if (reply.startsWith('250')) messages.push(current);
            current = { from: '', to: [], data: '' };
            say(reply);
          } else {
            current.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          socket.write('250-llmwatch-test\r\n250 8BITMIME\r\n');
        } else if (verb === 'HELO') {
          say('250 llmwatch-test');
        } else if (verb === 'MAIL') {
          current.from = /<(.*)>/.exec(line)?.[1] ?? '';
          say('250 OK');
        } else if (verb === 'RCPT') {
          current.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
          say('250 OK');
        } else if (verb === 'DATA') {
          inData = true;
          say('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'RSET') {
          current = { from: '', to: [], data: '' };
          say('250 OK');
        } else if (verb === 'NOOP') {
          say('250 OK');
        } else if (verb === 'QUIT') {
          say('221 Bye');
          socket.end();
        } else {
          say('502 Command not implemented');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
