/**
 * Deterministic, realistic LLM serving metrics for comparison tests: the gateway's counters and
 * classic histograms and the engines' gauges for several components and copies, sampled every
 * 15 s, with counter resets (restarts), gaps longer than the 5 m lookback, copies that start late
 * or stop early, status classes that first appear mid-run (created at 0, as the metric contract
 * says), staleness markers where scraped series end, and an incident that raises the 5xx ratio.
 * The same seed always gives the same series, values and timestamps.
 *
 * Every timestamp is `startMs + k * 15 s + an offset of a few hundred ms` that is never a whole
 * or half second (ms part in 101..499 or 601..999): query times and window edges in the diff
 * test fall on whole or half seconds, so no sample ever sits exactly on a window edge.
 */
import type { Labels } from '../../src/store/types.js';

/** One series with its samples in time order (the remote-write codec's input shape). */
export interface GeneratedSeries {
  labels: Labels;
  samples: { timestampMs: number; value: number }[];
}

/** Options of `generateLlmSeries`. */
export interface GenerateOptions {
  /** PRNG seed (any 32-bit integer). */
  seed: number;
  /** Time of the first scrape interval, Unix ms; should be a whole second. */
  startMs: number;
  /** Number of 15 s intervals to generate (600 = 2.5 h). */
  intervals: number;
  /**
   * Write Prometheus staleness markers into the engine (scraped) series when their copy stops,
   * goes away for a while, or its scrapes fail, as a scraping Prometheus does. Default true.
   * Gateway series never get them (llmwatch records those itself), so both endings are covered.
   */
  staleMarkers?: boolean;
}

/** Request-duration buckets, seconds, as Prometheus Go clients format `le`. */
export const DURATION_BUCKETS = ['0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60', '+Inf'];
/** Time-to-first-token buckets, seconds. */
export const TTFT_BUCKETS = ['0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

const INTERVAL_MS = 15_000;

/** Prometheus's staleness marker: the NaN with bits 0x7ff0000000000002. */
export const STALE_NAN = Buffer.from('7ff0000000000002', 'hex').readDoubleBE(0);

interface CopySpec {
  component: string;
  model: string;
  copy: string;
  /** Requests per second at the daily mean. */
  ratePerSecond: number;
  /** Median end-to-end latency, seconds. */
  medianLatencySeconds: number;
  /** Lifetime segments as fractions of the run, [from, to); a new segment restarts counters. */
  segments: [number, number][];
  /** Engine scrapes failing (no engine gauges) as fractions of the run. */
  scrapeGap?: [number, number];
}

const COPIES: CopySpec[] = [
  spec('chat', 'Qwen2.5-7B-Instruct', 'chat-0', 6, 2.2, [[0, 1]]),
  spec('chat', 'Qwen2.5-7B-Instruct', 'chat-1', 5, 2.0, [
    [0, 0.4],
    [0.4, 1],
  ]),
  spec('chat', 'Qwen2.5-7B-Instruct', 'chat-2', 4, 2.4, [
    [0, 0.55],
    [0.62, 1],
  ]),
  spec('code', 'Qwen2.5-Coder-7B', 'code-0', 3, 4.5, [[0, 1]], [0.7, 0.75]),
  spec('code', 'Qwen2.5-Coder-7B', 'code-1', 2.5, 4.0, [[0.3, 1]]),
  spec('embed', 'bge-m3', 'embed-0', 12, 0.08, [[0, 0.75]]),
  spec('embed', 'bge-m3', 'embed-1', 10, 0.09, [[0, 1]]),
];

function spec(
  component: string,
  model: string,
  copy: string,
  ratePerSecond: number,
  medianLatencySeconds: number,
  segments: [number, number][],
  scrapeGap?: [number, number],
): CopySpec {
  return { component, model, copy, ratePerSecond, medianLatencySeconds, segments, scrapeGap };
}

/** mulberry32: a small, fast, seedable 32-bit PRNG; returns floats in [0, 1). */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function poisson(random: () => number, mean: number): number {
  // Normal approximation is plenty for means of tens to hundreds.
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
}

/** A ms offset within a second that is never 0 or 500 (see the file comment). */
function safeOffsetMs(random: () => number): number {
  const ms = 101 + Math.floor(random() * 399);
  return random() < 0.5 ? ms : ms + 500;
}

/** Collects samples per label set, keeping first-seen order. */
class SeriesSink {
  readonly byKey = new Map<string, GeneratedSeries>();

  add(labels: Labels, timestampMs: number, value: number): void {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    let series = this.byKey.get(key);
    if (!series) {
      series = { labels, samples: [] };
      this.byKey.set(key, series);
    }
    series.samples.push({ timestampMs, value });
  }
}

/** Cumulative state of one copy's gateway counters; reset at each restart. */
interface CopyCounters {
  requests: Map<string, number>;
  /** Status classes whose series already exist in this lifetime. */
  created: Set<string>;
  inputTokens: number;
  outputTokens: number;
  duration: { buckets: number[]; sum: number; count: number };
  ttft: { buckets: number[]; sum: number; count: number };
}

function freshCounters(): CopyCounters {
  return {
    requests: new Map([
      ['2xx', 0],
      ['4xx', 0],
    ]),
    created: new Set(['2xx', '4xx']),
    inputTokens: 0,
    outputTokens: 0,
    duration: { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 },
    ttft: { buckets: TTFT_BUCKETS.map(() => 0), sum: 0, count: 0 },
  };
}

function observe(
  hist: { buckets: number[]; sum: number; count: number },
  bounds: string[],
  value: number,
) {
  hist.sum += value;
  hist.count += 1;
  bounds.forEach((le, i) => {
    // Number('+Inf') is NaN in JavaScript, so the +Inf bound is spelled out.
    if (le === '+Inf' || value <= Number(le)) hist.buckets[i]! += 1;
  });
}

/** Generates the whole data set; see the file comment. Deterministic for a given `opts`. */
export function generateLlmSeries(opts: GenerateOptions): GeneratedSeries[] {
  const random = createRandom(opts.seed);
  const sink = new SeriesSink();
  for (const copy of COPIES) generateCopy(copy, opts, random, sink);
  return [...sink.byKey.values()];
}

function generateCopy(
  copy: CopySpec,
  opts: GenerateOptions,
  random: () => number,
  sink: SeriesSink,
): void {
  const gatewayOffsetMs = safeOffsetMs(random);
  const engineOffsetMs = 4000 + safeOffsetMs(random);
  const phase = random() * 2 * Math.PI;
  const base = { component: copy.component, copy: copy.copy, endpoint: 'prod' };
  const gateway = { ...base, model: copy.model, source: 'gateway' };
  const engine = { ...base, source: 'engine' };
  const capacity = Math.ceil(copy.ratePerSecond * copy.medianLatencySeconds * 1.3);
  const mu = Math.log(copy.medianLatencySeconds);

  const engineNames = ['llm_requests_running', 'llm_requests_waiting', 'llm_kv_cache_usage_ratio'];
  // A scrape that finds the target gone writes a staleness marker into each of its series.
  const writeStale = (te: number): void => {
    for (const name of engineNames) sink.add({ __name__: name, ...engine }, te, STALE_NAN);
  };

  copy.segments.forEach(([from, to], segment) => {
    const first = Math.round(from * opts.intervals);
    const last = Math.round(to * opts.intervals);
    const next = copy.segments[segment + 1];
    const counters = freshCounters();
    let engineStale = false;
    for (let k = first; k < last; k++) {
      const fraction = k / opts.intervals;
      const t = opts.startMs + k * INTERVAL_MS + gatewayOffsetMs;
      const load = 1 + 0.5 * Math.sin((2 * Math.PI * k) / 240 + phase);
      const n = k === first ? 0 : poisson(random, copy.ratePerSecond * load * 15);
      const incident = copy.component === 'chat' && fraction > 0.45 && fraction < 0.5;
      for (let r = 0; r < n; r++) {
        const u = random();
        const status =
          u < (incident ? 0.08 : 0.004) ? '5xx' : u < 0.012 ? 'error' : u < 0.03 ? '4xx' : '2xx';
        counters.requests.set(status, (counters.requests.get(status) ?? 0) + 1);
        const latency = Math.exp(mu + 0.6 * normal(random)) * (incident ? 1.8 : 1);
        observe(counters.duration, DURATION_BUCKETS, latency);
        observe(counters.ttft, TTFT_BUCKETS, latency * (0.05 + 0.1 * random()));
        counters.inputTokens += Math.round(Math.exp(6 + normal(random)));
        counters.outputTokens += Math.round(Math.exp(5 + 0.7 * normal(random)));
      }
      const outstanding = Math.max(
        0,
        Math.round(copy.ratePerSecond * load * 0.3 * (1 + normal(random))),
      );
      writeGateway(sink, gateway, t, counters, outstanding);

      const inScrapeGap =
        copy.scrapeGap && fraction >= copy.scrapeGap[0] && fraction < copy.scrapeGap[1];
      const te = t + engineOffsetMs;
      if (inScrapeGap) {
        if (!engineStale && opts.staleMarkers !== false) writeStale(te);
        engineStale = true;
        continue;
      }
      engineStale = false;
      const running = Math.max(
        0,
        Math.round(copy.ratePerSecond * load * copy.medianLatencySeconds + 2 * normal(random)),
      );
      const waiting = Math.max(0, running - capacity + Math.round(3 * random()));
      const kv = Math.min(1, Math.max(0, (running / capacity) * 0.85 + 0.05 * normal(random)));
      sink.add({ __name__: 'llm_requests_running', ...engine }, te, running);
      sink.add({ __name__: 'llm_requests_waiting', ...engine }, te, waiting);
      sink.add({ __name__: 'llm_kv_cache_usage_ratio', ...engine }, te, kv);
    }
    const stopped = last < opts.intervals && (!next || Math.round(next[0] * opts.intervals) > last);
    if (opts.staleMarkers !== false && stopped && !engineStale) {
      writeStale(opts.startMs + last * INTERVAL_MS + gatewayOffsetMs + engineOffsetMs);
    }
  });
}

function writeGateway(
  sink: SeriesSink,
  gateway: Labels,
  t: number,
  c: CopyCounters,
  outstanding: number,
): void {
  for (const [status, count] of c.requests) {
    const labels = { __name__: 'llm_requests_total', ...gateway, status_class: status };
    // A status class seen for the first time is created at 0 just before (metric contract).
    if (!c.created.has(status)) sink.add(labels, t - 5000, 0);
    c.created.add(status);
    sink.add(labels, t, count);
  }
  sink.add({ __name__: 'llm_input_tokens_total', ...gateway }, t, c.inputTokens);
  sink.add({ __name__: 'llm_output_tokens_total', ...gateway }, t, c.outputTokens);
  const histograms = [
    ['llm_request_duration_seconds', DURATION_BUCKETS, c.duration],
    ['llm_time_to_first_token_seconds', TTFT_BUCKETS, c.ttft],
  ] as const;
  for (const [name, bounds, hist] of histograms) {
    bounds.forEach((le, i) =>
      sink.add({ __name__: `${name}_bucket`, ...gateway, le }, t, hist.buckets[i]!),
    );
    sink.add({ __name__: `${name}_sum`, ...gateway }, t, hist.sum);
    sink.add({ __name__: `${name}_count`, ...gateway }, t, hist.count);
  }
  const gauge = {
    __name__: 'llmwatch_gateway_outstanding_requests',
    component: gateway.component!,
    copy: gateway.copy!,
  };
  sink.add(gauge, t, outstanding);
}
