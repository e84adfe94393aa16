/**
 * A generated 3-day series set for tests and benchmarks of the rollup path: integer and float
 * counters with resets, integer and float gauges, a gap closed by a staleness marker, and
 * series scraped exactly on 5-minute boundaries (as a scraper aligned to the clock does): two
 * counters with resets on a boundary sample and just after one, and a gauge with plain NaNs on
 * boundaries and a gap whose staleness marker sits on an hour boundary.
 * Deterministic (seeded PRNG); samples every 15 s, 7 s past the boundaries unless aligned.
 */
import type { MetricStore, Sample } from '../store/types.js';

/** Start of the set: 2024-01-01T00:00:00Z, ms. */
export const FIXTURE_START_MS = Date.UTC(2024, 0, 1);

/** Length of the set, ms (3 days). */
export const FIXTURE_SPAN_MS = 3 * 86_400_000;

/** Sample interval, ms. */
export const FIXTURE_INTERVAL_MS = 15_000;

/** Prometheus's staleness marker (NaN with payload 2). */
export const STALE_NAN = new Float64Array(
  new BigUint64Array([0x7ff0000000000002n]).buffer,
)[0] as number;

/** Mulberry32: a small seeded PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface SeriesSpec {
  labels: Record<string, string>;
  kind: 'counter' | 'floatCounter' | 'gauge' | 'floatGauge';
  /** Milliseconds past each interval start (7000 unless aligned). */
  phaseMs: number;
  /** [from, to) hours of the set with no samples; a staleness marker opens the gap. */
  gapHours?: [number, number];
  /** Clock-aligned edge cases: counter resets on and next to hour boundaries, NaN gauges. */
  edges?: boolean;
}

function specs(): SeriesSpec[] {
  const out: SeriesSpec[] = [];
  for (let i = 0; i < 4; i++) {
    const gap: [number, number] | undefined = i === 3 ? [30, 33] : undefined;
    out.push({
      labels: { __name__: 'req_total', job: i < 2 ? 'a' : 'b', instance: `i${i}` },
      kind: 'counter',
      phaseMs: 7000,
      gapHours: gap,
    });
  }
  for (let i = 0; i < 2; i++) {
    out.push({
      labels: { __name__: 'cost_total', instance: `i${i}` },
      kind: 'floatCounter',
      phaseMs: 7000,
    });
  }
  for (let i = 0; i < 3; i++) {
    const gap: [number, number] | undefined = i === 1 ? [40, 42] : undefined;
    out.push({
      labels: { __name__: 'queue', instance: `i${i}` },
      kind: 'gauge',
      phaseMs: 7000,
      gapHours: gap,
    });
    out.push({
      labels: { __name__: 'util', instance: `i${i}` },
      kind: 'floatGauge',
      phaseMs: 7000,
    });
  }
  out.push({ labels: { __name__: 'aligned_total', instance: 'i0' }, kind: 'counter', phaseMs: 0 });
  out.push({
    labels: { __name__: 'aligned_total', instance: 'i1' },
    kind: 'counter',
    phaseMs: 0,
    edges: true,
  });
  out.push({
    labels: { __name__: 'aligned_queue', instance: 'i0' },
    kind: 'gauge',
    phaseMs: 0,
    gapHours: [20, 22],
    edges: true,
  });
  return out;
}

/** Generates every sample of the set, ordered by time. */
export function generateFixture(seed = 42): Sample[] {
  const rand = prng(seed);
  const all = specs();
  const state = all.map(() => 0);
  const out: Sample[] = [];
  const steps = FIXTURE_SPAN_MS / FIXTURE_INTERVAL_MS;
  for (let step = 0; step < steps; step++) {
    all.forEach((spec, k) => {
      const timestampMs = FIXTURE_START_MS + step * FIXTURE_INTERVAL_MS + spec.phaseMs;
      const hour = (timestampMs - FIXTURE_START_MS) / 3_600_000;
      if (spec.gapHours && hour >= spec.gapHours[0] && hour < spec.gapHours[1]) {
        const first = hour - FIXTURE_INTERVAL_MS / 3_600_000 < spec.gapHours[0];
        if (first) out.push({ labels: spec.labels, timestampMs, value: STALE_NAN });
        return;
      }
      let value: number;
      const intoHourMs = (timestampMs - FIXTURE_START_MS) % 3_600_000;
      const odd = Math.floor(hour) % 2 === 1;
      switch (spec.kind) {
        case 'counter':
          state[k] = rand() < 0.0005 ? 0 : (state[k] as number) + Math.floor(rand() * 6);
          // Resets on an hour boundary (odd hours) and on the sample after one (even hours).
          if (spec.edges && intoHourMs === (odd ? 0 : FIXTURE_INTERVAL_MS)) state[k] = 1;
          value = state[k] as number;
          break;
        case 'floatCounter':
          state[k] = rand() < 0.0005 ? rand() : (state[k] as number) + rand() * 0.37;
          value = state[k] as number;
          break;
        case 'gauge':
          value = Math.floor(rand() * 50);
          // A plain NaN on every 5th hour boundary.
          if (spec.edges && intoHourMs === 0 && Math.floor(hour) % 5 === 0) value = Number.NaN;
          break;
        case 'floatGauge':
          value = rand();
          break;
      }
      out.push({ labels: spec.labels, timestampMs, value });
    });
  }
  return out;
}

/** Appends the set to `store` in one-hour batches. */
export async function loadFixture(store: MetricStore, samples: readonly Sample[]): Promise<void> {
  const batchSize = 240 * specs().length;
  for (let i = 0; i < samples.length; i += batchSize) {
    await store.append(samples.slice(i, i + batchSize));
  }
}
