/**
 * Shared types of the PII redactor: the kinds of personal data it knows and the spans it finds.
 */

/**
 * Every PII type the redactor knows, in priority order: when two detections overlap, the one
 * whose type comes first wins (an API key that contains digits is not also a phone number).
 */
export const PII_TYPES = [
  'API_KEY',
  'EMAIL',
  'IBAN',
  'CARD',
  'SSN',
  'NATIONAL_ID',
  'IP',
  'PHONE',
] as const;

/** One PII type; its placeholder in redacted text is `[TYPE]`, e.g. `[EMAIL]`. */
export type PiiType = (typeof PII_TYPES)[number];

/** A detection: characters `[start, end)` of the input (UTF-16 offsets) hold PII of `type`. */
export interface PiiSpan {
  type: PiiType;
  start: number;
  end: number;
}

/** A detector finds every span of one type in a text. It must run in time linear in the text. */
export interface PiiDetector {
  type: PiiType;
  find(text: string): PiiSpan[];
}

/** True when `value` is one of PII_TYPES. */
export function isPiiType(value: unknown): value is PiiType {
  return typeof value === 'string' && (PII_TYPES as readonly string[]).includes(value);
}
