/**
 * Structured JSON-line logging (pino). Messages are constant strings; details go in fields.
 * Never log prompts, completions or credentials.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the process logger. `level` defaults to LLMWATCH_LOG_LEVEL or "info". */
export function createLogger(level?: string): Logger {
  return pino({
    level: level ?? process.env.LLMWATCH_LOG_LEVEL ?? 'info',
    base: { service: 'llmwatch' },
  });
}

/** A logger that discards everything, for tests and benchmarks. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
