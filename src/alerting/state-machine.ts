/**
 * The per-series alert state machine (one instance per rule and series), as pure functions so
 * every transition can be tested without a clock or a database.
 *
 * States: normal → pending → firing → recovering → normal, plus nodata and error. Thresholds
 * with hysteresis: a firing series needs to pass the *recovery* threshold to recover; values
 * between the two thresholds change nothing.
 */
import type { Labels } from '../store/types.js';
import type { AlertState } from './types.js';
import type { AlertRule } from './rule-types.js';

/** The persisted state of one instance. Instances in state normal are not kept. */
export interface InstanceState {
  /** `group/alert` of the rule. */
  ruleKey: string;
  /** Stable key of the series labels within the rule. */
  seriesKey: string;
  /** The series' labels (without `__name__`). */
  seriesLabels: Labels;
  state: AlertState;
  /** When the current pending (or nodata / error) period began, ms; null when not active. */
  activeAtMs: number | null;
  /** When the instance started firing, ms. */
  firedAtMs: number | null;
  /** When the condition last became ok while firing (state recovering), ms. */
  recoveringSinceMs: number | null;
  /** Last evaluation time, ms. */
  lastEvalMs: number;
  /** Last value of the expression (NaN when unknown). */
  value: number;
  /** Last sample count of the minSamples expression (null without one). */
  sampleCount: number | null;
  /** Why an odd state was entered: "NoData", "MissingSeries", an error message, ... */
  reason: string | null;
}

/**
 * What one evaluation says about one series, after policies are applied:
 * breach (condition met), between (past the threshold's ok side but not the recovery
 * threshold), ok, missing (absent while the rule returned other series), hold (no transition:
 * too few samples or KeepLast), nodata, error.
 */
export type Signal =
  | { kind: 'breach' | 'between' | 'ok' | 'missing' | 'hold' | 'nodata'; value: number }
  | { kind: 'error'; value: number; message: string };

/** Classifies a value against the rule's thresholds. NaN counts as no data. */
export function classifyValue(rule: AlertRule, value: number): Signal['kind'] {
  if (Number.isNaN(value)) return 'nodata';
  const { threshold } = rule;
  if (!threshold) return 'breach';
  const recovery = rule.recoveryThreshold ?? threshold.value;
  if (threshold.op === 'above') {
    if (value > threshold.value) return 'breach';
    return value <= recovery ? 'ok' : 'between';
  }
  if (value < threshold.value) return 'breach';
  return value >= recovery ? 'ok' : 'between';
}

/** Maps no data to a signal by the rule's noDataState. */
export function noDataSignal(rule: AlertRule, lastValue: number): Signal {
  switch (rule.noDataState) {
    case 'NoData':
      return { kind: 'nodata', value: NaN };
    case 'Alerting':
      return { kind: 'breach', value: lastValue };
    case 'OK':
      return { kind: 'ok', value: NaN };
    case 'KeepLast':
      return { kind: 'hold', value: lastValue };
  }
}

/** Maps a query error to a signal by the rule's errorState. */
export function errorSignal(rule: AlertRule, lastValue: number, message: string): Signal {
  switch (rule.errorState) {
    case 'Error':
      return { kind: 'error', value: NaN, message };
    case 'Alerting':
      return { kind: 'breach', value: lastValue };
    case 'OK':
      return { kind: 'ok', value: NaN };
    case 'KeepLast':
      return { kind: 'hold', value: lastValue };
  }
}

/** A fresh instance in state normal (not yet stored). */
export function normalInstance(
  ruleKey: string,
  seriesKey: string,
  seriesLabels: Labels,
  timeMs: number,
): InstanceState {
  return {
    ruleKey,
    seriesKey,
    seriesLabels,
    state: 'normal',
    activeAtMs: null,
    firedAtMs: null,
    recoveringSinceMs: null,
    lastEvalMs: timeMs,
    value: NaN,
    sampleCount: null,
    reason: null,
  };
}

function toNormal(prev: InstanceState, reason: string | null): InstanceState {
  return {
    ...prev,
    state: 'normal',
    activeAtMs: null,
    firedAtMs: null,
    recoveringSinceMs: null,
    reason,
  };
}

function onBreach(prev: InstanceState, rule: AlertRule, timeMs: number): InstanceState {
  switch (prev.state) {
    case 'firing':
      return prev;
    case 'recovering':
      return { ...prev, state: 'firing', recoveringSinceMs: null, reason: null };
    case 'pending': {
      const activeAtMs = prev.activeAtMs ?? timeMs;
      if (timeMs - activeAtMs < rule.forMs) return prev;
      return { ...prev, state: 'firing', firedAtMs: timeMs, reason: null };
    }
    default: {
      const firing = rule.forMs === 0;
      return {
        ...prev,
        state: firing ? 'firing' : 'pending',
        activeAtMs: timeMs,
        firedAtMs: firing ? timeMs : null,
        recoveringSinceMs: null,
        reason: null,
      };
    }
  }
}

function onRecovered(
  prev: InstanceState,
  rule: AlertRule,
  timeMs: number,
  reason: string | null,
): InstanceState {
  if (prev.state === 'firing') {
    if (rule.keepFiringForMs === 0) return toNormal(prev, reason);
    return { ...prev, state: 'recovering', recoveringSinceMs: timeMs, reason };
  }
  if (prev.state === 'recovering') {
    const since = prev.recoveringSinceMs ?? timeMs;
    return timeMs - since >= rule.keepFiringForMs ? toNormal(prev, reason) : prev;
  }
  return prev.state === 'normal' ? prev : toNormal(prev, reason);
}

/**
 * Applies one evaluation's signal to an instance at `timeMs` and returns the next state (the
 * same object when nothing changed except bookkeeping). Never throws.
 */
export function stepInstance(
  prev: InstanceState,
  signal: Signal,
  rule: AlertRule,
  timeMs: number,
): InstanceState {
  const current: InstanceState = {
    ...prev,
    lastEvalMs: timeMs,
    value: signal.kind === 'missing' ? prev.value : signal.value,
  };
  switch (signal.kind) {
    case 'hold':
      return current;
    case 'breach':
      return onBreach(current, rule, timeMs);
    case 'between':
      // Between the thresholds a firing series keeps firing (and a recovering one fires
      // again); anything not yet firing is simply not in breach.
      if (current.state === 'firing') return current;
      if (current.state === 'recovering') return onBreach(current, rule, timeMs);
      return onRecovered(current, rule, timeMs, null);
    case 'ok':
      return onRecovered(current, rule, timeMs, null);
    case 'missing':
      return onRecovered(current, rule, timeMs, 'MissingSeries');
    case 'nodata':
      if (current.state === 'nodata') return current;
      return { ...toNormal(current, 'NoData'), state: 'nodata', activeAtMs: timeMs };
    case 'error':
      if (current.state === 'error') return { ...current, reason: signal.message };
      return { ...toNormal(current, signal.message), state: 'error', activeAtMs: timeMs };
  }
}
