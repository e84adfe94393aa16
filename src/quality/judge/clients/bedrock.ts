/**
 * Amazon Bedrock Converse client through the AWS SDK (`ConverseCommand`), with structured
 * output through a forced tool (`toolConfig`). The SDK's own retries are off (maxAttempts 1)
 * so llmwatch's retry policy applies the same way as for the other providers.
 */
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import type { Logger } from '../../../core/log.js';
import type { JudgeConfig } from '../config.js';
import { parseRetryAfterMs } from '../retry.js';
import { JudgeCallError, type ChatRequest, type JudgeClient, type StopKind } from '../types.js';
import { completeWithFallback, retryPolicyOf, tokenCount, type AttemptReply } from './common.js';

const STOP_KINDS: Record<string, StopKind> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  content_filtered: 'refusal',
  guardrail_intervened: 'refusal',
  tool_use: 'tool',
};

/** The ConverseCommand input for one attempt. */
export function converseInput(modelId: string, request: ChatRequest): ConverseCommandInput {
  const input: ConverseCommandInput = {
    modelId,
    system: [{ text: request.system }],
    messages: [{ role: 'user', content: [{ text: request.user }] }],
    inferenceConfig: {
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      ...(request.topP === undefined ? {} : { topP: request.topP }),
    },
  };
  if (request.schema !== null) {
    input.toolConfig = {
      tools: [
        {
          toolSpec: {
            name: request.schema.name,
            description: 'Record the judgment: reasoning first, then the score.',
            inputSchema: { json: request.schema.schema as never },
          },
        },
      ],
      toolChoice: { tool: { name: request.schema.name } },
    };
  }
  return input;
}

/** Reads a Converse output. Bedrock returns no model id, so modelReturned is null. */
export function readConverseOutput(output: ConverseCommandOutput): AttemptReply {
  const content = output.output?.message?.content;
  if (!Array.isArray(content)) {
    throw new JudgeCallError('protocol', 'judge: Bedrock reply has no output.message.content');
  }
  const texts: string[] = [];
  let structured: unknown;
  for (const block of content) {
    if (typeof block.text === 'string') texts.push(block.text);
    if (block.toolUse !== undefined && structured === undefined) structured = block.toolUse.input;
  }
  const stopReason = output.stopReason ?? null;
  return {
    text: texts.length > 0 ? texts.join('') : null,
    structured,
    refusal: null,
    stopReason,
    stop: stopReason === null ? 'other' : (STOP_KINDS[stopReason] ?? 'other'),
    modelReturned: null,
    usage: {
      inputTokens: tokenCount(output.usage?.inputTokens),
      outputTokens: tokenCount(output.usage?.outputTokens),
    },
  };
}

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** Maps an AWS SDK error onto JudgeCallError (status, retry-after, timeout, network). */
export function judgeErrorOfSdk(err: unknown, timeoutMs: number): JudgeCallError {
  const e = (err ?? {}) as SdkError;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new JudgeCallError('timeout', `judge: no reply from Bedrock within ${timeoutMs} ms`, {
      cause: err,
    });
  }
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) {
    return new JudgeCallError(
      'network',
      `judge: Bedrock call failed: ${e.message ?? String(err)}`,
      {
        cause: err,
      },
    );
  }
  const headers = e.$response?.headers ?? {};
  const retryAfterMs = parseRetryAfterMs(headers['retry-after'], Date.now());
  return new JudgeCallError(
    'http',
    `judge: Bedrock answered HTTP ${status}: ${e.name}: ${e.message}`,
    {
      status,
      retryAfterMs,
      cause: err,
    },
  );
}

/** Creates the client. Static credentials from the configuration, else the SDK chain. */
export function createBedrockClient(
  config: JudgeConfig,
  logger: Logger,
): JudgeClient & { close(): void } {
  const sdk = new BedrockRuntimeClient({
    region: config.region,
    maxAttempts: 1,
    ...(config.baseUrl === undefined ? {} : { endpoint: config.baseUrl }),
    ...(config.accessKeyId !== undefined && config.secretAccessKey !== undefined
      ? {
          credentials: {
            accessKeyId: config.accessKeyId,
            secretAccessKey: config.secretAccessKey,
            ...(config.sessionToken === undefined ? {} : { sessionToken: config.sessionToken }),
          },
        }
      : {}),
  });
  const state = { schemaRejected: config.structuredOutput === 'off' };
  const policy = retryPolicyOf(config, logger);

  const attempt = async (request: ChatRequest): Promise<AttemptReply> => {
    let output: ConverseCommandOutput;
    try {
      output = await sdk.send(new ConverseCommand(converseInput(config.model, request)), {
        abortSignal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (err) {
      throw judgeErrorOfSdk(err, config.timeoutMs);
    }
    return readConverseOutput(output);
  };

  return {
    provider: 'bedrock',
    modelSent: config.model,
    complete: (request) => completeWithFallback(request, state, policy, attempt, logger),
    close: () => sdk.destroy(),
  };
}
