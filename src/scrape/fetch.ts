/**
 * Fetches one metrics body with a deadline and a size cap, using Node's built-in fetch.
 */
import { LlmwatchError, isLlmwatchError } from '../core/errors.js';

/** The body of a successful scrape and whether the server said it is OpenMetrics. */
export interface FetchedBody {
  text: string;
  openMetrics: boolean;
}

/** Limits and cancellation for one fetch. */
export interface FetchOptions {
  /** Deadline for the whole exchange (headers and body), in milliseconds. */
  timeoutMs: number;
  /** Largest accepted body in bytes (after content decoding); reading stops beyond it. */
  maxBodyBytes: number;
  /** Aborts the fetch when the scraper stops. */
  signal?: AbortSignal;
}

// Prometheus text first: prometheus_client then prints counters with `_total` and `_created` as
// separate gauge families, which the parser recognises.
const ACCEPT =
  'text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1';

async function readCapped(body: ReadableStream<Uint8Array>, url: string, maxBodyBytes: number) {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBodyBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url, maxBodyBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function tooLarge(url: string, maxBodyBytes: number): LlmwatchError {
  return new LlmwatchError(
    'scrape_body_too_large',
    `body of ${url} is larger than scrape.maxBodyBytes (${maxBodyBytes} bytes); raise the limit or reduce the target's metrics`,
  );
}

/**
 * GETs `url` and returns its body as text. Rejects with LlmwatchError: `scrape_timeout` past
 * `timeoutMs`, `scrape_body_too_large` beyond `maxBodyBytes`, `scrape_http_status` on a non-2xx
 * answer, `scrape_stopped` when `signal` aborts, `scrape_fetch` on connection errors.
 */
export async function fetchMetrics(url: string, options: FetchOptions): Promise<FetchedBody> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onStop = () => controller.abort();
  options.signal?.addEventListener('abort', onStop, { once: true });
  if (options.signal?.aborted) controller.abort();

  try {
    const response = await fetch(url, {
      headers: { accept: ACCEPT },
      signal: controller.signal,
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new LlmwatchError(
        'scrape_http_status',
        `${url} answered HTTP ${response.status}; check the URL and metricsPath of the target`,
      );
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > options.maxBodyBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(url, options.maxBodyBytes);
    }
    const text = response.body ? await readCapped(response.body, url, options.maxBodyBytes) : '';
    const contentType = response.headers.get('content-type') ?? '';
    return { text, openMetrics: contentType.startsWith('application/openmetrics-text') };
  } catch (err) {
    if (isLlmwatchError(err)) throw err;
    if (timedOut) {
      throw new LlmwatchError(
        'scrape_timeout',
        `${url} did not answer within ${options.timeoutMs} ms; raise scrape.timeoutSeconds or check the target`,
      );
    }
    if (options.signal?.aborted) {
      throw new LlmwatchError('scrape_stopped', `scrape of ${url} cancelled: the scraper stopped`);
    }
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    const detail = err instanceof Error ? err.message : String(err);
    throw new LlmwatchError(
      'scrape_fetch',
      `cannot fetch ${url}: ${detail}${cause ? ` (${cause})` : ''}; check that the target is running`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onStop);
  }
}
