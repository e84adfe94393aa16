/**
 * Body decoding for `POST /v1/metrics`: content-type detection, gzip decompression with a size
 * limit, and protobuf or JSON parsing into the request model. Errors are LlmwatchErrors:
 * `otlp_invalid` (answer 400), `otlp_too_large` and `otlp_too_many_points` (answer 413).
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { LlmwatchError, isLlmwatchError } from '../../core/errors.js';
import type { OtlpMetricsRequest } from './model.js';
import { normalizeMetricsRequest } from './normalize.js';
import { ExportMetricsServiceRequestType } from './proto.js';

const gunzipAsync = promisify(gunzip);

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = 'protobuf' | 'json';

/**
 * The encoding a Content-Type header asks for: "application/x-protobuf" (or
 * "application/protobuf") and "application/json", parameters ignored; undefined otherwise.
 */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf')
    return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

/**
 * Gunzips `body`, refusing output beyond `maxBytes` (otlp_too_large: a gzip bomb stops there,
 * without inflating the rest) and corrupt data (otlp_invalid).
 */
export async function gunzipLimited(body: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new LlmwatchError(
        'otlp_too_large',
        `gzip body inflates to more than ${maxBytes} bytes (otlp.maxDecompressedBytes); export smaller batches`,
      );
    }
    throw new LlmwatchError(
      'otlp_invalid',
      `body is not valid gzip data: ${(err as Error).message}`,
    );
  }
}

/** Decodes an uncompressed ExportMetricsServiceRequest body in the given encoding. */
export function decodeMetricsRequest(
  body: Buffer,
  encoding: OtlpEncoding,
  maxDataPoints: number,
): OtlpMetricsRequest {
  const plain = encoding === 'json' ? parseJson(body) : parseProtobuf(body);
  try {
    return normalizeMetricsRequest(plain, maxDataPoints);
  } catch (err) {
    if (isLlmwatchError(err)) throw err;
    // Deeply nested input can exhaust the stack; that is the sender's fault, not ours.
    throw new LlmwatchError('otlp_invalid', `request could not be read: ${(err as Error).message}`);
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new LlmwatchError(
      'otlp_invalid',
      `body is not valid JSON (${(err as Error).message}); send OTLP JSON with content-type application/json`,
    );
  }
}

function parseProtobuf(body: Buffer): unknown {
  try {
    const message = ExportMetricsServiceRequestType.decode(body);
    return ExportMetricsServiceRequestType.toObject(message, {
      longs: String,
      enums: Number,
      bytes: String,
      defaults: false,
    });
  } catch (err) {
    throw new LlmwatchError(
      'otlp_invalid',
      `body is not a protobuf ExportMetricsServiceRequest (${(err as Error).message}); send content-type application/json for OTLP JSON`,
    );
  }
}
