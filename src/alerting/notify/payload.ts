/**
 * The data of one group notification, shared by every receiver, and the Alertmanager webhook
 * payload (version "4") built from it. Times in payloads are RFC 3339 strings like
 * Alertmanager's; a firing alert's `endsAt` is the zero time "0001-01-01T00:00:00Z", as
 * Alertmanager sends it, so receivers never see a firing alert "end" in the future.
 */
import { createHash } from 'node:crypto';
import type { Labels } from '../../store/types.js';
import type { Alert } from '../types.js';

/** Alertmanager's zero time for "not ended". */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert as a notification shows it. */
export interface NotifiedAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Record<string, string>;
  startsAtMs: number;
  /** When it resolved, Unix ms; undefined while firing. */
  endsAtMs: number | undefined;
  generatorUrl: string;
}

/** Everything a receiver needs to render one notification. */
export interface NotificationData {
  receiver: string;
  /** "firing" when at least one alert fires. */
  status: 'firing' | 'resolved';
  /** Firing alerts first, then resolved; each part ordered by label set. */
  alerts: NotifiedAlert[];
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Record<string, string>;
  externalUrl: string;
  groupKey: string;
  /** SHA-256 of the group key, hex: the idempotency key (PagerDuty dedup_key). */
  groupKeyHash: string;
}

/** True when the alert counts as resolved at `nowMs`. */
export function isResolvedAt(alert: Alert, nowMs: number): boolean {
  return alert.status === 'resolved' || alert.endsAt <= nowMs;
}

function common<T extends Record<string, string>>(maps: readonly T[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) {
    if (rest.every((m) => m[k] === v)) out[k] = v;
  }
  return out;
}

const labelKey = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort());

/** Builds the notification data for a group's alerts at `nowMs`. */
export function buildNotificationData(opts: {
  receiver: string;
  groupKey: string;
  groupLabels: Labels;
  externalUrl: string;
  alerts: readonly Alert[];
  nowMs: number;
}): NotificationData {
  const alerts: NotifiedAlert[] = opts.alerts.map((a) => {
    const resolved = isResolvedAt(a, opts.nowMs);
    return {
      fingerprint: a.fingerprint,
      status: resolved ? 'resolved' : 'firing',
      labels: a.labels,
      annotations: a.annotations,
      startsAtMs: a.startsAt,
      endsAtMs: resolved ? Math.min(a.endsAt, opts.nowMs) : undefined,
      generatorUrl: a.generatorUrl,
    };
  });
  alerts.sort((a, b) => {
    if (a.status !== b.status) return a.status === 'firing' ? -1 : 1;
    const ka = labelKey(a.labels);
    const kb = labelKey(b.labels);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return {
    receiver: opts.receiver,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels: opts.groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalUrl: opts.externalUrl,
    groupKey: opts.groupKey,
    groupKeyHash: createHash('sha256').update(opts.groupKey).digest('hex'),
  };
}

/** An RFC 3339 time for a Unix-ms value, or the zero time when undefined. */
export function rfc3339(ms: number | undefined): string {
  return ms === undefined ? ZERO_TIME : new Date(ms).toISOString();
}

/** The Alertmanager webhook payload, version "4"; `maxAlerts` 0 sends every alert. */
export function toWebhookPayload(data: NotificationData, maxAlerts: number) {
  const shown = maxAlerts > 0 ? data.alerts.slice(0, maxAlerts) : data.alerts;
  return {
    receiver: data.receiver,
    status: data.status,
    alerts: shown.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: rfc3339(a.startsAtMs),
      endsAt: rfc3339(a.endsAtMs),
      generatorURL: a.generatorUrl,
      fingerprint: a.fingerprint,
    })),
    groupLabels: data.groupLabels,
    commonLabels: data.commonLabels,
    commonAnnotations: data.commonAnnotations,
    externalURL: data.externalUrl,
    version: '4',
    groupKey: data.groupKey,
    truncatedAlerts: data.alerts.length - shown.length,
  };
}

/** A one-line title like `[FIRING:2] HighLatency component=chat`. */
export function titleOf(data: NotificationData): string {
  const firing = data.alerts.filter((a) => a.status === 'firing').length;
  const head = data.status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  const name = data.groupLabels.alertname ?? data.commonLabels.alertname ?? '';
  const rest = Object.entries(data.groupLabels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [head, name, rest].filter((s) => s !== '').join(' ');
}
