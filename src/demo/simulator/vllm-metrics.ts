/**
 * vLLM-style Prometheus metrics kept by the simulator, rendered as text exposition format 0.0.4
 * the way vLLM's Python client prints them (values like `5.0`, `le="1.0"`, labels sorted by name).
 *
 * Two styles: `v1` (V1 engine: labels `engine="0"` and `model_name`, `kv_cache_usage_perc`,
 * `inter_token_latency_seconds`, long bucket lists) and `v0` (label `model_name` only,
 * `gpu_cache_usage_perc`, `time_per_output_token_seconds`, the shorter V0 bucket lists).
 * Limitation: no `_created` samples and no python_/process_/http_ families are exported.
 */

/** Which generation of vLLM metric names and labels to imitate. */
export type MetricsStyle = 'v1' | 'v0';

const TTFT_BUCKETS_V1 = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
  160, 640, 2560,
];
const TTFT_BUCKETS_V0 = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
const ITL_BUCKETS_V1 = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80,
];
const ITL_BUCKETS_V0 = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];
const E2E_BUCKETS_V1 = [
  0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680,
];
const E2E_BUCKETS_V0 = [1, 2.5, 5, 10, 15, 20, 30, 40, 50, 60];

/** Finished reasons vLLM counts; all are exported from the start with value 0. */
export const FINISHED_REASONS = ['stop', 'length', 'abort'] as const;
/** One of FINISHED_REASONS. */
export type FinishedReason = (typeof FINISHED_REASONS)[number];

/** Formats a number as Python's `repr(float)` does (`5.0`, `0.25`, `1e-05`, `+Inf`). */
export function formatPythonFloat(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e16) return value.toFixed(1);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mantissa, exponent = '0'] = value.toExponential().split('e');
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

/** A classic cumulative histogram with fixed upper bounds (seconds or tokens). */
export class Histogram {
  readonly upperBounds: readonly number[];
  private readonly bucketCounts: number[];
  sum = 0;
  count = 0;

  constructor(upperBounds: readonly number[]) {
    this.upperBounds = upperBounds;
    this.bucketCounts = upperBounds.map(() => 0);
  }

  /** Records one observation; NaN is ignored. */
  observe(value: number): void {
    if (Number.isNaN(value)) return;
    this.sum += value;
    this.count += 1;
    const index = this.upperBounds.findIndex((bound) => value <= bound);
    if (index >= 0) this.bucketCounts[index] = (this.bucketCounts[index] ?? 0) + 1;
  }

  /** Cumulative counts per bound, ending with the +Inf bucket (= count). */
  cumulative(): number[] {
    let running = 0;
    const out = this.bucketCounts.map((n) => (running += n));
    out.push(this.count);
    return out;
  }
}

/** Gauge values read from the engine at render time. */
export interface EngineGauges {
  running: number;
  waiting: number;
  /** KV-cache usage as a fraction 0..1. */
  kvCacheUsageRatio: number;
}

/** Counters and histograms of one simulated vLLM engine. */
export class VllmMetrics {
  readonly style: MetricsStyle;
  readonly modelName: string;
  promptTokensTotal = 0;
  generationTokensTotal = 0;
  readonly successTotal = new Map<FinishedReason, number>(FINISHED_REASONS.map((r) => [r, 0]));
  readonly timeToFirstToken: Histogram;
  readonly interToken: Histogram;
  readonly e2eLatency: Histogram;
  readonly queueTime: Histogram;

  constructor(style: MetricsStyle, modelName: string) {
    this.style = style;
    this.modelName = modelName;
    const v1 = style === 'v1';
    this.timeToFirstToken = new Histogram(v1 ? TTFT_BUCKETS_V1 : TTFT_BUCKETS_V0);
    this.interToken = new Histogram(v1 ? ITL_BUCKETS_V1 : ITL_BUCKETS_V0);
    this.e2eLatency = new Histogram(v1 ? E2E_BUCKETS_V1 : E2E_BUCKETS_V0);
    this.queueTime = new Histogram(E2E_BUCKETS_V1);
  }

  /** Counts one finished request. */
  recordFinished(reason: FinishedReason): void {
    this.successTotal.set(reason, (this.successTotal.get(reason) ?? 0) + 1);
  }

  /** Renders the whole exposition text, ending with a newline. */
  render(gauges: EngineGauges): string {
    const v1 = this.style === 'v1';
    const lines: string[] = [];
    const family = (name: string, type: string, help: string): void => {
      lines.push(`# HELP vllm:${name} ${help}`, `# TYPE vllm:${name} ${type}`);
    };
    const sample = (name: string, value: number, extra: Record<string, string> = {}): void => {
      lines.push(`vllm:${name}{${this.labelText(extra)}} ${formatPythonFloat(value)}`);
    };
    const histogram = (name: string, help: string, hist: Histogram): void => {
      family(name, 'histogram', help);
      const cumulative = hist.cumulative();
      [...hist.upperBounds, Infinity].forEach((bound, i) => {
        sample(`${name}_bucket`, cumulative[i] ?? 0, { le: formatPythonFloat(bound) });
      });
      sample(`${name}_count`, hist.count);
      sample(`${name}_sum`, hist.sum);
    };

    family('num_requests_running', 'gauge', 'Number of requests in model execution batches.');
    sample('num_requests_running', gauges.running);
    family('num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.');
    sample('num_requests_waiting', gauges.waiting);
    if (!v1) {
      family('num_requests_swapped', 'gauge', 'Number of requests swapped to CPU.');
      sample('num_requests_swapped', 0);
    }
    const kvName = v1 ? 'kv_cache_usage_perc' : 'gpu_cache_usage_perc';
    family(kvName, 'gauge', `${v1 ? 'KV' : 'GPU KV'}-cache usage. 1 means 100 percent usage.`);
    sample(kvName, gauges.kvCacheUsageRatio);
    family('prompt_tokens_total', 'counter', 'Number of prefill tokens processed.');
    sample('prompt_tokens_total', this.promptTokensTotal);
    family('generation_tokens_total', 'counter', 'Number of generation tokens processed.');
    sample('generation_tokens_total', this.generationTokensTotal);
    family('request_success_total', 'counter', 'Count of successfully processed requests.');
    for (const [reason, value] of this.successTotal) {
      sample('request_success_total', value, { finished_reason: reason });
    }
    histogram(
      'time_to_first_token_seconds',
      'Histogram of time to first token in seconds.',
      this.timeToFirstToken,
    );
    if (v1) {
      histogram(
        'inter_token_latency_seconds',
        'Histogram of inter-token latency in seconds.',
        this.interToken,
      );
    } else {
      histogram(
        'time_per_output_token_seconds',
        'Histogram of time per output token in seconds.',
        this.interToken,
      );
    }
    histogram(
      'e2e_request_latency_seconds',
      'Histogram of e2e request latency in seconds.',
      this.e2eLatency,
    );
    if (v1) {
      histogram(
        'request_queue_time_seconds',
        'Histogram of time spent in WAITING phase for request.',
        this.queueTime,
      );
    }
    return lines.join('\n') + '\n';
  }

  private labelText(extra: Record<string, string>): string {
    const labels: Record<string, string> = { model_name: this.modelName, ...extra };
    if (this.style === 'v1') labels.engine = '0';
    return Object.keys(labels)
      .sort()
      .map((key) => `${key}="${escapeLabelValue(labels[key] ?? '')}"`)
      .join(',');
  }
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
