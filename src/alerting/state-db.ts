/**
 * Durable alert state in SQLite (WAL): instances with their timers, the alerts last handed to
 * the sink (so a restart re-sends the same alert with the same start instead of a new one, and
 * resolved alerts keep being re-sent for their retention), and the transition history.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Labels } from '../store/types.js';
import type { AlertState } from './types.js';
import type { InstanceState } from './state-machine.js';

/** An alert as last handed to the sink. */
export interface SentAlert {
  fingerprint: string;
  ruleKey: string;
  group: string;
  labels: Labels;
  annotations: Record<string, string>;
  startsAtMs: number;
  /** Null while firing. */
  resolvedAtMs: number | null;
  value: number;
  generatorUrl: string;
  lastSentMs: number;
}

/** One state change of one instance. */
export interface Transition {
  ruleKey: string;
  group: string;
  alert: string;
  seriesLabels: Labels;
  from: AlertState;
  to: AlertState;
  atMs: number;
  value: number;
}

/** Filter of the transition history; every field optional. Times are Unix ms, inclusive. */
export interface HistoryFilter {
  /** Alert name or `group/alert`. */
  rule?: string;
  /** Value of the series' `component` label. */
  component?: string;
  startMs?: number;
  endMs?: number;
  /** Most rows, newest first; default 1000. */
  limit?: number;
}

/** The state database. */
export interface AlertStateDb {
  loadInstances(): InstanceState[];
  loadSent(): SentAlert[];
  /** Writes one evaluation round atomically: upserts, deletions and new transitions. */
  saveRound(round: {
    upsert: readonly InstanceState[];
    remove: ReadonlyArray<{ ruleKey: string; seriesKey: string }>;
    transitions: readonly Transition[];
    sent: readonly SentAlert[];
    removeSent: readonly string[];
  }): void;
  history(filter: HistoryFilter): Transition[];
  /** Deletes transitions older than `beforeMs`. */
  pruneHistory(beforeMs: number): void;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert_instances (
  rule_key TEXT NOT NULL, series_key TEXT NOT NULL, series_labels TEXT NOT NULL,
  state TEXT NOT NULL, active_at INTEGER, fired_at INTEGER, recovering_since INTEGER,
  last_eval INTEGER NOT NULL, value REAL, sample_count REAL, reason TEXT,
  PRIMARY KEY (rule_key, series_key));
CREATE TABLE IF NOT EXISTS alert_sent (
  fingerprint TEXT PRIMARY KEY, rule_key TEXT NOT NULL, group_name TEXT NOT NULL,
  labels TEXT NOT NULL, annotations TEXT NOT NULL, starts_at INTEGER NOT NULL,
  resolved_at INTEGER, value REAL, generator_url TEXT NOT NULL, last_sent INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alert_transitions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, rule_key TEXT NOT NULL, group_name TEXT NOT NULL,
  alert TEXT NOT NULL, series_labels TEXT NOT NULL, from_state TEXT NOT NULL,
  to_state TEXT NOT NULL, at INTEGER NOT NULL, value REAL);
CREATE INDEX IF NOT EXISTS alert_transitions_at ON alert_transitions (at);
`;

const num = (value: number | null): number => (value === null ? NaN : value);
const real = (value: number): number | null => (Number.isFinite(value) ? value : null);

interface InstanceRow {
  rule_key: string;
  series_key: string;
  series_labels: string;
  state: AlertState;
  active_at: number | null;
  fired_at: number | null;
  recovering_since: number | null;
  last_eval: number;
  value: number | null;
  sample_count: number | null;
  reason: string | null;
}

interface SentRow {
  fingerprint: string;
  rule_key: string;
  group_name: string;
  labels: string;
  annotations: string;
  starts_at: number;
  resolved_at: number | null;
  value: number | null;
  generator_url: string;
  last_sent: number;
}

interface TransitionRow {
  rule_key: string;
  group_name: string;
  alert: string;
  series_labels: string;
  from_state: AlertState;
  to_state: AlertState;
  at: number;
  value: number | null;
}

/**
 * Opens (creating) the state database at `path` (":memory:" for tests). Throws the SQLite error
 * when the file cannot be opened.
 */
export function openAlertStateDb(path: string): AlertStateDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);

  const upsertInstance = db.prepare(`INSERT OR REPLACE INTO alert_instances VALUES
    (@rule_key, @series_key, @series_labels, @state, @active_at, @fired_at, @recovering_since,
     @last_eval, @value, @sample_count, @reason)`);
  const deleteInstance = db.prepare(
    'DELETE FROM alert_instances WHERE rule_key = ? AND series_key = ?',
  );
  const upsertSent = db.prepare(`INSERT OR REPLACE INTO alert_sent VALUES
    (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const deleteSent = db.prepare('DELETE FROM alert_sent WHERE fingerprint = ?');
  const insertTransition = db.prepare(`INSERT INTO alert_transitions
    (rule_key, group_name, alert, series_labels, from_state, to_state, at, value)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);

  const saveRound = db.transaction((round: Parameters<AlertStateDb['saveRound']>[0]) => {
    for (const i of round.upsert) {
      upsertInstance.run({
        rule_key: i.ruleKey,
        series_key: i.seriesKey,
        series_labels: JSON.stringify(i.seriesLabels),
        state: i.state,
        active_at: i.activeAtMs,
        fired_at: i.firedAtMs,
        recovering_since: i.recoveringSinceMs,
        last_eval: i.lastEvalMs,
        value: real(i.value),
        sample_count: i.sampleCount,
        reason: i.reason,
      });
    }
    for (const r of round.remove) deleteInstance.run(r.ruleKey, r.seriesKey);
    for (const t of round.transitions) {
      insertTransition.run(
        t.ruleKey,
        t.group,
        t.alert,
        JSON.stringify(t.seriesLabels),
        t.from,
        t.to,
        t.atMs,
        real(t.value),
      );
    }
    for (const s of round.sent) {
      upsertSent.run(
        s.fingerprint,
        s.ruleKey,
        s.group,
        JSON.stringify(s.labels),
        JSON.stringify(s.annotations),
        s.startsAtMs,
        s.resolvedAtMs,
        real(s.value),
        s.generatorUrl,
        s.lastSentMs,
      );
    }
    for (const fingerprint of round.removeSent) deleteSent.run(fingerprint);
  });

  return {
    loadInstances() {
      const rows = db.prepare('SELECT * FROM alert_instances').all() as InstanceRow[];
      return rows.map((r) => ({
        ruleKey: r.rule_key,
        seriesKey: r.series_key,
        seriesLabels: JSON.parse(r.series_labels) as Labels,
        state: r.state,
        activeAtMs: r.active_at,
        firedAtMs: r.fired_at,
        recoveringSinceMs: r.recovering_since,
        lastEvalMs: r.last_eval,
        value: num(r.value),
        sampleCount: r.sample_count,
        reason: r.reason,
      }));
    },
    loadSent() {
      const rows = db.prepare('SELECT * FROM alert_sent').all() as SentRow[];
      return rows.map((r) => ({
        fingerprint: r.fingerprint,
        ruleKey: r.rule_key,
        group: r.group_name,
        labels: JSON.parse(r.labels) as Labels,
        annotations: JSON.parse(r.annotations) as Record<string, string>,
        startsAtMs: r.starts_at,
        resolvedAtMs: r.resolved_at,
        value: num(r.value),
        generatorUrl: r.generator_url,
        lastSentMs: r.last_sent,
      }));
    },
    saveRound: (round) => saveRound(round),
    history(filter) {
      const where: string[] = [];
      const args: Array<string | number> = [];
      if (filter.rule !== undefined) {
        where.push(filter.rule.includes('/') ? 'rule_key = ?' : 'alert = ?');
        args.push(filter.rule);
      }
      if (filter.component !== undefined) {
        where.push("json_extract(series_labels, '$.component') = ?");
        args.push(filter.component);
      }
      if (filter.startMs !== undefined) {
        where.push('at >= ?');
        args.push(filter.startMs);
      }
      if (filter.endMs !== undefined) {
        where.push('at <= ?');
        args.push(filter.endMs);
      }
      const sql =
        'SELECT * FROM alert_transitions' +
        (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
        ' ORDER BY at DESC, id DESC LIMIT ?';
      const rows = db.prepare(sql).all(...args, filter.limit ?? 1000) as TransitionRow[];
      return rows.map((r) => ({
        ruleKey: r.rule_key,
        group: r.group_name,
        alert: r.alert,
        seriesLabels: JSON.parse(r.series_labels) as Labels,
        from: r.from_state,
        to: r.to_state,
        atMs: r.at,
        value: num(r.value),
      }));
    },
    pruneHistory(beforeMs) {
      db.prepare('DELETE FROM alert_transitions WHERE at < ?').run(beforeMs);
    },
    close() {
      db.close();
    },
  };
}
