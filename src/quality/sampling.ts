/**
 * Sampling policy per component: which production requests get evaluated, so that every
 * criterion scores the same requests, low-traffic models still get judged, and judge spend
 * stays under a cap.
 */
import { createHash } from 'node:crypto';

/** Sampling policy of one component. */
export interface SamplingPolicy {
  /** Share of requests sampled, 0..1. */
  rate: number;
  /** Requests sampled per window regardless of `rate` (first come), so quiet models are judged. */
  minSamplesPerWindow: number;
  /** Length of the window for `minSamplesPerWindow`, in ms; windows are aligned to the epoch. */
  windowMs: number;
  /** Most judge spend per rolling hour, in dollars; no sample is taken that would exceed it. */
  maxJudgeSpendDollarsPerHour: number;
  /** Estimated judge cost of evaluating one sample (all criteria), in dollars. */
  estimatedCostDollarsPerSample: number;
}

/** Why a request was or was not sampled. */
export type SampleReason = 'rate' | 'minimum' | 'not_selected' | 'budget';

/** Sampler state for one component, for metrics and tests. */
export interface SamplerStats {
  windowRequests: number;
  windowSampled: number;
  /** Actual spend plus open reservations within the last hour, in dollars. */
  spendLastHourDollars: number;
}

/** The sampler returned by createSampler. */
export interface Sampler {
  /** Whether to evaluate `requestId` of `component`; reserves the estimated cost when true. */
  shouldSample(requestId: string, component: string): boolean;
  /** Like shouldSample, with the reason. */
  decide(requestId: string, component: string): { sampled: boolean; reason: SampleReason };
  /**
   * Records what evaluating `requestId` actually cost (dollars); it replaces the estimate
   * reserved by shouldSample. Spend for an unknown id is added as is.
   */
  recordSpend(requestId: string, component: string, dollars: number): void;
  stats(component: string): SamplerStats;
}

const HOUR_MS = 3_600_000;

/**
 * Maps a request id to [0, 1) by the first 32 bits of its SHA-256, so the same id always gets
 * the same value in every process.
 */
export function hashToUnit(requestId: string): number {
  return createHash('sha256').update(requestId).digest().readUInt32BE(0) / 2 ** 32;
}

interface Spend {
  atMs: number;
  dollars: number;
  requestId: string;
  reserved: boolean;
}

interface ComponentState {
  windowIndex: number;
  windowRequests: number;
  windowSampled: number;
  ledger: Spend[];
}

/**
 * A sampler. `policyFor(component)` gives each component's policy (call it with a lookup over
 * the configuration); `clockMs()` gives the time in Unix ms. A request is sampled when its
 * hash is below `rate` ("rate"), or when fewer than minSamplesPerWindow were sampled in the
 * current window ("minimum"), unless the spend of the last hour plus the estimate would pass
 * the cap ("budget").
 * Limitation: the minimum tops up with the first requests of each window, so which requests
 * fill it depends on arrival order, not only on the request id; state is in memory and
 * restarts empty.
 */
export function createSampler(
  policyFor: (component: string) => SamplingPolicy,
  clockMs: () => number,
): Sampler {
  const states = new Map<string, ComponentState>();

  const stateOf = (component: string, nowMs: number): ComponentState => {
    const windowIndex = Math.floor(nowMs / policyFor(component).windowMs);
    let state = states.get(component);
    if (state === undefined) {
      state = { windowIndex, windowRequests: 0, windowSampled: 0, ledger: [] };
      states.set(component, state);
    }
    if (state.windowIndex !== windowIndex) {
      state.windowIndex = windowIndex;
      state.windowRequests = 0;
      state.windowSampled = 0;
    }
    state.ledger = state.ledger.filter((s) => s.atMs > nowMs - HOUR_MS);
    return state;
  };

  const spendOf = (state: ComponentState): number =>
    state.ledger.reduce((sum, s) => sum + s.dollars, 0);

  const decide = (requestId: string, component: string) => {
    const nowMs = clockMs();
    const policy = policyFor(component);
    const state = stateOf(component, nowMs);
    state.windowRequests += 1;

    let reason: SampleReason = 'not_selected';
    if (hashToUnit(requestId) < policy.rate) reason = 'rate';
    else if (state.windowSampled < policy.minSamplesPerWindow) reason = 'minimum';
    if (reason === 'not_selected') return { sampled: false, reason };

    const estimate = policy.estimatedCostDollarsPerSample;
    if (spendOf(state) + estimate > policy.maxJudgeSpendDollarsPerHour + 1e-12) {
      return { sampled: false, reason: 'budget' as const };
    }
    state.windowSampled += 1;
    state.ledger.push({ atMs: nowMs, dollars: estimate, requestId, reserved: true });
    return { sampled: true, reason };
  };

  return {
    decide,
    shouldSample: (requestId, component) => decide(requestId, component).sampled,
    recordSpend(requestId, component, dollars) {
      const nowMs = clockMs();
      const state = stateOf(component, nowMs);
      const reservation = state.ledger.find((s) => s.reserved && s.requestId === requestId);
      if (reservation !== undefined) {
        reservation.dollars = dollars;
        reservation.reserved = false;
      } else {
        state.ledger.push({ atMs: nowMs, dollars, requestId, reserved: false });
      }
    },
    stats(component) {
      const state = stateOf(component, clockMs());
      return {
        windowRequests: state.windowRequests,
        windowSampled: state.windowSampled,
        spendLastHourDollars: spendOf(state),
      };
    },
  };
}
