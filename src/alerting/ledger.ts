/**
 * The ledger of alerts handed to the sink. Each round, a group's active alerts are upserted
 * (keeping the start of an alert that was already firing), alerts no longer active are marked
 * resolved, and resolved alerts are re-sent until `resolvedRetentionMs` has passed, so a resolve
 * survives a lost notification or a restart.
 */
import type { Alert } from './types.js';
import type { ActiveAlert } from './build-alerts.js';
import type { SentAlert } from './state-db.js';

/** What one round changes in the ledger, and what it sends. */
export interface LedgerRound {
  sent: SentAlert[];
  removeSent: string[];
  alerts: Alert[];
}

/**
 * Computes one round of a group. `owned` says whether a ledger entry belongs to this round
 * (its group, or a rule that no longer exists). Firing alerts get endsAt = now + 4 × interval.
 */
export function ledgerRound(opts: {
  ledger: ReadonlyMap<string, SentAlert>;
  owned: (entry: SentAlert) => boolean;
  active: ReadonlyArray<ActiveAlert & { ruleKey: string; group: string }>;
  timeMs: number;
  intervalMs: number;
  resolvedRetentionMs: number;
}): LedgerRound {
  const { ledger, timeMs } = opts;
  const sent: SentAlert[] = [];
  const removeSent: string[] = [];
  const alerts: Alert[] = [];
  const activeKeys = new Set<string>();

  for (const alert of opts.active) {
    activeKeys.add(alert.fingerprint);
    const previous = ledger.get(alert.fingerprint);
    const stillFiring = previous !== undefined && previous.resolvedAtMs === null;
    const entry: SentAlert = {
      fingerprint: alert.fingerprint,
      ruleKey: alert.ruleKey,
      group: alert.group,
      labels: alert.labels,
      annotations: alert.annotations,
      startsAtMs: stillFiring ? previous.startsAtMs : alert.startsAtMs,
      resolvedAtMs: null,
      value: alert.value,
      generatorUrl: alert.generatorUrl,
      lastSentMs: timeMs,
    };
    sent.push(entry);
    alerts.push(toAlert(entry, timeMs + 4 * opts.intervalMs));
  }

  for (const entry of ledger.values()) {
    if (activeKeys.has(entry.fingerprint) || !opts.owned(entry)) continue;
    const resolvedAtMs = entry.resolvedAtMs ?? timeMs;
    if (timeMs - resolvedAtMs > opts.resolvedRetentionMs) {
      removeSent.push(entry.fingerprint);
      continue;
    }
    const updated = { ...entry, resolvedAtMs, lastSentMs: timeMs };
    sent.push(updated);
    alerts.push(toAlert(updated, resolvedAtMs));
  }
  return { sent, removeSent, alerts };
}

function toAlert(entry: SentAlert, endsAtMs: number): Alert {
  const alert: Alert = {
    fingerprint: entry.fingerprint,
    labels: entry.labels,
    annotations: entry.annotations,
    status: entry.resolvedAtMs === null ? 'firing' : 'resolved',
    startsAt: entry.startsAtMs,
    endsAt: endsAtMs,
    generatorUrl: entry.generatorUrl,
  };
  if (Number.isFinite(entry.value)) alert.value = entry.value;
  return alert;
}
