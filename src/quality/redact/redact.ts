/**
 * PII redaction: find personal data and credentials in a text and replace each with a typed
 * placeholder such as `[EMAIL]`.
 */
import { LlmwatchError } from '../../core/errors.js';
import { emailDetector, phoneDetector } from './contact.js';
import { cardDetector, ibanDetector } from './financial.js';
import { nationalIdDetector, ssnDetector } from './national-id.js';
import { ipDetector } from './network.js';
import { apiKeyDetector } from './secrets.js';
import { PII_TYPES, isPiiType, type PiiDetector, type PiiSpan, type PiiType } from './types.js';

const DETECTORS: Record<PiiType, PiiDetector> = {
  API_KEY: apiKeyDetector,
  EMAIL: emailDetector,
  IBAN: ibanDetector,
  CARD: cardDetector,
  SSN: ssnDetector,
  NATIONAL_ID: nationalIdDetector,
  IP: ipDetector,
  PHONE: phoneDetector,
};

/** Options of `redact` and `findPii`. */
export interface RedactOptions {
  /** PII types to look for. Default: every type in PII_TYPES. Unknown names throw. */
  types?: readonly PiiType[];
}

/** Result of `redact`: the text with placeholders, and how many spans of each type went. */
export interface RedactResult {
  text: string;
  /** Spans replaced per type; every enabled type is present, 0 when none was found. */
  counts: Partial<Record<PiiType, number>>;
}

function enabledTypes(options: RedactOptions | undefined): readonly PiiType[] {
  const types = options?.types ?? PII_TYPES;
  for (const type of types) {
    if (!isPiiType(type)) {
      throw new LlmwatchError(
        'quality_redaction_type',
        `redaction type ${JSON.stringify(type)} is unknown; use one of ${PII_TYPES.join(', ')}`,
      );
    }
  }
  return types;
}

/**
 * Every PII span in `text`, sorted by start, without overlaps. Where detections overlap, the
 * type that comes first in PII_TYPES wins; within a type, the earlier and then longer span.
 * Throws LlmwatchError `quality_redaction_type` for an unknown type name.
 */
export function findPii(text: string, options?: RedactOptions): PiiSpan[] {
  const types = enabledTypes(options);
  const found: PiiSpan[] = [];
  for (const type of PII_TYPES) {
    if (!types.includes(type)) continue;
    for (const span of DETECTORS[type].find(text)) found.push(span);
  }

  const rank = (span: PiiSpan): number => PII_TYPES.indexOf(span.type);
  found.sort((a, b) => rank(a) - rank(b) || a.start - b.start || b.end - a.end);

  // A mask of taken characters keeps this linear: the spans of one regex never overlap, so
  // each character is checked at most once per regex.
  const taken = new Uint8Array(text.length);
  const kept: PiiSpan[] = [];
  for (const span of found) {
    if (taken.subarray(span.start, span.end).includes(1)) continue;
    taken.fill(1, span.start, span.end);
    kept.push(span);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/**
 * Replaces every PII span of the enabled types with `[TYPE]` and counts them.
 * Runs in time linear in the text length (no regex here can backtrack catastrophically).
 * Throws LlmwatchError `quality_redaction_type` for an unknown type name.
 * Limitation: names, street addresses and dates of birth are not detected; that needs a
 * language model or a named-entity recogniser.
 */
export function redact(text: string, options?: RedactOptions): RedactResult {
  const types = enabledTypes(options);
  const counts: Partial<Record<PiiType, number>> = {};
  for (const type of types) counts[type] = 0;

  const spans = findPii(text, { types });
  let out = '';
  let cursor = 0;
  for (const span of spans) {
    out += `${text.slice(cursor, span.start)}[${span.type}]`;
    cursor = span.end;
    counts[span.type] = (counts[span.type] ?? 0) + 1;
  }
  out += text.slice(cursor);
  return { text: out, counts };
}
