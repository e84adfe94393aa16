/**
 * The alert rule evaluator: loads rule files, evaluates each group on its interval (a group
 * never overlaps itself), steps every (rule, series) instance through the state machine,
 * persists states, timers and history in SQLite, and after each round hands every firing alert
 * and the recently resolved ones to the sink.
 */
import { LlmwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { MetricRegistry } from '../ingest/registry.js';
import type { PromqlEngine } from '../promql/index.js';
import { activeAlertsOf, alertLabelsOf, annotationsOf, generatorUrlFor } from './build-alerts.js';
import { ruleFilePatterns, type AlertingConfig } from './config.js';
import { evaluateRule } from './evaluate-rule.js';
import { ledgerRound } from './ledger.js';
import { expandGlobs, loadRuleFiles } from './load.js';
import { formatRuleProblem, ruleKey, type RuleGroup, type RuleProblem } from './rule-types.js';
import type { InstanceState } from './state-machine.js';
import { openAlertStateDb, type HistoryFilter, type Transition } from './state-db.js';
import type { AlertSink, AlertState } from './types.js';
import { createWatcher } from './watch.js';

/** Options of createAlertEngine. */
export interface AlertEngineOptions {
  /** The parsed `alerting` config section (see alertingConfigSchema). */
  config: AlertingConfig;
  /** Evaluates the rules' PromQL. */
  engine: Pick<PromqlEngine, 'instantQuery'>;
  /** Receives alerts after every round. */
  sink: AlertSink;
  logger: Logger;
  /** Where evaluation failures and alert counts go; default nowhere. */
  registry?: MetricRegistry;
  /** Clock in Unix ms; default Date.now. */
  nowMs?: () => number;
  /** State database path; default config.statePath. ":memory:" for tests. */
  dbPath?: string;
  /** Directory relative rule-file globs resolve against; default the working directory. */
  baseDir?: string;
}

/** An alert instance as the API shows it. */
export interface AlertView {
  rule: string;
  group: string;
  state: AlertState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Latest value, null when unknown. */
  value: number | null;
  /** Start of the pending (or nodata/error) period, Unix ms. */
  activeAt: number | null;
  /** When it started firing, Unix ms. */
  firingAt: number | null;
  component: string | null;
  generatorUrl: string;
}

/** One transition as the history API shows it (`at` in Unix ms). */
export interface TransitionView {
  rule: string;
  group: string;
  labels: Record<string, string>;
  from: AlertState;
  to: AlertState;
  at: number;
  value: number | null;
}

/** Outcome of a reload: the problems when the new files were refused (old rules kept). */
export interface ReloadResult {
  ok: boolean;
  files: string[];
  problems: RuleProblem[];
}

/** A running alert evaluator. */
export interface AlertEngine {
  /** Starts the group timers (aligned to each interval) and the file watcher. Idempotent. */
  start(): void;
  /** Stops timers and the watcher, waits for rounds in progress, closes the database. */
  stop(): Promise<void>;
  /** Evaluates every group at `timeMs` (integer Unix ms) and sends; for tests and manual runs. */
  evaluateOnce(timeMs: number): Promise<void>;
  /** Re-reads rule files; on any problem keeps the current rules and logs every problem. */
  reload(): ReloadResult;
  /** The loaded groups. */
  groups(): readonly RuleGroup[];
  /** Instances not in state normal, sorted by rule then labels. */
  alerts(): AlertView[];
  /** Transitions, newest first. */
  history(filter: HistoryFilter): TransitionView[];
}

const STATES: AlertState[] = ['pending', 'firing', 'recovering', 'nodata', 'error'];
const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);

/**
 * Creates the evaluator and restores its state from the database. Throws LlmwatchError
 * "alerting_rules_invalid" listing every problem of the rule files.
 */
export function createAlertEngine(opts: AlertEngineOptions): AlertEngine {
  const { config, logger, sink } = opts;
  const nowMs = opts.nowMs ?? Date.now;
  const patterns = ruleFilePatterns(config);
  const defaultIntervalMs = Math.round(config.evaluationIntervalSeconds * 1000);
  const load = () => loadRuleFiles(expandGlobs(patterns, opts.baseDir), defaultIntervalMs);

  const initial = load();
  if (initial.problems.length > 0) {
    throw new LlmwatchError(
      'alerting_rules_invalid',
      `alerting: ${initial.problems.length} problem(s) in rule files:\n  - ` +
        initial.problems.map(formatRuleProblem).join('\n  - '),
    );
  }
  let groups = initial.groups;
  const db = openAlertStateDb(opts.dbPath ?? config.statePath);
  /** Instances by rule key, then series key. */
  const instances = new Map<string, Map<string, InstanceState>>();
  for (const instance of db.loadInstances()) {
    let byRule = instances.get(instance.ruleKey);
    if (!byRule) instances.set(instance.ruleKey, (byRule = new Map()));
    byRule.set(instance.seriesKey, instance);
  }
  const ledger = new Map(db.loadSent().map((s) => [s.fingerprint, s]));

  const failures = opts.registry?.counter(
    'llmwatch_alert_rule_evaluation_failures_total',
    'Alert rule evaluations whose query failed.',
  );
  const alertGauge = opts.registry?.gauge(
    'llmwatch_alerts',
    'Alert instances by state (pending, firing, recovering, nodata, error).',
  );
  const lastErrors = new Map<string, string>();

  const updateGauge = (): void => {
    if (!alertGauge) return;
    const counts = new Map<AlertState, number>(STATES.map((s) => [s, 0]));
    for (const byRule of instances.values()) {
      for (const i of byRule.values()) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
    }
    for (const state of STATES) alertGauge.series({ state }).set(counts.get(state) ?? 0);
  };

  const runGroup = async (group: RuleGroup, timeMs: number): Promise<void> => {
    const upsert: InstanceState[] = [];
    const remove: Array<{ ruleKey: string; seriesKey: string }> = [];
    const transitions: Transition[] = [];
    const active: Parameters<typeof ledgerRound>[0]['active'][number][] = [];

    for (const rule of group.rules) {
      const key = ruleKey(rule);
      let byRule = instances.get(key);
      if (!byRule) instances.set(key, (byRule = new Map()));
      const result = await evaluateRule(rule, key, byRule, opts.engine, timeMs);
      if (result.error !== undefined) {
        failures?.series({ rule: rule.alert }).inc();
        if (lastErrors.get(key) !== result.error) {
          logger.warn({ rule: key, err: result.error }, 'alert rule evaluation failed');
        }
        lastErrors.set(key, result.error);
      } else if (lastErrors.delete(key)) {
        logger.info({ rule: key }, 'alert rule recovered');
      }

      for (const { before, after } of result.steps) {
        if (before.state !== after.state) {
          transitions.push({
            ruleKey: key,
            group: group.name,
            alert: rule.alert,
            seriesLabels: after.seriesLabels,
            from: before.state,
            to: after.state,
            atMs: timeMs,
            value: after.value,
          });
        }
        if (after.state === 'normal') {
          if (byRule.delete(after.seriesKey))
            remove.push({ ruleKey: key, seriesKey: after.seriesKey });
        } else {
          byRule.set(after.seriesKey, after);
          upsert.push(after);
        }
      }
      for (const alert of activeAlertsOf(rule, byRule.values(), config.externalUrl, timeMs)) {
        active.push({ ...alert, ruleKey: key, group: group.name });
      }
    }

    const known = new Set(groups.flatMap((g) => g.rules.map(ruleKey)));
    const round = ledgerRound({
      ledger,
      owned: (entry) => entry.group === group.name || !known.has(entry.ruleKey),
      active,
      timeMs,
      intervalMs: group.intervalMs,
      resolvedRetentionMs: config.resolvedRetentionMinutes * 60_000,
    });
    for (const entry of round.sent) ledger.set(entry.fingerprint, entry);
    for (const fingerprint of round.removeSent) ledger.delete(fingerprint);
    db.saveRound({ upsert, remove, transitions, sent: round.sent, removeSent: round.removeSent });
    db.pruneHistory(timeMs - config.historyRetentionDays * 86_400_000);
    updateGauge();

    if (round.alerts.length > 0) {
      try {
        await sink.send(round.alerts);
      } catch (err) {
        logger.error({ group: group.name, err }, 'alert sink failed');
      }
    }
  };

  // Each group's rounds chain onto its previous one, so a group never overlaps itself.
  const chains = new Map<string, Promise<unknown>>();
  const serialize = (group: RuleGroup, timeMs: number): Promise<void> => {
    const run = (chains.get(group.name) ?? Promise.resolve()).then(() =>
      runGroup(group, timeMs).catch((err: unknown) => {
        logger.error({ group: group.name, err }, 'alert group evaluation failed');
      }),
    );
    chains.set(group.name, run);
    return run;
  };

  const timers = new Map<string, NodeJS.Timeout>();
  let running = false;
  const schedule = (group: RuleGroup): void => {
    if (!running) return;
    const now = nowMs();
    const nextMs = (Math.floor(now / group.intervalMs) + 1) * group.intervalMs;
    const timer = setTimeout(() => {
      timers.delete(group.name);
      if (!running || !groups.includes(group)) return;
      const tickMs = Math.floor(nowMs() / group.intervalMs) * group.intervalMs;
      void serialize(group, tickMs).then(() => schedule(group));
    }, nextMs - now);
    timer.unref();
    timers.set(group.name, timer);
  };
  const restartTimers = (): void => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    for (const group of groups) schedule(group);
  };

  const reload = (): ReloadResult => {
    const next = load();
    if (next.problems.length > 0) {
      for (const problem of next.problems) {
        logger.error({ problem: formatRuleProblem(problem) }, 'alert rules not reloaded');
      }
      return { ok: false, files: next.files, problems: next.problems };
    }
    groups = next.groups;
    const known = new Set(groups.flatMap((g) => g.rules.map(ruleKey)));
    const remove: Array<{ ruleKey: string; seriesKey: string }> = [];
    for (const [key, byRule] of instances) {
      if (known.has(key)) continue;
      for (const seriesKey of byRule.keys()) remove.push({ ruleKey: key, seriesKey });
      instances.delete(key);
    }
    db.saveRound({ upsert: [], remove, transitions: [], sent: [], removeSent: [] });
    logger.info({ files: next.files.length, groups: groups.length }, 'alert rules loaded');
    if (running) restartTimers();
    return { ok: true, files: next.files, problems: [] };
  };

  const watcher = createWatcher({
    patterns,
    baseDir: opts.baseDir,
    intervalMs: config.reloadCheckSeconds * 1000,
    onChange: () => {
      try {
        reload();
      } catch (err) {
        logger.error({ err }, 'alert rules not reloaded');
      }
    },
  });

  const ruleByKey = () => new Map(groups.flatMap((g) => g.rules.map((r) => [ruleKey(r), r])));

  return {
    start() {
      if (running) return;
      running = true;
      restartTimers();
      watcher.start();
    },
    async stop() {
      running = false;
      watcher.stop();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all(chains.values());
      db.close();
    },
    async evaluateOnce(timeMs) {
      if (!Number.isSafeInteger(timeMs)) {
        throw new LlmwatchError(
          'alerting_bad_time',
          `evaluateOnce needs an integer Unix time in ms, got ${timeMs}`,
        );
      }
      for (const group of groups) await serialize(group, timeMs);
    },
    reload,
    groups: () => groups,
    alerts() {
      const rules = ruleByKey();
      const out: AlertView[] = [];
      for (const [key, byRule] of instances) {
        const rule = rules.get(key);
        if (!rule) continue;
        for (const i of byRule.values()) {
          const labels = alertLabelsOf(rule, i, config.externalUrl);
          out.push({
            rule: rule.alert,
            group: rule.group,
            state: i.state,
            labels,
            annotations: annotationsOf(rule, i, labels, config.externalUrl),
            value: finite(i.value),
            activeAt: i.activeAtMs,
            firingAt: i.firedAtMs,
            component: labels.component ?? null,
            generatorUrl: generatorUrlFor(config.externalUrl, rule.expr),
          });
        }
      }
      const sortKey = (a: AlertView) => `${a.group}/${a.rule}/${JSON.stringify(a.labels)}`;
      return out.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    },
    history(filter) {
      return db.history(filter).map((t) => ({
        rule: t.alert,
        group: t.group,
        labels: t.seriesLabels,
        from: t.from,
        to: t.to,
        at: t.atMs,
        value: finite(t.value),
      }));
    },
  };
}
