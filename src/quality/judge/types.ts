/**
 * What a judge client sends and gets back, independent of the provider's wire format.
 */
import { LlmwatchError } from '../../core/errors.js';

/** One judge call: a system and a user message, and the answer schema when structured. */
export interface ChatRequest {
  system: string;
  user: string;
  /** JSON schema of the answer, sent as structured output / a forced tool; null: plain text. */
  schema: { name: string; schema: Record<string, unknown> } | null;
  temperature: number;
  /** Not sent when undefined. */
  topP?: number;
  maxTokens: number;
}

/** Why generation stopped, across providers. "length" means the answer was cut. */
export type StopKind = 'stop' | 'length' | 'refusal' | 'tool' | 'other';

/** Token counts of one call (all attempts that got an answer count once: the successful one). */
export interface JudgeUsage {
  inputTokens: number;
  outputTokens: number;
}

/** A judge reply, whatever the provider. */
export interface ChatReply {
  /** Text content joined; null when the reply had none. */
  text: string | null;
  /** The forced tool's input object (Anthropic tool_use, Bedrock toolUse); undefined if none. */
  structured?: unknown;
  /** The provider's refusal message (OpenAI `message.refusal`); null when none. */
  refusal: string | null;
  /** The raw stop / finish reason as the provider spelled it. */
  stopReason: string | null;
  stop: StopKind;
  /** Model id the API says served the call; null when the API does not say (Bedrock). */
  modelReturned: string | null;
  usage: JudgeUsage;
  /** Wall time of the whole call including retries, milliseconds. */
  latencyMs: number;
  /** HTTP attempts made. */
  attempts: number;
  /** Whether the successful attempt asked for structured output. */
  structuredUsed: boolean;
}

/** A judge client for one provider and model. */
export interface JudgeClient {
  provider: 'openai' | 'anthropic' | 'bedrock';
  /** Model id as sent. */
  modelSent: string;
  /** One judge call with retries. Throws JudgeCallError when no usable reply came. */
  complete(request: ChatRequest): Promise<ChatReply>;
}

/** How a call failed: an HTTP status, a timeout, a network error, or a reply of the wrong shape. */
export type JudgeFailureKind = 'http' | 'timeout' | 'network' | 'protocol';

/** A judge call that produced no reply. Code `judge_call`. */
export class JudgeCallError extends LlmwatchError {
  readonly kind: JudgeFailureKind;
  /** HTTP status when kind is "http". */
  readonly status: number | undefined;
  /** Whether another attempt may succeed (408, 409, 429, 5xx, timeout, network). */
  readonly retryable: boolean;
  /** Wait the server asked for (retry-after), milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** Attempts made before giving up; set by the retry loop. */
  attempts = 1;

  constructor(
    kind: JudgeFailureKind,
    message: string,
    opts: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super('judge_call', message, { cause: opts.cause });
    this.kind = kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.retryable =
      kind === 'timeout' ||
      kind === 'network' ||
      (kind === 'http' && opts.status !== undefined && isRetryableStatus(opts.status));
  }
}

/** True for statuses worth retrying: 408, 409, 429 and 5xx. 400/401/403/404 are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
