/**
 * PagerDuty Events API v2 receiver. One incident per alert group: `dedup_key` is the SHA-256 of
 * the group key, so the resolve closes the same incident the trigger opened. Severity comes
 * from the alerts' common `severity` label when it is one PagerDuty knows, else the configured
 * default. Summary capped at 1024 characters, as the API requires.
 */
import type { z } from 'zod';
import type { pagerdutyConfigSchema } from '../config.js';
import { titleOf, type NotificationData } from '../payload.js';
import { postJson } from './http.js';
import type { Integration } from './types.js';

type PagerdutyConfig = z.infer<typeof pagerdutyConfigSchema>;

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/** The Events v2 body for a notification. */
export function toPagerdutyEvent(data: NotificationData, cfg: PagerdutyConfig) {
  if (data.status === 'resolved') {
    return { routing_key: cfg.routingKey, event_action: 'resolve', dedup_key: data.groupKeyHash };
  }
  const labelled = data.commonLabels.severity ?? '';
  const firing = data.alerts.filter((a) => a.status === 'firing');
  return {
    routing_key: cfg.routingKey,
    event_action: 'trigger',
    dedup_key: data.groupKeyHash,
    payload: {
      summary: titleOf(data).slice(0, 1024),
      source: cfg.source,
      severity: SEVERITIES.has(labelled) ? labelled : cfg.severity,
      ...(data.commonLabels.component ? { component: data.commonLabels.component } : {}),
      custom_details: {
        firing: firing.map((a) => ({ labels: a.labels, annotations: a.annotations })),
        num_firing: firing.length,
        num_resolved: data.alerts.length - firing.length,
      },
    },
    client: 'llmwatch',
    ...(data.externalUrl ? { client_url: data.externalUrl } : {}),
  };
}

/** Creates a PagerDuty integration; `id` like "pagerduty/0". */
export function createPagerdutyIntegration(id: string, cfg: PagerdutyConfig): Integration {
  return {
    id,
    sendResolved: cfg.sendResolved,
    timeoutMs: cfg.timeoutSeconds * 1000,
    async notify(data, signal) {
      await postJson(cfg.url, toPagerdutyEvent(data, cfg), { signal, what: 'pagerduty' });
    },
  };
}
