/**
 * Plain-text rendering of a notification, for SNS messages and e-mail bodies.
 */
import { rfc3339, titleOf, type NotificationData } from '../payload.js';

/** A subject line: printable ASCII, no line breaks, at most `maxChars` (SNS allows 100). */
export function subjectOf(data: NotificationData, maxChars = 100): string {
  return titleOf(data)
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, maxChars);
}

/** A readable text body: title, then each alert with its summary, labels and times, then a link. */
export function textOf(data: NotificationData): string {
  const lines = [titleOf(data), ''];
  for (const a of data.alerts) {
    lines.push(`- ${a.status.toUpperCase()}: ${a.annotations.summary ?? a.labels.alertname ?? ''}`);
    if (a.annotations.description) lines.push(`  ${a.annotations.description}`);
    const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`);
    lines.push(`  labels: ${labels.join(', ')}`);
    lines.push(
      `  since: ${rfc3339(a.startsAtMs)}${a.endsAtMs ? `, resolved: ${rfc3339(a.endsAtMs)}` : ''}`,
    );
    if (a.generatorUrl) lines.push(`  ${a.generatorUrl}`);
  }
  if (data.externalUrl) lines.push('', `llmwatch: ${data.externalUrl}`);
  return lines.join('\n');
}
