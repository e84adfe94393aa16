/**
 * A deterministic LLM serving fleet for the TSDB comparison (bench/tsdb-compare.ts): the series
 * the issue describes, with values shaped like real ones.
 *
 * Per copy (component × copy): `llm_requests_total` by status_class (2xx, 4xx, 5xx),
 * `llm_request_duration_seconds` and `llm_time_to_first_token_seconds` classic histograms with
 * 14 finite buckets + `+Inf` (15 `le` values) plus `_sum` and `_count`, `llm_input_tokens_total`
 * and `llm_output_tokens_total` (source="gateway"); `llm_requests_running`,
 * `llm_requests_waiting` and `llm_kv_cache_usage_ratio` (source="engine"). That is 42 series.
 * Per GPU: `gpu_utilization_ratio`, `gpu_memory_used_bytes`, `gpu_power_watts` (source="agent"),
 * each GPU attributed to a copy.
 *
 * Values: request arrivals vary by copy and drift through the day; histogram buckets are
 * cumulative counts of lognormal-ish latencies; sums are full-precision floats; gauges are
 * integers (running, waiting, memory in MiB), two-decimal watts (as nvidia-smi prints),
 * whole-percent utilisation and a full-precision KV-cache ratio. The same options always give
 * the same series and values.
 */
import type { Labels, Sample } from '../src/store/types.js';

/** Scrape interval of every series, ms. */
export const FLEET_STEP_MS = 15_000;

/** Upper bounds of the latency histograms, seconds (14 finite + "+Inf"). */
const LE = [
  ...['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2', '5', '10', '20'],
  ...['30', '60', '+Inf'],
];

/** Shape of the generated fleet. */
export interface FleetOptions {
  /** Components (model deployments); the fleet has 20. */
  components: number;
  /** Copies per component; the fleet has 8. */
  copiesPerComponent: number;
  /** GPUs in the fleet; the fleet has 64. */
  gpus: number;
  /** PRNG seed. Default 1. */
  seed?: number;
}

/** The fleet: its label sets and a generator of one scrape's values. */
export interface Fleet {
  labels: Labels[];
  /** Writes the values of scrape number `step` (0, 1, ...; call in order) into `out`. */
  next(out: Float64Array): void;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Share of requests at or under `le` seconds for a lognormal-ish latency with median `m`. */
function cdf(le: number, median: number): number {
  if (!Number.isFinite(le)) return 1;
  const z = Math.log(le / median) / 0.8;
  return 1 / (1 + Math.exp(-1.7 * z));
}

/** Builds the fleet described in the file comment. */
export function createFleet(opts: FleetOptions): Fleet {
  const rand = mulberry32(opts.seed ?? 1);
  const labels: Labels[] = [];
  const copies: Array<{ base: number; rate: number; median: number; ttft: number }> = [];
  for (let c = 0; c < opts.components; c++) {
    const component = `component-${String(c).padStart(2, '0')}`;
    const model = `Model-${c % 7}-${[7, 8, 13, 70][c % 4]}B-Instruct`;
    for (let k = 0; k < opts.copiesPerComponent; k++) {
      const base = labels.length;
      const common = { component, copy: `copy-${k}`, model, endpoint: `endpoint-${c % 3}` };
      const gw = { ...common, source: 'gateway' };
      for (const status of ['2xx', '4xx', '5xx'])
        labels.push({ __name__: 'llm_requests_total', ...gw, status_class: status });
      for (const name of ['llm_request_duration_seconds', 'llm_time_to_first_token_seconds']) {
        for (const le of LE) labels.push({ __name__: `${name}_bucket`, ...gw, le });
        labels.push({ __name__: `${name}_sum`, ...gw }, { __name__: `${name}_count`, ...gw });
      }
      labels.push({ __name__: 'llm_input_tokens_total', ...gw });
      labels.push({ __name__: 'llm_output_tokens_total', ...gw });
      const engine = { ...common, source: 'engine' };
      for (const name of ['llm_requests_running', 'llm_requests_waiting'])
        labels.push({ __name__: name, ...engine });
      labels.push({ __name__: 'llm_kv_cache_usage_ratio', ...engine });
      copies.push({ base, rate: 1 + rand() * 6, median: 0.5 + rand() * 3, ttft: 0.05 + rand() });
    }
  }
  const gpuBase = labels.length;
  const copyCount = opts.components * opts.copiesPerComponent;
  for (let g = 0; g < opts.gpus; g++) {
    const copyIndex = g % Math.max(1, copyCount);
    const owner = labels[(copies[copyIndex]?.base ?? 0) + 3] ?? {};
    const gpuLabels = {
      instance: `gpu-host-${Math.floor(g / 8)}`,
      gpu: String(g % 8),
      gpu_uuid: `GPU-${(0x1000 + g).toString(16)}-bench`,
      gpu_model: 'NVIDIA A100-SXM4-80GB',
      component: owner.component ?? '',
      copy: owner.copy ?? '',
      source: 'agent',
    };
    for (const name of ['gpu_utilization_ratio', 'gpu_memory_used_bytes', 'gpu_power_watts'])
      labels.push({ __name__: name, ...gpuLabels });
  }

  const counters = new Float64Array(labels.length);
  let step = 0;
  const next = (out: Float64Array): void => {
    const daily = 1 + 0.5 * Math.sin((step / 5760) * 2 * Math.PI);
    for (const copy of copies) {
      const requests = Math.round(copy.rate * 15 * daily * (0.7 + 0.6 * rand()));
      const errors4 = rand() < 0.2 ? 1 : 0;
      const errors5 = rand() < 0.03 ? 1 : 0;
      const i = copy.base;
      counters[i] = (counters[i] as number) + requests - errors4 - errors5;
      counters[i + 1] = (counters[i + 1] as number) + errors4;
      counters[i + 2] = (counters[i + 2] as number) + errors5;
      let pos = i + 3;
      for (const median of [copy.median, copy.ttft]) {
        const m = median * (0.8 + 0.4 * rand());
        for (const le of LE) {
          counters[pos] = (counters[pos] as number) + Math.round(requests * cdf(Number(le), m));
          pos++;
        }
        counters[pos] = (counters[pos] as number) + requests * m * (0.9 + 0.2 * rand());
        counters[pos + 1] = (counters[pos + 1] as number) + requests;
        pos += 2;
      }
      counters[pos] = (counters[pos] as number) + requests * Math.round(300 + rand() * 900);
      counters[pos + 1] = (counters[pos + 1] as number) + requests * Math.round(80 + rand() * 300);
      for (let j = i; j < pos + 2; j++) out[j] = counters[j] as number;
      const running = Math.min(32, Math.round(copy.rate * copy.median * daily * rand() * 2));
      out[pos + 2] = running;
      out[pos + 3] = running === 32 ? Math.round(rand() * 10) : 0;
      out[pos + 4] = Math.min(1, running / 40 + rand() * 0.05);
    }
    for (let g = gpuBase; g < labels.length; g += 3) {
      out[g] = Math.round(40 + rand() * 60) / 100;
      out[g + 1] = Math.round(60_000 + rand() * 16_000) * 1_048_576;
      out[g + 2] = Math.round((150 + rand() * 250) * 100) / 100;
    }
    step++;
  };
  return { labels, next };
}

/**
 * The fleet's next scrape as one append batch at `timestampMs` (`values` is scratch of
 * fleet.labels.length, reused between calls).
 */
export function nextFleetBatch(fleet: Fleet, values: Float64Array, timestampMs: number): Sample[] {
  fleet.next(values);
  return fleet.labels.map((labels, i) => ({ labels, timestampMs, value: values[i] as number }));
}
