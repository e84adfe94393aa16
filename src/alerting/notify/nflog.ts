/**
 * The notification log: per (group key, receiver, integration), which alerts were firing and
 * which resolved in the last notification sent, and when. It is what de-duplicates
 * notifications, and because it lives in SQLite a restart does not re-send what was already
 * delivered. Also the delivery history: every notification attempt with its outcome.
 */
import type Database from 'better-sqlite3';

/** Entries and deliveries older than this are deleted (5 days, like Alertmanager's log). */
export const NFLOG_RETENTION_MS = 5 * 24 * 3600 * 1000;

/** What one integration was last told about one group. */
export interface NflogEntry {
  firing: Set<string>;
  resolved: Set<string>;
  /** When it was sent, Unix ms. */
  sentAtMs: number;
}

/** One notification attempt (after its retries), for the history. */
export interface Delivery {
  atMs: number;
  groupKey: string;
  receiver: string;
  /** Integration id, e.g. "webhook/0". */
  integration: string;
  status: 'firing' | 'resolved';
  alerts: number;
  attempts: number;
  outcome: 'sent' | 'failed';
  error?: string | undefined;
}

/** The notification log. */
export interface Nflog {
  get(groupKey: string, receiver: string, integration: string): NflogEntry | undefined;
  set(groupKey: string, receiver: string, integration: string, entry: NflogEntry): void;
  addDelivery(delivery: Delivery): void;
  /** The latest deliveries, newest first. */
  deliveries(limit: number): Delivery[];
  /** Deletes entries and deliveries older than the retention. */
  prune(nowMs: number): void;
}

interface LogRow {
  firing: string;
  resolved: string;
  sent_at: number;
}

interface DeliveryRow {
  at: number;
  group_key: string;
  receiver: string;
  integration: string;
  status: 'firing' | 'resolved';
  alerts: number;
  attempts: number;
  outcome: 'sent' | 'failed';
  error: string | null;
}

/** Creates the notification log over the notification database. */
export function createNflog(db: Database.Database): Nflog {
  const select = db.prepare(
    'SELECT firing, resolved, sent_at FROM notify_log WHERE group_key = ? AND receiver = ? AND integration = ?',
  );
  const upsert = db.prepare('INSERT OR REPLACE INTO notify_log VALUES (?, ?, ?, ?, ?, ?)');
  const insertDelivery = db.prepare(
    `INSERT INTO notify_deliveries (at, group_key, receiver, integration, status, alerts, attempts, outcome, error)
     VALUES (@atMs, @groupKey, @receiver, @integration, @status, @alerts, @attempts, @outcome, @error)`,
  );
  const latest = db.prepare('SELECT * FROM notify_deliveries ORDER BY id DESC LIMIT ?');
  const pruneLog = db.prepare('DELETE FROM notify_log WHERE sent_at < ?');
  const pruneDeliveries = db.prepare('DELETE FROM notify_deliveries WHERE at < ?');

  return {
    get(groupKey, receiver, integration) {
      const row = select.get(groupKey, receiver, integration) as LogRow | undefined;
      if (!row) return undefined;
      return {
        firing: new Set(JSON.parse(row.firing) as string[]),
        resolved: new Set(JSON.parse(row.resolved) as string[]),
        sentAtMs: row.sent_at,
      };
    },
    set(groupKey, receiver, integration, entry) {
      const firing = JSON.stringify([...entry.firing].sort());
      const resolved = JSON.stringify([...entry.resolved].sort());
      upsert.run(groupKey, receiver, integration, firing, resolved, entry.sentAtMs);
    },
    addDelivery(delivery) {
      insertDelivery.run({ ...delivery, error: delivery.error ?? null });
    },
    deliveries(limit) {
      return (latest.all(limit) as DeliveryRow[]).map((r) => ({
        atMs: r.at,
        groupKey: r.group_key,
        receiver: r.receiver,
        integration: r.integration,
        status: r.status,
        alerts: r.alerts,
        attempts: r.attempts,
        outcome: r.outcome,
        error: r.error ?? undefined,
      }));
    },
    prune(nowMs) {
      pruneLog.run(nowMs - NFLOG_RETENTION_MS);
      pruneDeliveries.run(nowMs - NFLOG_RETENTION_MS);
    },
  };
}

const isSubset = (small: Set<string>, big: Set<string>): boolean =>
  [...small].every((x) => big.has(x));

/**
 * Whether a group must be notified now (Alertmanager's de-duplication): on its first firing
 * notice; when an alert fires that the receiver was not told about; when everything resolved
 * and the receiver had been told about firing alerts; when new alerts resolved (only with
 * `sendResolved`); otherwise only once `repeatIntervalMs` has passed since the last notice.
 */
export function needsNotify(
  entry: NflogEntry | undefined,
  firing: Set<string>,
  resolved: Set<string>,
  opts: { sendResolved: boolean; repeatIntervalMs: number; nowMs: number },
): boolean {
  if (!entry) return firing.size > 0;
  if (!isSubset(firing, entry.firing)) return true;
  if (firing.size === 0) return entry.firing.size > 0;
  if (opts.sendResolved && !isSubset(resolved, entry.resolved)) return true;
  return entry.sentAtMs <= opts.nowMs - opts.repeatIntervalMs;
}
