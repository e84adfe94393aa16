/**
 * The table-driven mapper shared by every engine: a table row names a canonical metric and the
 * engine families that feed it (preferred first), and mapTable turns parsed families into
 * canonical samples. Each engine file (vllm.ts, tgi.ts, ...) is a table plus, where the engine
 * lacks a signal, a small derivation.
 *
 * Rules: the first source family present (with samples and the expected TYPE) wins, the others
 * are ignored, so an old and a new name are never added together. Samples that end up with the
 * same canonical labels are combined (`sum`, or `max` for ratios). Histogram `le` values are
 * rewritten in the Go client style ("1.0" → "1") so they line up with gateway buckets.
 */
import type { Labels } from '../store/types.js';
import type { ExpositionSample, MetricFamily, MetricType } from './exposition.js';
import { parseNumber } from './exposition-line.js';
import { formatPromFloat } from '../core/prom-float.js';

/** A mapped sample; `timestampMs` only when the exposition carried one. */
export interface MappedSample {
  labels: Labels;
  value: number;
  timestampMs?: number;
}

/** One source of a canonical metric, with optional filtering and conversion. */
export interface SourceSpec {
  /** Family name as exposed, e.g. "tgi_request_duration". */
  family: string;
  /** Keep only samples whose labels have exactly these values. */
  where?: Labels;
  /** Read this part of a histogram or summary family as a plain counter value. */
  part?: '_sum' | '_count';
  /**
   * Unit conversion applied to values; for histograms to `le` bounds and `_sum`, never to
   * `_count` or bucket counts. Default: none.
   */
  convert?: (value: number) => number;
  /** Extra canonical labels computed from a sample's own labels (e.g. status_class from err). */
  labelsFrom?: (labels: Labels) => Labels;
}

/** One row of a mapping table: the canonical name and its sources, preferred first. */
export interface CanonicalMapping {
  canonical: string;
  kind: 'gauge' | 'counter' | 'histogram';
  /** Family names or specs, preferred first; the first one present is used, the rest ignored. */
  sources: readonly (string | SourceSpec)[];
  /** How samples with the same canonical labels (engines, ranks, versions) are combined. */
  combine: 'sum' | 'max';
  /** Labels added to the canonical series. */
  extraLabels?: Labels;
}

/** How one engine's samples are labelled. */
export interface MapContext {
  /** Labels added to every canonical sample (component, copy, endpoint, source). */
  targetLabels: Labels;
  /** `model` label when the engine's samples carry none. */
  fallbackModel?: string;
  /** Name of the engine's own model label (`model_name` for vLLM), if it has one. */
  modelLabel?: string;
  /** Host of the target, the `instance` of device series whose data names no host. */
  instance?: string;
  /** Per-target memory kept between scrapes (node exporter CPU totals); absent in one-shot use. */
  state?: Map<string, unknown>;
}

const ACCEPTED_TYPES: Record<CanonicalMapping['kind'], readonly MetricType[]> = {
  gauge: ['gauge', 'untyped'],
  counter: ['counter', 'untyped'],
  histogram: ['histogram'],
};

interface Group {
  labels: Labels;
  value: number;
  timestampMs?: number;
  order: number;
  bound: number;
}

function specOf(source: string | SourceSpec): SourceSpec {
  return typeof source === 'string' ? { family: source } : source;
}

/** Finds a source family by name; counters may also appear under the OpenMetrics base name. */
function findFamily(index: ReadonlyMap<string, MetricFamily>, spec: SourceSpec, kind: string) {
  const direct = index.get(spec.family);
  if (direct) return direct;
  if (kind === 'counter' && spec.family.endsWith('_total')) {
    return index.get(spec.family.slice(0, -6));
  }
  return undefined;
}

function accepts(family: MetricFamily, spec: SourceSpec, kind: CanonicalMapping['kind']) {
  if (family.samples.length === 0) return false;
  if (spec.part) return family.type === 'histogram' || family.type === 'summary';
  return ACCEPTED_TYPES[kind].includes(family.type);
}

function matches(labels: Labels, where: Labels | undefined): boolean {
  if (!where) return true;
  for (const [name, value] of Object.entries(where)) if (labels[name] !== value) return false;
  return true;
}

/** Which part of the canonical series a sample feeds: '' for gauges/counters, or a suffix. */
function partOf(family: MetricFamily, sample: ExpositionSample, spec: SourceSpec, kind: string) {
  if (spec.part) return sample.name === family.name + spec.part ? '' : undefined;
  if (kind !== 'histogram') {
    return sample.name === family.name || sample.name === `${family.name}_total` ? '' : undefined;
  }
  const suffix = sample.name.slice(family.name.length);
  return suffix === '_bucket' || suffix === '_sum' || suffix === '_count' ? suffix : undefined;
}

function keyOf(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

function mapFamily(
  family: MetricFamily,
  spec: SourceSpec,
  mapping: CanonicalMapping,
  ctx: MapContext,
): MappedSample[] {
  const groups = new Map<string, Group>();
  const convert = spec.convert ?? ((v: number) => v);
  for (const sample of family.samples) {
    const part = partOf(family, sample, spec, mapping.kind);
    if (part === undefined || !matches(sample.labels, spec.where)) continue;
    const model = (ctx.modelLabel && sample.labels[ctx.modelLabel]) || ctx.fallbackModel;
    const labels: Labels = { __name__: mapping.canonical + part, ...ctx.targetLabels };
    if (model !== undefined) labels.model = model;
    Object.assign(labels, mapping.extraLabels, spec.labelsFrom?.(sample.labels));
    let bound = 0;
    let value = sample.value;
    if (part === '_bucket') {
      bound = convert(parseNumber(sample.labels.le ?? '') ?? NaN);
      labels.le = formatPromFloat(bound);
    } else if (part !== '_count') value = convert(value);
    const key = keyOf(labels);
    const group = groups.get(key);
    if (!group) {
      const order = part === '_bucket' ? 0 : part === '_sum' ? 1 : 2;
      groups.set(key, { labels, value, timestampMs: sample.timestampMs, order, bound });
      continue;
    }
    group.value = mapping.combine === 'max' ? Math.max(group.value, value) : group.value + value;
    if (sample.timestampMs !== undefined) {
      group.timestampMs = Math.max(group.timestampMs ?? sample.timestampMs, sample.timestampMs);
    }
  }
  return finishGroups([...groups.values()], mapping.kind === 'histogram');
}

/** Orders histogram groups: by series (labels without `le`), then buckets, `_sum`, `_count`. */
function finishGroups(ordered: Group[], histogram: boolean): MappedSample[] {
  if (histogram) {
    const seriesOrder = new Map<string, number>();
    const seriesOf = (g: Group) =>
      keyOf(Object.fromEntries(Object.entries(g.labels).filter(([k]) => k !== 'le')));
    for (const g of ordered) {
      const s = seriesOf(g);
      if (!seriesOrder.has(s)) seriesOrder.set(s, seriesOrder.size);
    }
    const rank = (g: Group) => seriesOrder.get(seriesOf(g)) ?? 0;
    ordered.sort((a, b) => rank(a) - rank(b) || a.order - b.order || a.bound - b.bound);
  }
  return ordered.map((g) =>
    g.timestampMs === undefined
      ? { labels: g.labels, value: g.value }
      : { labels: g.labels, value: g.value, timestampMs: g.timestampMs },
  );
}

/** Indexes families by name for the mappers. */
export function indexFamilies(families: readonly MetricFamily[]): Map<string, MetricFamily> {
  return new Map(families.map((f) => [f.name, f]));
}

/**
 * Maps families through `table`. Rows whose sources are all absent, empty or of an unexpected
 * TYPE produce nothing (the canonical metric stays absent; nothing is invented).
 */
export function mapTable(
  families: readonly MetricFamily[] | ReadonlyMap<string, MetricFamily>,
  table: readonly CanonicalMapping[],
  ctx: MapContext,
): MappedSample[] {
  const index = families instanceof Map ? families : indexFamilies(families as MetricFamily[]);
  const out: MappedSample[] = [];
  for (const mapping of table) {
    for (const source of mapping.sources) {
      const spec = specOf(source);
      const family = findFamily(index, spec, mapping.kind);
      if (!family || !accepts(family, spec, mapping.kind)) continue;
      const mapped = mapFamily(family, spec, mapping, ctx);
      if (mapped.length === 0) continue;
      out.push(...mapped);
      break;
    }
  }
  return out;
}
