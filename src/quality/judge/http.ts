/**
 * One JSON POST with a timeout, turning every failure into a JudgeCallError (status, timeout,
 * network, non-JSON body) so the retry loop can decide.
 */
import { parseRetryAfterMs } from './retry.js';
import { JudgeCallError } from './types.js';

/** Longest error body quoted in an error message, characters. */
const ERROR_BODY_CHARS = 300;

/**
 * POSTs `body` as JSON to `url` and returns the parsed JSON of a 2xx reply. Throws
 * JudgeCallError: "http" for a non-2xx status (with retry-after parsed), "timeout" after
 * `timeoutMs`, "network" when no response came, "protocol" when the body is not JSON.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<unknown> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new JudgeCallError('timeout', `judge: no reply from ${url} within ${timeoutMs} ms`, {
        cause: err,
      });
    }
    throw new JudgeCallError(
      'network',
      `judge: request to ${url} failed: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }

  if (res.status < 200 || res.status > 299) {
    const retryAfterMs = parseRetryAfterMs(
      res.headers.get('retry-after'),
      Date.now(),
      res.headers.get('retry-after-ms'),
    );
    const quoted = text.slice(0, ERROR_BODY_CHARS);
    throw new JudgeCallError('http', `judge: ${url} answered HTTP ${res.status}: ${quoted}`, {
      status: res.status,
      retryAfterMs,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new JudgeCallError('protocol', `judge: ${url} answered a body that is not JSON`, {
      cause: err,
    });
  }
}
