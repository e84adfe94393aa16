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
  return extrapolatedRateOf(ts, values, 0, values.length, window, isCounter, isRate);
}

/**
 * `extrapolatedRate` over samples `[from, to)` of whole-series arrays, so a range query can
 * compute each step's window in place instead of copying it. The caller has already left out
 * staleness markers (see `extrapolatedInPlace` in range-call.ts). `addResets` (default:
 * `isCounter`) false skips the counter-reset loop, for a caller that knows no sample in the
 * window is lower than the one before it (the loop would add nothing).
 */
export function extrapolatedRateOf(
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  from: number,
  to: number,
  window: Window,
  isCounter: boolean,
  isRate: boolean,
  addResets: boolean = isCounter,
): number | undefined {
  const count = to - from;
  if (count < 2) return undefined;

  const firstValue = values[from] as number;
  const firstMs = ts[from] as number;
  const lastMs = ts[to - 1] as number;
  let result = (values[to - 1] as number) - firstValue;
  if (addResets) {
    let prev = firstValue;
    for (let i = from + 1; i < to; i++) {
      const current = values[i] as number;
      if (current < prev) result += prev;
      prev = current;
    }
  }

  return extrapolateIncrease(result, count, firstValue, firstMs, lastMs, window, isCounter, isRate);
}

/**
 * The extrapolation step of `extrapolatedRate`, given the raw change over the window (`result`,
 * resets added back for counters), the sample count (at least 2), and the first sample's value
 * and time and the last sample's time. Shared with the rollup path so both round identically.
 */
export function extrapolateIncrease(
  result: number,
  count: number,
  firstValue: number,
  firstMs: number,
  lastMs: number,
  window: Window,
  isCounter: boolean,
  isRate: boolean,
): number {
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

/**
 * irate (`isRate`: per second, a drop counts as a counter reset) or idelta (plain difference)
 * between the last two samples. Undefined with fewer than 2 samples or equal timestamps.
 */
export function instantRate(samples: WindowSamples, isRate: boolean): number | undefined {
  const count = samples.values.length;
  if (count < 2) return undefined;
  const last = samples.values[count - 1] as number;
  const previous = samples.values[count - 2] as number;
  const intervalMs =
    (samples.timestampsMs[count - 1] as number) - (samples.timestampsMs[count - 2] as number);
  if (intervalMs === 0) return undefined;
  if (!isRate) return last - previous;
  const change = last < previous ? last : last - previous;
  return change / (intervalMs / 1000);
}

/** Least-squares slope and intercept of value over time, time in seconds from `originMs`. */
function linearRegression(samples: WindowSamples, originMs: number): [number, number] {
  const { timestampsMs: ts, values } = samples;
  const first = values[0] as number;
  if (values.every((v) => v === first)) return Number.isFinite(first) ? [0, first] : [NaN, NaN];
  const n = values.length;
  const sumX = { sum: 0, c: 0 };
  const sumY = { sum: 0, c: 0 };
  const sumXY = { sum: 0, c: 0 };
  const sumX2 = { sum: 0, c: 0 };
  for (let i = 0; i < n; i++) {
    const x = ((ts[i] as number) - originMs) / 1000;
    const y = values[i] as number;
    kahanAdd(sumX, x);
    kahanAdd(sumY, y);
    kahanAdd(sumXY, x * y);
    kahanAdd(sumX2, x * x);
  }
  const sx = sumX.sum + sumX.c;
  const sy = sumY.sum + sumY.c;
  const covXY = sumXY.sum + sumXY.c - (sx * sy) / n;
  const varX = sumX2.sum + sumX2.c - (sx * sx) / n;
  const slope = covXY / varX;
  return [slope, sy / n - (slope * sx) / n];
}

/** predict_linear: the regression line's value `seconds` after `atMs`; needs 2 samples. */
export function predictLinear(
  samples: WindowSamples,
  atMs: number,
  seconds: number,
): number | undefined {
  if (samples.values.length < 2) return undefined;
  const [slope, intercept] = linearRegression(samples, atMs);
  return slope * seconds + intercept;
}

/** The phi-quantile of `values` with linear interpolation (Prometheus's quantile). */
export function quantileOf(phi: number, input: readonly number[]): number | undefined {
  if (input.length === 0) return undefined;
  if (Number.isNaN(phi)) return NaN;
  if (phi < 0) return -Infinity;
  if (phi > 1) return Infinity;
  // NaN sorts first, as Go's sort.Float64s does.
  const values = [...input].sort((a, b) => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = phi * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return (values[lower] as number) * (1 - weight) + (values[upper] as number) * weight;
}

/** Population variance with Welford's method and compensated sums. */
export function varianceOf(values: readonly number[]): number {
  let count = 0;
  const mean = { sum: 0, c: 0 };
  const aux = { sum: 0, c: 0 };
  for (const v of values) {
    count++;
    const delta = v - (mean.sum + mean.c);
    kahanAdd(mean, delta / count);
    kahanAdd(aux, delta * (v - (mean.sum + mean.c)));
  }
  return (aux.sum + aux.c) / count;
}

/** Holt's double exponential smoothing of the values; undefined with fewer than 2. */
export function doubleExponentialSmoothing(
  values: readonly number[],
  smoothing: number,
  trend: number,
): number | undefined {
  if (values.length < 2) return undefined;
  let s0 = 0;
  let s1 = values[0] as number;
  let b = (values[1] as number) - s1;
  for (let i = 1; i < values.length; i++) {
    const x = smoothing * (values[i] as number);
    if (i > 1) b = trend * (s1 - s0) + (1 - trend) * b;
    s0 = s1;
    s1 = x + (1 - smoothing) * (s1 + b);
  }
  return s1;
}

function countChanges(values: readonly number[], resets: boolean): number {
  let count = 0;
  for (let i = 1; i < values.length; i++) {
    const prev = values[i - 1] as number;
    const current = values[i] as number;
    if (resets ? current < prev : current !== prev && !(current !== current && prev !== prev)) {
      count++;
    }
  }
  return count;
}

/** Evaluates one per-series range function by name; undefined for no result. */
export function overTime(func: string, samples: WindowSamples): number | undefined {
  const values = samples.values;
  const n = values.length;
  if (n === 0) return undefined;
  switch (func) {
    case 'count_over_time':
      return n;
    case 'sum_over_time':
      return kahanSum(values);
    case 'avg_over_time':
      return averageOf(values);
    case 'max_over_time':
      return values.reduce((max, v) => (v > max || Number.isNaN(max) ? v : max));
    case 'min_over_time':
      return values.reduce((min, v) => (v < min || Number.isNaN(min) ? v : min));
    case 'last_over_time':
      return values[n - 1];
    case 'first_over_time':
      return values[0];
    case 'ts_of_last_over_time':
      return (samples.timestampsMs[n - 1] as number) / 1000;
    case 'ts_of_first_over_time':
      return (samples.timestampsMs[0] as number) / 1000;
    case 'present_over_time':
      return 1;
    case 'stdvar_over_time':
      return varianceOf(values);
    case 'stddev_over_time':
      return Math.sqrt(varianceOf(values));
    case 'ts_of_max_over_time':
    case 'ts_of_min_over_time': {
      // The last sample holding the extreme value.
      const max = func === 'ts_of_max_over_time';
      let best = 0;
      for (let i = 1; i < n; i++) {
        const v = values[i] as number;
        const b = values[best] as number;
        if ((max ? v >= b : v <= b) || Number.isNaN(b)) best = i;
      }
      return (samples.timestampsMs[best] as number) / 1000;
    }
    case 'mad_over_time': {
      if (values.some((v) => Number.isNaN(v))) return NaN;
      const median = quantileOf(0.5, values) as number;
      return quantileOf(
        0.5,
        values.map((v) => Math.abs(v - median)),
      );
    }
    case 'changes':
      return countChanges(values, false);
    case 'resets':
      return countChanges(values, true);
    case 'deriv':
      return n < 2 ? undefined : linearRegression(samples, samples.timestampsMs[0] as number)[0];
    default:
      throw new Error(`range function ${func} has no implementation`);
  }
}

/** Mean of the values: compensated sum divided by count, incremental mean if the sum overflows. */
export function averageOf(values: number[]): number {
  const sum = kahanSum(values);
  if (Number.isFinite(sum) || values.some((v) => !Number.isFinite(v))) return sum / values.length;
  // The sum overflowed: scale the running mean instead, which never leaves the float range.
  let mean = 0;
  values.forEach((v, i) => {
    mean = mean * (i / (i + 1)) + v / (i + 1);
  });
  return mean;
}
