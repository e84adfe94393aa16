/**
 * Generic webhook receiver: POSTs the Alertmanager webhook payload (version "4"), so tools that
 * accept Alertmanager webhooks work unchanged. Adds `Idempotency-Key: <group hash>:<status>:<n
 * alerts>` so a receiver can drop a duplicate delivered after a retry.
 */
import type { z } from 'zod';
import type { webhookConfigSchema } from '../config.js';
import { toWebhookPayload } from '../payload.js';
import { postJson } from './http.js';
import type { Integration } from './types.js';

/** Creates a webhook integration; `id` like "webhook/0". */
export function createWebhookIntegration(
  id: string,
  cfg: z.infer<typeof webhookConfigSchema>,
): Integration {
  return {
    id,
    sendResolved: cfg.sendResolved,
    timeoutMs: cfg.timeoutSeconds * 1000,
    async notify(data, signal) {
      const key = `${data.groupKeyHash}:${data.status}:${data.alerts.length}`;
      await postJson(cfg.url, toWebhookPayload(data, cfg.maxAlerts), {
        signal,
        headers: { 'idempotency-key': key },
        what: 'webhook',
      });
    },
  };
}
