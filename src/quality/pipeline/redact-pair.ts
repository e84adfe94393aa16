/**
 * Redaction of a pair before it is stored or sent to a judge: every string in the request
 * JSON and the response text, with the component's PII types.
 */
import { redact } from '../redact/index.js';
import type { PiiType } from '../redact/types.js';

/** Deepest nesting of request JSON kept; deeper values become null. */
const MAX_DEPTH = 32;

/** A redacted pair's content. */
export interface RedactedContent {
  request: unknown;
  responseText: string | null;
  /** PII spans found in the response per type (before redaction). */
  responsePiiCounts: Record<string, number>;
}

function redactValue(value: unknown, types: readonly PiiType[], depth: number): unknown {
  if (typeof value === 'string') return redact(value, { types }).text;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, types, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = redactValue(v, types, depth + 1);
  return out;
}

/**
 * Redacts `request` (every string value, at any depth up to 32; object keys are kept as they
 * are) and `responseText` with `types`. Throws LlmwatchError `quality_redaction_type` for an
 * unknown type (a configuration error).
 * Limitation: PII in object keys of the request is not redacted.
 */
export function redactPair(
  request: unknown,
  responseText: string | null,
  types: readonly PiiType[],
): RedactedContent {
  const response = responseText === null ? null : redact(responseText, { types });
  const counts: Record<string, number> = {};
  for (const [type, n] of Object.entries(response?.counts ?? {})) counts[type] = n ?? 0;
  return {
    request: redactValue(request, types, 0),
    responseText: response?.text ?? null,
    responsePiiCounts: counts,
  };
}
