/**
 * Amazon SNS receiver: one Publish per notification to a topic (Subject and a text Message),
 * through the AWS SDK, which signs the request. The SDK's own retries are off so the pipeline's
 * retry policy (bounded by the group interval) is the only one.
 *
 * Limitation: FIFO topics (.fifo) are not given a MessageGroupId, so publishing to them fails;
 * use a standard topic.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { z } from 'zod';
import type { snsConfigSchema } from '../config.js';
import { subjectOf, textOf } from './text.js';
import { DeliveryError, type Integration } from './types.js';

/** SNS allows 256 KiB; stay under it counting multi-byte characters. */
const MAX_MESSAGE_CHARS = 64 * 1024;

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Creates an SNS integration; `id` like "sns/0". */
export function createSnsIntegration(
  id: string,
  cfg: z.infer<typeof snsConfigSchema>,
): Integration {
  const client = new SNSClient({
    region: cfg.region,
    maxAttempts: 1,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    ...(cfg.accessKeyId && cfg.secretAccessKey
      ? { credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } }
      : {}),
  });
  return {
    id,
    sendResolved: cfg.sendResolved,
    timeoutMs: cfg.timeoutSeconds * 1000,
    async notify(data, signal) {
      const command = new PublishCommand({
        TopicArn: cfg.topicArn,
        Subject: subjectOf(data),
        Message: textOf(data).slice(0, MAX_MESSAGE_CHARS),
      });
      try {
        await client.send(command, { abortSignal: signal });
      } catch (err) {
        const e = err as SdkError;
        const status = e.$metadata?.httpStatusCode;
        const throttled = /throttl/i.test(e.name ?? '');
        const retryable = status === undefined || status === 429 || status >= 500 || throttled;
        throw new DeliveryError(
          `sns: publish to ${cfg.topicArn} failed (${status ?? 'no response'} ${e.name ?? ''}: ${e.message ?? ''})`,
          { retryable, cause: err },
        );
      }
    },
  };
}
