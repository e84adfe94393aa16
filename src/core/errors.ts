/**
 * Errors with a stable machine-readable `code` and a message that names the bad value and the fix.
 */
export class LlmwatchError extends Error {
  /** Stable identifier, e.g. "config_invalid", "promql_parse". */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'LlmwatchError';
  }
}

/** True when `err` is an LlmwatchError. */
export function isLlmwatchError(err: unknown): err is LlmwatchError {
  return err instanceof LlmwatchError;
}
