/**
 * Functions over range vectors (one series' samples in a window), following Prometheus 3:
 * rate/increase/delta extrapolation, irate, and the *_over_time family.
 */

/** The samples of one series inside a left-open window `(endMs - rangeMs, endMs]`. */
export interface WindowSamples {
  timestampsMs: number[];
  values: number[];
}

/** The window the samples were selected from; rate divides by `rangeMs`. */
export interface Window {
  startMs: number;
  endMs: number;
  rangeMs: number;
}

/** Adds `inc` to a Kahan-Neumaier compensated sum, as Prometheus does for sums and averages. */
export function kahanAdd(state: { sum: number; c: number }, inc: number): void {
  const t = state.sum + inc;
  if (!Number.isFinite(t)) {
    state.c = 0;
  } else if (Math.abs(state.sum) >= Math.abs(inc)) {
    state.c += state.sum - t + inc;
  } else {
    state.c += inc - t + state.sum;
  }
  state.sum = t;
}

function kahanSum(values: number[]): number {
  const state = { sum: 0, c: 0 };
  for (const v of values) kahanAdd(state, v);
  return Number.isFinite(state.sum) ? state.sum + state.c : state.sum;
}

/**
 * Prometheus's extrapolated rate: the change across the window (counter resets added back when
 * `isCounter`), extrapolated to the window edges when the first/last sample is within 1.1× the
 * average sample interval of the edge, else by half an interval; a counter is never extrapolated
 * below zero. Divided by the range in seconds when `isRate`. Undefined with fewer than 2 samples.
 */
export function extrapolatedRate(
  samples: WindowSamples,
  window: Window,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  const { timestampsMs: ts, values } = samples;
  const count = values.length;
  if (count < 2) return undefined;

  const firstValue = values[0] as number;
  const firstMs = ts[0] as number;
  const lastMs = ts[count - 1] as number;
  let result = (values[count - 1] as number) - firstValue;
  if (isCounter) {
    let prev = firstValue;
    for (let i = 1; i < count; i++) {
      const current = values[i] as number;
      if (current < prev) result += prev;
      prev = current;
    }
  }

  let durationToStartSeconds = (firstMs - window.startMs) / 1000;
  let durationToEndSeconds = (window.endMs - lastMs) / 1000;
  const sampledIntervalSeconds = (lastMs - firstMs) / 1000;
  const averageIntervalSeconds = sampledIntervalSeconds / (count - 1);
  const thresholdSeconds = averageIntervalSeconds * 1.1;

  if (durationToStartSeconds >= thresholdSeconds) {
    durationToStartSeconds = averageIntervalSeconds / 2;
  }
  if (isCounter && result > 0 && firstValue >= 0) {
    const durationToZeroSeconds = sampledIntervalSeconds * (firstValue / result);
    if (durationToZeroSeconds < durationToStartSeconds) {
      durationToStartSeconds = durationToZeroSeconds;
    }
  }
  if (durationToEndSeconds >= thresholdSeconds) {
    durationToEndSeconds = averageIntervalSeconds / 2;
  }

  let factor =
    (sampledIntervalSeconds + durationToStartSeconds + durationToEndSeconds) /
    sampledIntervalSeconds;
  if (isRate) factor /= window.rangeMs / 1000;
  return result * factor;
}

/** Per-second rate between the last two samples (a drop counts as a reset). */
export function instantRate(samples: WindowSamples): number | undefined {
  const count = samples.values.length;
  if (count < 2) return undefined;
  const last = samples.values[count - 1] as number;
  const previous = samples.values[count - 2] as number;
  const intervalMs =
    (samples.timestampsMs[count - 1] as number) - (samples.timestampsMs[count - 2] as number);
  if (intervalMs === 0) return undefined;
  const change = last < previous ? last : last - previous;
  return change / (intervalMs / 1000);
}

/** Evaluates one *_over_time function; undefined for an empty window. */
export function overTime(func: string, samples: WindowSamples): number | undefined {
  const values = samples.values;
  if (values.length === 0) return undefined;
  switch (func) {
    case 'count_over_time':
      return values.length;
    case 'sum_over_time':
      return kahanSum(values);
    case 'avg_over_time':
      return averageOf(values);
    case 'max_over_time':
      return values.reduce((max, v) => (v > max || Number.isNaN(max) ? v : max));
    case 'min_over_time':
      return values.reduce((min, v) => (v < min || Number.isNaN(min) ? v : min));
    default:
      return undefined;
  }
}

/** Mean of the values: compensated sum divided by count, incremental mean if the sum overflows. */
export function averageOf(values: number[]): number {
  const sum = kahanSum(values);
  if (Number.isFinite(sum) || values.some((v) => !Number.isFinite(v))) return sum / values.length;
  let mean = 0;
  values.forEach((v, i) => {
    mean += (v - mean) / (i + 1);
  });
  return mean;
}
