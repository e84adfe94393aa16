/**
 * Slack incoming-webhook receiver: a short `text` (also the fallback for notifications) and
 * `blocks`: a title, one line per alert (its summary or description), and a link to the panel
 * in llmwatch. Long lists are cut at 10 alerts and long lines at 300 characters, since Slack
 * messages are read on phones.
 */
import type { z } from 'zod';
import type { slackConfigSchema } from '../config.js';
import { titleOf, type NotificationData } from '../payload.js';
import { postJson } from './http.js';
import type { Integration } from './types.js';

const MAX_ALERTS_SHOWN = 10;
const MAX_LINE_CHARS = 300;

const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The Slack message for a notification. */
export function toSlackMessage(data: NotificationData) {
  const title = titleOf(data);
  const lines = data.alerts.slice(0, MAX_ALERTS_SHOWN).map((a) => {
    const what = a.annotations.summary ?? a.annotations.description ?? a.labels.alertname ?? '';
    const mark = a.status === 'firing' ? ':red_circle:' : ':white_check_mark:';
    return cut(`${mark} ${what}`, MAX_LINE_CHARS);
  });
  const hidden = data.alerts.length - lines.length;
  if (hidden > 0) lines.push(`…and ${hidden} more`);
  const link = data.alerts[0]?.generatorUrl || data.externalUrl;
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${cut(title, MAX_LINE_CHARS)}*` } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
  ];
  if (link) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `<${link}|Open in llmwatch>` }],
    });
  }
  return { text: title, blocks };
}

/** Creates a Slack integration; `id` like "slack/0". */
export function createSlackIntegration(
  id: string,
  cfg: z.infer<typeof slackConfigSchema>,
): Integration {
  return {
    id,
    sendResolved: cfg.sendResolved,
    timeoutMs: cfg.timeoutSeconds * 1000,
    async notify(data, signal) {
      await postJson(cfg.url, toSlackMessage(data), { signal, what: 'slack' });
    },
  };
}
