/** Public surface of the PII redactor. */
export { redact, findPii, type RedactOptions, type RedactResult } from './redact.js';
export { PII_TYPES, isPiiType, type PiiType, type PiiSpan } from './types.js';
