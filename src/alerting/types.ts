/**
 * The contract between alert rule evaluation (which decides states) and the notification
 * pipeline (which groups, silences, inhibits and delivers). Shaped like the alerts Prometheus
 * sends to Alertmanager, so the same data can be pushed to a real Alertmanager.
 */
import type { Labels } from '../store/types.js';

/** The state of one alert instance (one rule, one series). */
export type AlertState = 'normal' | 'pending' | 'firing' | 'recovering' | 'nodata' | 'error';

/** One alert instance as the notification pipeline sees it. */
export interface Alert {
  /** Stable id of the instance: a hash of `labels` (which include `alertname`). */
  fingerprint: string;
  /** Identifying labels: the rule's labels, the series' labels and `alertname`. */
  labels: Labels;
  /** Rendered annotations (summary, description, runbook_url, ...). */
  annotations: Record<string, string>;
  /** Firing while `endsAt` is in the future or absent; resolved once `endsAt` has passed. */
  status: 'firing' | 'resolved';
  /** When the instance started firing (ms). */
  startsAt: number;
  /** When it resolved (ms), or, for firing alerts, a time in the future after which it counts as
   * resolved unless re-sent (as Prometheus does: 4 evaluation intervals ahead). */
  endsAt: number;
  /** Latest value of the rule expression for this series, when known. */
  value?: number;
  /** Link back to the panel or query in llmwatch's UI. */
  generatorUrl: string;
}

/**
 * Receives alerts from rule evaluation after every evaluation round: every firing alert again
 * (so receivers can tell it is still active), and resolved alerts for a while after they
 * resolve. Implementations must not throw and must not block evaluation for long.
 */
export interface AlertSink {
  send(alerts: readonly Alert[]): Promise<void>;
}
