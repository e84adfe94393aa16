/**
 * The notification pipeline: alerts from rule evaluation are routed, grouped, muted by silences
 * and inhibition, de-duplicated against the persistent notification log, and delivered to each
 * receiver integration with retries. Alertmanager's semantics throughout:
 * - a new group waits `groupWait` before its first notice (so alerts arriving together go out
 *   together), unless its alert started more than `groupWait` ago (e.g. after a restart);
 * - afterwards the group is looked at every `groupInterval` and notified only when its set of
 *   firing or resolved alerts changed, or when `repeatInterval` has passed;
 * - each integration is delivered to independently, so a dead one delays nobody else, and its
 *   retries stop before the group's next interval; failures are retried at that next interval.
 * Alerts are also pushed to any configured Alertmanager, re-sent like Prometheus does.
 *
 * Limitation: groups (which alerts are pending in which group) live in memory. After a restart
 * they are rebuilt from the alerts rule evaluation re-sends, and the persistent notification log
 * keeps already-delivered notices from going out again.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../../core/log.js';
import type { MetricRegistry } from '../../ingest/registry.js';
import type { Labels } from '../../store/types.js';
import type { Alert, AlertSink } from '../types.js';
import type { NotifyConfig } from './config.js';
import { openNotifyDatabase } from './db.js';
import { isInhibited } from './inhibit.js';
import { createNflog, needsNotify, type Delivery } from './nflog.js';
import { buildNotificationData, isResolvedAt } from './payload.js';
import { createAlertmanagerPusher } from './receivers/alertmanager.js';
import { createIntegrations } from './receivers/index.js';
import type { Integration } from './receivers/types.js';
import { deliverWithRetry, type RetryOptions } from './retry.js';
import {
  groupKeyOf,
  groupLabelsOf,
  matchRoutes,
  resolveRoutes,
  type ResolvedRoute,
} from './routing.js';
import { createSilenceStore, type SilenceStore } from './silences.js';

/** Resolved alerts are forgotten this long after they resolved even if never delivered. */
const RESOLVED_RETENTION_MS = 3600 * 1000;
/** How often old notification-log entries and deliveries are deleted. */
const PRUNE_EVERY_MS = 3600 * 1000;

/** Options of createNotifier. */
export interface NotifierOptions {
  /** The parsed `notifyConfigSchema` fragment. */
  config: NotifyConfig;
  logger: Logger;
  /** Registry for `llmwatch_notifications_total` and `llmwatch_notifications_failed_total`. */
  registry?: MetricRegistry;
  /** Clock, Unix ms; default Date.now. Group timers use it; retry deadlines use the wall clock. */
  nowMs?: () => number;
  /** SQLite file for silences and the notification log (":memory:" in tests). */
  dbPath: string;
  /** How often `start()`'s loop looks for due groups, ms. Default 1000. */
  tickMs?: number;
  /** Retry tuning; see RetryOptions. */
  retry?: RetryOptions;
}

/** The notification pipeline. */
export interface Notifier extends AlertSink {
  /** Silences (create, list, expire), persisted. */
  readonly silences: SilenceStore;
  /** Notifies every group that is due now; resolves when those deliveries finished. */
  flushDue(): Promise<void>;
  /** Starts the background loop that calls flushDue every tickMs. */
  start(): void;
  /** The latest deliveries, newest first: what was sent to whom, when, and the outcome. */
  deliveries(limit?: number): Delivery[];
  /** Stops the loop, aborts deliveries in flight, waits for them, closes the database. */
  close(): Promise<void>;
}

interface Group {
  key: string;
  route: ResolvedRoute;
  labels: Labels;
  alerts: Map<string, Alert>;
  nextFlushMs: number;
  hasFlushed: boolean;
  inFlight: boolean;
}

/** Creates the notifier. Throws `notify_db_open_failed` when the database cannot be opened. */
export function createNotifier(opts: NotifierOptions): Notifier {
  const { config, logger } = opts;
  const nowMs = opts.nowMs ?? Date.now;
  const db: Database.Database = openNotifyDatabase(opts.dbPath);
  const silences = createSilenceStore(db, nowMs);
  const nflog = createNflog(db);
  const rootRoute = config.route ? resolveRoutes(config.route) : undefined;
  const integrations = new Map<string, Integration[]>(
    config.receivers.map((r) => [r.name, createIntegrations(r)]),
  );
  const sentTotal = opts.registry?.counter(
    'llmwatch_notifications_total',
    'Notifications delivered.',
  );
  const failedTotal = opts.registry?.counter(
    'llmwatch_notifications_failed_total',
    'Notifications given up after retries.',
  );
  const pushTotal = opts.registry?.counter(
    'llmwatch_alertmanager_pushes_total',
    'Pushes of alerts to Alertmanager, by outcome.',
  );
  const pushers = config.alertmanagers.map((t) =>
    createAlertmanagerPusher(t, logger, (ok) =>
      pushTotal?.series({ alertmanager: t.url, outcome: ok ? 'sent' : 'failed' }).inc(),
    ),
  );

  const groups = new Map<string, Group>();
  const latest = new Map<string, Alert>();
  const pending = new Set<Promise<unknown>>();
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  let prunedAtMs = 0;

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };

  function ingest(alert: Alert, now: number): void {
    latest.set(alert.fingerprint, alert);
    if (!rootRoute) return;
    for (const route of matchRoutes(rootRoute, alert.labels)) {
      const labels = groupLabelsOf(route, alert.labels);
      const key = groupKeyOf(route, labels);
      let group = groups.get(key);
      if (!group) {
        group = {
          key,
          route,
          labels,
          alerts: new Map(),
          nextFlushMs: now + route.groupWaitMs,
          hasFlushed: false,
          inFlight: false,
        };
        groups.set(key, group);
      }
      group.alerts.set(alert.fingerprint, alert);
      if (!group.hasFlushed && alert.startsAt + route.groupWaitMs <= now) group.nextFlushMs = now;
    }
  }

  /** Muted: matched by an active silence, or inhibited by one of the firing `sources`. */
  function isMuted(alert: Alert, sources: readonly Alert[]): boolean {
    if (silences.silencedBy(alert.labels).length > 0) return true;
    return config.inhibitRules.length > 0 && isInhibited(config.inhibitRules, alert, sources);
  }

  async function deliver(group: Group, integration: Integration, shown: Alert[], now: number) {
    const receiver = group.route.receiver;
    const firing = new Set(shown.filter((a) => !isResolvedAt(a, now)).map((a) => a.fingerprint));
    const resolved = new Set(shown.filter((a) => isResolvedAt(a, now)).map((a) => a.fingerprint));
    const entry = nflog.get(group.key, receiver, integration.id);
    const due = needsNotify(entry, firing, resolved, {
      sendResolved: integration.sendResolved,
      repeatIntervalMs: group.route.repeatIntervalMs,
      nowMs: now,
    });
    if (!due) return true;

    const toSend = integration.sendResolved
      ? shown
      : shown.filter((a) => firing.has(a.fingerprint));
    if (toSend.length === 0) {
      nflog.set(group.key, receiver, integration.id, { firing, resolved, sentAtMs: now });
      return true;
    }
    const data = buildNotificationData({
      receiver,
      groupKey: group.key,
      groupLabels: group.labels,
      externalUrl: config.externalUrl,
      alerts: toSend,
      nowMs: now,
    });
    const outcome = await deliverWithRetry(integration, data, {
      ...opts.retry,
      deadlineMs: Date.now() + group.route.groupIntervalMs,
      stop: stop.signal,
    });
    const kind = integration.id.split('/')[0] ?? integration.id;
    nflog.addDelivery({
      atMs: now,
      groupKey: group.key,
      receiver,
      integration: integration.id,
      status: data.status,
      alerts: data.alerts.length,
      attempts: outcome.attempts,
      outcome: outcome.ok ? 'sent' : 'failed',
      error: outcome.error,
    });
    if (outcome.ok) {
      nflog.set(group.key, receiver, integration.id, { firing, resolved, sentAtMs: now });
      sentTotal?.series({ receiver, integration: kind }).inc();
      logger.info(
        {
          receiver,
          integration: integration.id,
          group: group.key,
          status: data.status,
          alerts: data.alerts.length,
        },
        'notification sent',
      );
    } else {
      failedTotal?.series({ receiver, integration: kind }).inc();
      logger.error(
        {
          receiver,
          integration: integration.id,
          group: group.key,
          attempts: outcome.attempts,
          error: outcome.error,
        },
        'notification failed',
      );
    }
    return outcome.ok;
  }

  async function flush(group: Group, now: number): Promise<void> {
    group.inFlight = true;
    group.hasFlushed = true;
    group.nextFlushMs = now + group.route.groupIntervalMs;
    try {
      const snapshot = [...group.alerts.values()];
      const sources = [...latest.values()].filter((a) => !isResolvedAt(a, now));
      const shown = snapshot.filter((a) => !isMuted(a, sources));
      const targets = integrations.get(group.route.receiver) ?? [];
      const results = await Promise.all(
        targets.map((integration) =>
          deliver(group, integration, shown, now).catch((err: unknown) => {
            logger.error({ err, integration: integration.id }, 'notification stage failed');
            return false;
          }),
        ),
      );
      const allOk = results.every(Boolean);
      for (const alert of snapshot) {
        if (!isResolvedAt(alert, now) || group.alerts.get(alert.fingerprint) !== alert) continue;
        if (allOk || alert.endsAt + RESOLVED_RETENTION_MS < now)
          group.alerts.delete(alert.fingerprint);
      }
      if (group.alerts.size === 0) groups.delete(group.key);
    } finally {
      group.inFlight = false;
    }
  }

  async function flushDue(): Promise<void> {
    const now = nowMs();
    const due = [...groups.values()].filter((g) => !g.inFlight && g.nextFlushMs <= now);
    await Promise.all(due.map((g) => track(flush(g, now))));
  }

  return {
    silences,
    async send(alerts) {
      try {
        const now = nowMs();
        for (const alert of alerts) ingest(alert, now);
        for (const [fp, alert] of latest) {
          if (isResolvedAt(alert, now) && alert.endsAt + RESOLVED_RETENTION_MS < now)
            latest.delete(fp);
        }
        for (const pusher of pushers) void track(pusher.push(alerts, now));
      } catch (err) {
        logger.error({ err }, 'alerts could not be queued for notification');
      }
    },
    flushDue,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (ticking) return;
        ticking = true;
        flushDue()
          .then(() => {
            if (nowMs() - prunedAtMs < PRUNE_EVERY_MS) return;
            prunedAtMs = nowMs();
            nflog.prune(prunedAtMs);
          })
          .catch((err: unknown) => logger.error({ err }, 'notification tick failed'))
          .finally(() => (ticking = false));
      }, opts.tickMs ?? 1000);
      timer.unref();
    },
    deliveries(limit = 100) {
      return nflog.deliveries(limit);
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      stop.abort();
      await Promise.allSettled([...pending]);
      db.close();
    },
  };
}
