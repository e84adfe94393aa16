/**
 * Pushing alerts into a real Prometheus Alertmanager, the way Prometheus does: every firing
 * alert is re-sent (`POST /api/v2/alerts`) with its `endsAt` a few evaluation intervals ahead,
 * so Alertmanager resolves it by itself if llmwatch stops; resolved alerts are sent with their
 * real `endsAt` for as long as rule evaluation keeps handing them over (Prometheus: 15 min).
 * This bypasses llmwatch's own grouping, silences and inhibition: Alertmanager does those.
 * A push happens when the set of alerts or a status changed, or after `resendDelaySeconds`.
 * One attempt per push; a failed push is retried on the next round.
 */
import type { Logger } from '../../../core/log.js';
import type { z } from 'zod';
import type { Alert } from '../../types.js';
import type { alertmanagerTargetSchema } from '../config.js';
import { postJson } from './http.js';

/** One Alertmanager push target. */
export interface AlertmanagerPusher {
  /** Pushes `alerts` when due; resolves when done (never throws). */
  push(alerts: readonly Alert[], nowMs: number): Promise<void>;
  /** True while a push is in flight. */
  readonly busy: boolean;
}

/** The `postableAlert` body Alertmanager's API v2 takes. */
export function toPostableAlerts(alerts: readonly Alert[]) {
  return alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: new Date(a.endsAt).toISOString(),
    generatorURL: a.generatorUrl,
  }));
}

/** Creates the pusher for one Alertmanager. `onResult` counts outcomes for metrics. */
export function createAlertmanagerPusher(
  target: z.infer<typeof alertmanagerTargetSchema>,
  logger: Logger,
  onResult: (ok: boolean) => void = () => {},
): AlertmanagerPusher {
  const url = `${target.url.replace(/\/+$/, '')}/api/v2/alerts`;
  let lastSignature = '';
  let lastPushMs = -Infinity;
  let busy = false;
  return {
    get busy() {
      return busy;
    },
    async push(alerts, nowMs) {
      if (busy || alerts.length === 0) return;
      const signature = alerts
        .map((a) => `${a.fingerprint}:${a.status}`)
        .sort()
        .join(',');
      const due = nowMs - lastPushMs >= target.resendDelaySeconds * 1000;
      if (signature === lastSignature && !due) return;
      busy = true;
      try {
        await postJson(url, toPostableAlerts(alerts), {
          signal: AbortSignal.timeout(target.timeoutSeconds * 1000),
          what: 'alertmanager',
        });
        lastSignature = signature;
        lastPushMs = nowMs;
        onResult(true);
      } catch (err) {
        logger.warn(
          { err: (err as Error).message, alertmanager: target.url },
          'alertmanager push failed',
        );
        onResult(false);
      } finally {
        busy = false;
      }
    },
  };
}
