/**
 * Anthropic Messages API client: `POST {baseUrl}/v1/messages` with `x-api-key` and
 * `anthropic-version`; structured output through a forced tool.
 */
import type { Logger } from '../../../core/log.js';
import type { JudgeConfig } from '../config.js';
import { postJson } from '../http.js';
import { JudgeCallError, type ChatRequest, type JudgeClient, type StopKind } from '../types.js';
import {
  completeWithFallback,
  isRecord,
  retryPolicyOf,
  tokenCount,
  type AttemptReply,
} from './common.js';

/** Default base URL when the configuration has none. */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** The API version header value sent. */
export const ANTHROPIC_VERSION = '2023-06-01';

const STOP_KINDS: Record<string, StopKind> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  refusal: 'refusal',
  tool_use: 'tool',
};

/** The request body for one attempt. */
export function anthropicBody(model: string, request: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    max_tokens: request.maxTokens,
    system: request.system,
    messages: [{ role: 'user', content: request.user }],
    temperature: request.temperature,
  };
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.schema !== null) {
    body.tools = [
      {
        name: request.schema.name,
        description: 'Record the judgment: reasoning first, then the score.',
        input_schema: request.schema.schema,
      },
    ];
    body.tool_choice = { type: 'tool', name: request.schema.name };
  }
  return body;
}

/** Reads a Message object; throws JudgeCallError "protocol" when it has no content array. */
export function readAnthropicReply(json: unknown): AttemptReply {
  if (!isRecord(json) || !Array.isArray(json.content)) {
    throw new JudgeCallError('protocol', 'judge: Anthropic reply has no content array');
  }
  const texts: string[] = [];
  let structured: unknown;
  for (const block of json.content as unknown[]) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    if (block.type === 'tool_use' && structured === undefined) structured = block.input;
  }
  const usage = isRecord(json.usage) ? json.usage : {};
  const stopReason = typeof json.stop_reason === 'string' ? json.stop_reason : null;
  return {
    text: texts.length > 0 ? texts.join('') : null,
    structured,
    refusal: null,
    stopReason,
    stop: stopReason === null ? 'other' : (STOP_KINDS[stopReason] ?? 'other'),
    modelReturned: typeof json.model === 'string' ? json.model : null,
    usage: {
      inputTokens: tokenCount(usage.input_tokens),
      outputTokens: tokenCount(usage.output_tokens),
    },
  };
}

/** Creates the client. */
export function createAnthropicClient(config: JudgeConfig, logger: Logger): JudgeClient {
  const url = `${(config.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '')}/v1/messages`;
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
  if (config.apiKey) headers['x-api-key'] = config.apiKey;
  const state = { schemaRejected: config.structuredOutput === 'off' };
  const policy = retryPolicyOf(config, logger);

  return {
    provider: 'anthropic',
    modelSent: config.model,
    complete: (request) =>
      completeWithFallback(
        request,
        state,
        policy,
        async (req) =>
          readAnthropicReply(
            await postJson(url, headers, anthropicBody(config.model, req), config.timeoutMs),
          ),
        logger,
      ),
  };
}
