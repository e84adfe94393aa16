/**
 * OpenAI-compatible Chat Completions client (OpenAI, vLLM, Ollama, llama.cpp server, any
 * server speaking `POST {baseUrl}/chat/completions`).
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
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

const STOP_KINDS: Record<string, StopKind> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'refusal',
  tool_calls: 'tool',
  function_call: 'tool',
};

/** The request body for one attempt. */
export function openaiBody(model: string, request: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    messages: [
      { role: 'system', content: request.system },
      { role: 'user', content: request.user },
    ],
    temperature: request.temperature,
    // Limitation: sends `max_tokens` (accepted by vLLM, Ollama, llama.cpp and OpenAI's
    // non-reasoning models); OpenAI reasoning models want `max_completion_tokens` instead.
    max_tokens: request.maxTokens,
  };
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.schema !== null) {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: request.schema.name, schema: request.schema.schema, strict: true },
    };
  }
  return body;
}

/** Reads a chat.completion object; throws JudgeCallError "protocol" when it has no choice. */
export function readOpenaiReply(json: unknown): AttemptReply {
  const choice =
    isRecord(json) && Array.isArray(json.choices) ? (json.choices[0] as unknown) : undefined;
  if (!isRecord(json) || !isRecord(choice) || !isRecord(choice.message)) {
    throw new JudgeCallError('protocol', 'judge: chat completion reply has no choices[0].message');
  }
  const message = choice.message;
  const usage = isRecord(json.usage) ? json.usage : {};
  const finish = typeof choice.finish_reason === 'string' ? choice.finish_reason : null;
  return {
    text: typeof message.content === 'string' ? message.content : null,
    refusal: typeof message.refusal === 'string' ? message.refusal : null,
    stopReason: finish,
    stop: finish === null ? 'other' : (STOP_KINDS[finish] ?? 'other'),
    modelReturned: typeof json.model === 'string' ? json.model : null,
    usage: {
      inputTokens: tokenCount(usage.prompt_tokens),
      outputTokens: tokenCount(usage.completion_tokens),
    },
  };
}

/** Creates the client. The API key, when set, is sent as `Authorization: Bearer`. */
export function createOpenaiClient(config: JudgeConfig, logger: Logger): JudgeClient {
  const url = `${(config.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, '')}/chat/completions`;
  const headers: Record<string, string> = {};
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  const state = { schemaRejected: config.structuredOutput === 'off' };
  const policy = retryPolicyOf(config, logger);

  return {
    provider: 'openai',
    modelSent: config.model,
    complete: (request) =>
      completeWithFallback(
        request,
        state,
        policy,
        async (req) =>
          readOpenaiReply(
            await postJson(url, headers, openaiBody(config.model, req), config.timeoutMs),
          ),
        logger,
      ),
  };
}
