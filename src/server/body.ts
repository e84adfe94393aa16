/**
 * Reading small request bodies with a size limit, for the query API's POST forms.
 */
import type { IncomingMessage } from 'node:http';
import { LlmwatchError } from '../core/errors.js';

/**
 * Reads the whole body as UTF-8. Rejects with code `body_too_large` once more than `maxBytes`
 * arrive (the rest is not read), and with `body_aborted` if the client goes away.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    req.on('data', (chunk: Buffer) => {
      sizeBytes += chunk.length;
      if (sizeBytes > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(
          new LlmwatchError(
            'body_too_large',
            `request body is larger than ${maxBytes} bytes; send a smaller query`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (err) => reject(new LlmwatchError('body_aborted', err.message)));
  });
}

/**
 * Collects a request's parameters as Prometheus does: the URL query string, plus the body when it
 * is `application/x-www-form-urlencoded`.
 */
export async function readParams(
  req: IncomingMessage,
  url: URL,
  maxBytes: number,
): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (req.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
    const body = await readBody(req, maxBytes);
    for (const [key, value] of new URLSearchParams(body)) params.append(key, value);
  } else if (req.method === 'POST' && type !== '') {
    throw new LlmwatchError(
      'body_unsupported_type',
      `content-type "${type.slice(0, 60)}" is not supported; send parameters in the URL or as ` +
        'application/x-www-form-urlencoded, as Prometheus expects',
    );
  }
  return params;
}
