/**
 * An in-process metric registry: counters, gauges and classic (explicit-bucket) histograms that
 * the gateway records into on its hot path, collected periodically as store Samples and rendered
 * as Prometheus text for llmwatch's own /metrics.
 *
 * Hot path: `family.series(labels)` resolves a label set once (a Map lookup by a precomputed
 * key); callers keep the returned handle and call `inc`/`set`/`observe` on it, which only touch
 * numbers.
 */
import { formatPromFloat } from '../core/prom-float.js';
import { LlmwatchError } from '../core/errors.js';
import type { Labels, Sample } from '../store/types.js';

/** One counter series. Values only go up. */
export interface CounterSeries {
  /** Adds `amount` (default 1). A negative or non-finite amount is ignored. */
  inc(amount?: number): void;
}

/** One gauge series. */
export interface GaugeSeries {
  /** Sets the value. */
  set(value: number): void;
  /** Adds `amount` (default 1; may be negative). */
  add(amount?: number): void;
}

/** One classic histogram series. */
export interface HistogramSeries {
  /** Records one observation (in the histogram's unit). NaN is ignored. */
  observe(value: number): void;
}

/** A metric family: one name, one type, many label sets. */
export interface MetricFamily<S> {
  readonly name: string;
  /**
   * Returns the series for `labels` (without `__name__`), creating it on first use. Creation
   * time is recorded so the first collect can emit a 0-valued start sample. Keep the handle:
   * resolving it costs a key build and a Map lookup.
   */
  series(labels: Labels): S;
}

/** The registry. Families are unique by name; re-registering the same name and type returns it. */
export interface MetricRegistry {
  /** Registers (or returns) a counter family. Throws `registry_conflict` if the name has another type. */
  counter(name: string, help: string): MetricFamily<CounterSeries>;
  /** Registers (or returns) a gauge family. Throws `registry_conflict` on a type clash. */
  gauge(name: string, help: string): MetricFamily<GaugeSeries>;
  /**
   * Registers (or returns) a histogram family with explicit upper bounds (ascending, finite;
   * "+Inf" is implicit). Throws `registry_invalid_buckets` on unsorted or empty buckets.
   */
  histogram(
    name: string,
    help: string,
    bucketsUpper: readonly number[],
  ): MetricFamily<HistogramSeries>;
  /**
   * Returns the current cumulative value of every series as Samples at `timestampMs`. The first
   * time a counter or histogram series is collected, a 0-valued sample is also emitted at the
   * series' creation time (or `timestampMs - 1` when that is not earlier).
   */
  collect(timestampMs: number): Sample[];
  /** Renders every series in the Prometheus text exposition format (version 0.0.4). */
  renderExposition(): string;
}

type Kind = 'counter' | 'gauge' | 'histogram';

interface SeriesState {
  labels: Labels;
  createdMs: number;
  exported: boolean;
  value: number;
  /** Histogram only: per-bucket (non-cumulative) counts, last one is +Inf. */
  counts: Float64Array | null;
  sum: number;
  /**
   * The label objects of the samples collect() emits for this series, in emit order, built on
   * the first collect and passed again every time: the store recognises a label object it has
   * seen by identity, which is cheaper than hashing its values. Never mutated once built.
   */
  sampleLabels: Labels[] | null;
}

interface FamilyState {
  name: string;
  help: string;
  kind: Kind;
  bucketsUpper: readonly number[];
  leLabels: readonly string[];
  series: Map<string, SeriesState>;
  family: MetricFamily<unknown>;
}

/** Builds a stable key from a label set (sorted names), used for Map lookups. */
function labelKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const name of names) key += `${name}\u0000${labels[name]}\u0001`;
  return key;
}

function makeHandle(state: SeriesState, kind: Kind, bucketsUpper: readonly number[]): unknown {
  if (kind === 'counter') {
    return {
      inc(amount = 1) {
        if (amount >= 0 && amount !== Infinity) state.value += amount;
      },
    } satisfies CounterSeries;
  }
  if (kind === 'gauge') {
    return {
      set(value: number) {
        state.value = value;
      },
      add(amount = 1) {
        state.value += amount;
      },
    } satisfies GaugeSeries;
  }
  const counts = state.counts as Float64Array;
  const n = bucketsUpper.length;
  return {
    observe(value: number) {
      if (Number.isNaN(value)) return;
      let i = 0;
      while (i < n && value > (bucketsUpper[i] as number)) i++;
      counts[i] = (counts[i] as number) + 1;
      state.sum += value;
      state.value += 1;
    },
  } satisfies HistogramSeries;
}

/** Creates an empty registry. `nowMs` (default Date.now) stamps series creation, Unix ms. */
export function createMetricRegistry(opts: { nowMs?: () => number } = {}): MetricRegistry {
  const nowMs = opts.nowMs ?? Date.now;
  const families = new Map<string, FamilyState>();

  function register(name: string, help: string, kind: Kind, buckets: readonly number[]) {
    const existing = families.get(name);
    if (existing) {
      if (existing.kind !== kind) {
        throw new LlmwatchError(
          'registry_conflict',
          `registry: metric ${name} is already a ${existing.kind}, cannot register it as a ${kind}; use another name`,
        );
      }
      return existing.family;
    }
    const state: FamilyState = {
      name,
      help,
      kind,
      bucketsUpper: buckets,
      leLabels: [...buckets.map(formatPromFloat), '+Inf'],
      series: new Map(),
      family: undefined as unknown as MetricFamily<unknown>,
    };
    state.family = {
      name,
      series(labels: Labels) {
        const key = labelKey(labels);
        const found = state.series.get(key) as (SeriesState & { handle: unknown }) | undefined;
        if (found) return found.handle;
        const series: SeriesState & { handle: unknown } = {
          labels: { ...labels },
          createdMs: Math.floor(nowMs()),
          exported: false,
          value: 0,
          counts: kind === 'histogram' ? new Float64Array(buckets.length + 1) : null,
          sum: 0,
          sampleLabels: null,
          handle: undefined,
        };
        series.handle = makeHandle(series, kind, buckets);
        state.series.set(key, series);
        return series.handle;
      },
    };
    families.set(name, state);
    return state.family;
  }

  function checkBuckets(name: string, buckets: readonly number[]): void {
    const sorted = buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > buckets[i - 1]!));
    if (buckets.length === 0 || !sorted) {
      throw new LlmwatchError(
        'registry_invalid_buckets',
        `registry: histogram ${name} buckets must be finite and strictly ascending, got [${buckets.join(', ')}]`,
      );
    }
  }

  return {
    counter: (name, help) => register(name, help, 'counter', []) as MetricFamily<CounterSeries>,
    gauge: (name, help) => register(name, help, 'gauge', []) as MetricFamily<GaugeSeries>,
    histogram(name, help, bucketsUpper) {
      checkBuckets(name, bucketsUpper);
      return register(name, help, 'histogram', [...bucketsUpper]) as MetricFamily<HistogramSeries>;
    },
    collect: (timestampMs) => collectSamples(families, timestampMs),
    renderExposition: () => renderText(families),
  };
}

/** Calls `emit(suffix, extraLabelName, extraLabelValue, value)` for each sample of a series. */
function forEachValue(
  family: FamilyState,
  series: SeriesState,
  emit: (suffix: string, le: string | null, value: number) => void,
): void {
  if (family.kind !== 'histogram') {
    emit('', null, series.value);
    return;
  }
  const counts = series.counts as Float64Array;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    cumulative += counts[i] as number;
    emit('_bucket', family.leLabels[i] as string, cumulative);
  }
  emit('_sum', null, series.sum);
  emit('_count', null, series.value);
}

function collectSamples(families: Map<string, FamilyState>, timestampMs: number): Sample[] {
  const out: Sample[] = [];
  for (const family of families.values()) {
    for (const series of family.series.values()) {
      const needsStart = !series.exported && family.kind !== 'gauge';
      const startMs = series.createdMs < timestampMs ? series.createdMs : timestampMs - 1;
      series.exported = true;
      const known = series.sampleLabels;
      const built: Labels[] = [];
      let i = 0;
      forEachValue(family, series, (suffix, le, value) => {
        let labels = known?.[i++];
        if (labels === undefined) {
          labels = { ...series.labels, __name__: family.name + suffix };
          if (le !== null) labels.le = le;
          built.push(labels);
        }
        if (needsStart) out.push({ labels, timestampMs: startMs, value: 0 });
        out.push({ labels, timestampMs, value });
      });
      if (known === null) series.sampleLabels = built;
    }
  }
  return out;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function renderText(families: Map<string, FamilyState>): string {
  const lines: string[] = [];
  for (const family of families.values()) {
    const help = family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    lines.push(`# HELP ${family.name} ${help}`, `# TYPE ${family.name} ${family.kind}`);
    for (const series of family.series.values()) {
      const base = Object.entries(series.labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      forEachValue(family, series, (suffix, le, value) => {
        const parts = le === null ? base : [...base, `le="${le}"`];
        const labelText = parts.length > 0 ? `{${parts.join(',')}}` : '';
        lines.push(`${family.name}${suffix}${labelText} ${formatPromFloat(value)}`);
      });
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
