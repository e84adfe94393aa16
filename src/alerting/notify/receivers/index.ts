/**
 * Builds a receiver's integrations from its configuration.
 */
import type { ReceiverConfig } from '../config.js';
import { createEmailIntegration } from './email.js';
import { createPagerdutyIntegration } from './pagerduty.js';
import { createSlackIntegration } from './slack.js';
import { createSnsIntegration } from './sns.js';
import type { Integration } from './types.js';
import { createWebhookIntegration } from './webhook.js';

/** Every integration of `receiver`, with ids like "webhook/0", "slack/1". */
export function createIntegrations(receiver: ReceiverConfig): Integration[] {
  return [
    ...receiver.webhook.map((c, i) => createWebhookIntegration(`webhook/${i}`, c)),
    ...receiver.slack.map((c, i) => createSlackIntegration(`slack/${i}`, c)),
    ...receiver.pagerduty.map((c, i) => createPagerdutyIntegration(`pagerduty/${i}`, c)),
    ...receiver.sns.map((c, i) => createSnsIntegration(`sns/${i}`, c)),
    ...receiver.email.map((c, i) => createEmailIntegration(`email/${i}`, c)),
  ];
}
