/**
 * JSON POST for the HTTP receivers, with the retry decision made from the outcome: network
 * errors, timeouts, 429 and 5xx are retryable (a 429's or 503's Retry-After is honoured);
 * other non-2xx answers are not. The response body is read (up to 4 KiB) only for the message.
 */
import { DeliveryError } from './types.js';

const MAX_ERROR_BODY_CHARS = 4096;

/** Parses Retry-After (seconds or an HTTP date) into ms; undefined when absent or bad. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Describes a URL without its path or query, which may hold secrets (Slack, webhooks). */
export function redactUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

/** POSTs `body` as JSON; resolves with the response text on 2xx, throws DeliveryError else. */
export async function postJson(
  url: string,
  body: unknown,
  opts: { signal: AbortSignal; headers?: Record<string, string>; what: string },
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: JSON.stringify(body),
      signal: opts.signal,
    });
  } catch (err) {
    throw new DeliveryError(
      `${opts.what}: request to ${redactUrl(url)} failed (${(err as Error).message}); check the receiver is up and reachable`,
      { retryable: true, cause: err },
    );
  }
  const text = (await res.text().catch(() => '')).slice(0, MAX_ERROR_BODY_CHARS);
  if (res.ok) return text;
  const retryable = res.status === 429 || res.status >= 500;
  throw new DeliveryError(
    `${opts.what}: ${redactUrl(url)} answered HTTP ${res.status}: ${text.slice(0, 200)}`,
    { retryable, retryAfterMs: parseRetryAfterMs(res.headers.get('retry-after'), Date.now()) },
  );
}
