/**
 * Shared by the push receivers (remote write, OTLP): reading a request body under a size limit,
 * and appending what it decoded in batches that let other requests run in between.
 */
import type { IncomingMessage } from 'node:http';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { LlmwatchError } from '../core/errors.js';
import type { MetricStore, Sample } from '../store/types.js';

/** Samples per store.append() call when a pushed body holds more. */
export const DEFAULT_MAX_BATCH_SAMPLES = 50_000;

/**
 * Reads the body, or resolves undefined as soon as more than `maxBytes` arrive (the rest is not
 * buffered). Rejects with `body_aborted` when the client goes away.
 */
export function readBodyLimited(
  req: IncomingMessage,
  maxBytes: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    const onData = (chunk: Buffer) => {
      sizeBytes += chunk.length;
      if (sizeBytes > maxBytes) {
        req.off('data', onData);
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (err) => reject(new LlmwatchError('body_aborted', err.message)));
  });
}

/** Appends `samples` in transactions of at most `maxBatchSamples`, yielding between them. */
export async function appendInBatches(
  store: Pick<MetricStore, 'append'>,
  samples: Sample[],
  maxBatchSamples = DEFAULT_MAX_BATCH_SAMPLES,
): Promise<void> {
  for (let i = 0; i < samples.length; i += maxBatchSamples) {
    // Let other requests run between transactions (the SQLite store writes synchronously).
    if (i > 0) await yieldToLoop();
    await store.append(samples.slice(i, i + maxBatchSamples));
  }
}
