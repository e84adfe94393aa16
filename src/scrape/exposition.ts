/**
 * A parser for the Prometheus text exposition format (0.0.4), also tolerant of OpenMetrics text
 * (`# EOF`, `# UNIT`, `_created` samples, exemplars, timestamps in seconds). Written for the
 * scraper: it groups samples into families by `# TYPE` (never by name suffix), sorts histogram
 * buckets and summary quantiles numerically, and drops `_created` samples of counters,
 * histograms and summaries. Bad input throws LlmwatchError `scrape_parse` naming the line; input
 * beyond the limits throws `scrape_limit`. It never hangs: work is linear in the input size.
 */
import { LlmwatchError } from '../core/errors.js';
import type { Labels } from '../store/types.js';
import {
  parseError,
  parseNumber,
  scanCommentLine,
  scanSampleLine,
  type SampleLine,
} from './exposition-line.js';

/** Family types. OpenMetrics `unknown` is reported as `untyped`. */
export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'untyped';

/** One parsed sample. `timestampMs` is set only when the exposition gave a timestamp. */
export interface ExpositionSample {
  /** Sample name as written, e.g. `vllm:e2e_request_latency_seconds_bucket`. */
  name: string;
  /** Labels as written (label values unescaped), without `__name__`. */
  labels: Labels;
  value: number;
  /** Unix milliseconds (integer), from the line's optional timestamp. */
  timestampMs?: number;
}

/** One metric family: the `# TYPE`/`# HELP`/`# UNIT` metadata and its samples. */
export interface MetricFamily {
  name: string;
  /** From `# TYPE`; `untyped` when the family has no TYPE line. */
  type: MetricType;
  /** From `# HELP`, unescaped; empty when absent. */
  help: string;
  /** From OpenMetrics `# UNIT`; empty when absent. */
  unit: string;
  samples: ExpositionSample[];
}

/** Parser options; every field has a default that fits real engines. */
export interface ParseOptions {
  /**
   * Timestamp unit: Prometheus text uses integer milliseconds, OpenMetrics decimal seconds.
   * Default "auto": OpenMetrics when the body ends with `# EOF`, otherwise Prometheus.
   */
  format?: 'auto' | 'prometheus' | 'openmetrics';
  /** Longest accepted line in characters. Default 65536. */
  maxLineChars?: number;
  /** Most labels on one sample. Default 128. */
  maxLabelsPerSample?: number;
  /** Most samples in one body. Default 500000. */
  maxSamples?: number;
}

const TYPES: Record<string, MetricType> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  untyped: 'untyped',
  unknown: 'untyped',
};

/** Sample-name suffixes each family type accepts besides its bare name. */
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: ['_total', '_created'],
  gauge: [],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['_sum', '_count', '_created'],
  info: ['_info'],
  stateset: [],
  untyped: [],
};
const ALL_SUFFIXES = [
  '_bucket',
  '_sum',
  '_count',
  '_created',
  '_total',
  '_info',
  '_gsum',
  '_gcount',
];
const WITH_CREATED = new Set<MetricType>(['counter', 'histogram', 'summary']);

interface PendingSample {
  sample: ExpositionSample;
  line: number;
  timestampToken?: string;
}

interface FamilyBuilder {
  family: MetricFamily;
  typed: boolean;
  pending: PendingSample[];
  /** Name plus sorted labels of every sample so far, to refuse duplicates as Prometheus does. */
  seen: Set<string>;
}

interface ParseState {
  text: string;
  pos: number;
  lineNo: number;
  sampleCount: number;
  eofLine: number;
  families: Map<string, FamilyBuilder>;
  maxLineChars: number;
  maxLabels: number;
  maxSamples: number;
}

function createState(text: string, options: ParseOptions): ParseState {
  return {
    text,
    pos: 0,
    lineNo: 0,
    sampleCount: 0,
    eofLine: 0,
    families: new Map(),
    maxLineChars: options.maxLineChars ?? 65536,
    maxLabels: options.maxLabelsPerSample ?? 128,
    maxSamples: options.maxSamples ?? 500_000,
  };
}

/** Parses up to `maxLines` more lines; returns false once the whole text is consumed. */
function parseLines(state: ParseState, maxLines: number): boolean {
  const { text } = state;
  for (let n = 0; n < maxLines; n++) {
    if (state.pos > text.length) return false;
    let end = text.indexOf('\n', state.pos);
    if (end === -1) end = text.length;
    const lineNo = ++state.lineNo;
    if (end - state.pos > state.maxLineChars) {
      throw new LlmwatchError(
        'scrape_limit',
        `line ${lineNo}: longer than ${state.maxLineChars} characters; the target's output is not usable`,
      );
    }
    const line = text.slice(state.pos, end).trim();
    state.pos = end + 1;
    if (line === '') continue;
    if (state.eofLine > 0) {
      throw parseError(lineNo, `expected nothing after "# EOF" (line ${state.eofLine})`);
    }

    if (line.charCodeAt(0) === 35) {
      const comment = scanCommentLine(line, lineNo);
      if (comment.kind === 'eof') state.eofLine = lineNo;
      else if (comment.kind !== 'comment') applyMetadata(state.families, comment, lineNo);
      continue;
    }

    const scanned = scanSampleLine(line, lineNo, state.maxLabels);
    if (++state.sampleCount > state.maxSamples) {
      throw new LlmwatchError(
        'scrape_limit',
        `line ${lineNo}: more than ${state.maxSamples} samples in one body; the target's output is not usable`,
      );
    }
    addSample(state.families, scanned, lineNo);
  }
  return state.pos <= text.length;
}

function finish(state: ParseState, options: ParseOptions): { families: MetricFamily[] } {
  const openMetrics =
    options.format === 'openmetrics' || (options.format !== 'prometheus' && state.eofLine > 0);
  return { families: finishFamilies(state.families, openMetrics) };
}

/**
 * Parses a whole exposition body. Families come out in order of first appearance; samples keep
 * their order except histogram and summary series, which are sorted (buckets by `le`, then
 * `_sum`, `_count`). Throws LlmwatchError `scrape_parse` (message `line N: expected ...`) on the
 * first malformed line, or `scrape_limit` when a limit of `options` is exceeded.
 */
export function parseExposition(
  text: string,
  options: ParseOptions = {},
): { families: MetricFamily[] } {
  const state = createState(text, options);
  while (parseLines(state, Number.MAX_SAFE_INTEGER)) {
    // one call consumes the whole text
  }
  return finish(state, options);
}

/**
 * Same result and errors as parseExposition, but yields to the event loop every
 * `yieldEveryLines` lines (default 2000) so a large body does not stall other work in the
 * process (a 10 MiB body takes about half a second to parse).
 */
export async function parseExpositionAsync(
  text: string,
  options: ParseOptions & { yieldEveryLines?: number } = {},
): Promise<{ families: MetricFamily[] }> {
  const state = createState(text, options);
  const chunk = Math.max(1, options.yieldEveryLines ?? 2000);
  while (parseLines(state, chunk)) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return finish(state, options);
}

function getOrCreate(families: Map<string, FamilyBuilder>, name: string): FamilyBuilder {
  let builder = families.get(name);
  if (!builder) {
    builder = {
      family: { name, type: 'untyped', help: '', unit: '', samples: [] },
      typed: false,
      pending: [],
      seen: new Set(),
    };
    families.set(name, builder);
  }
  return builder;
}

function applyMetadata(
  families: Map<string, FamilyBuilder>,
  meta: { kind: 'help' | 'type' | 'unit'; name: string; text: string },
  lineNo: number,
): void {
  const builder = getOrCreate(families, meta.name);
  if (meta.kind === 'help') builder.family.help = meta.text;
  else if (meta.kind === 'unit') builder.family.unit = meta.text;
  else {
    const type = TYPES[meta.text];
    if (type === undefined) {
      throw parseError(
        lineNo,
        `expected a metric type (counter, gauge, histogram, summary, untyped) after "${meta.name}", got "${meta.text}"`,
      );
    }
    if (builder.typed && builder.family.type !== type) {
      throw parseError(
        lineNo,
        `second TYPE for "${meta.name}": "${meta.text}" after "${builder.family.type}"`,
      );
    }
    if (!builder.typed && builder.pending.length > 0) {
      throw parseError(lineNo, `expected the TYPE of "${meta.name}" before its samples`);
    }
    builder.family.type = type;
    builder.typed = true;
  }
}

/** Finds the family a sample belongs to: exact name, or a typed family plus an allowed suffix. */
function familyFor(families: Map<string, FamilyBuilder>, name: string): FamilyBuilder {
  const exact = families.get(name);
  if (exact) return exact;
  for (const suffix of ALL_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base && SUFFIXES[base.family.type].includes(suffix)) return base;
  }
  return getOrCreate(families, name);
}

function addSample(
  families: Map<string, FamilyBuilder>,
  scanned: SampleLine,
  lineNo: number,
): void {
  const builder = familyFor(families, scanned.name);
  const { type, name } = builder.family;
  if ((type === 'histogram' || type === 'gaugehistogram') && scanned.name === name) {
    throw parseError(
      lineNo,
      `expected a _bucket, _sum or _count sample for histogram "${name}", got "${name}"`,
    );
  }
  if (WITH_CREATED.has(type) && scanned.name === `${name}_created`) return;
  const key = `${scanned.name}\u0002${seriesKey(scanned.labels, '')}`;
  if (builder.seen.has(key)) {
    throw parseError(
      lineNo,
      `duplicate series "${scanned.name}" with the same labels as an earlier line; ` +
        "each series may appear once per scrape (fix the target's exposition)",
    );
  }
  builder.seen.add(key);
  const sample: ExpositionSample = {
    name: scanned.name,
    labels: scanned.labels,
    value: scanned.value,
  };
  builder.pending.push({ sample, line: lineNo, timestampToken: scanned.timestampToken });
}

function toTimestampMs(token: string, openMetrics: boolean, line: number): number {
  if (openMetrics) return Math.round(Number(token) * 1000);
  if (!/^-?\d+$/.test(token)) {
    throw parseError(line, `expected an integer timestamp in milliseconds, got "${token}"`);
  }
  return Number(token);
}

/**
 * Drops gauge families named `X_created` that shadow a counter, histogram or summary `X` or
 * `X_total` (prometheus_client writes `_created` that way in the 0.0.4 text format).
 */
function isShadowCreated(families: Map<string, FamilyBuilder>, family: MetricFamily): boolean {
  if (!family.name.endsWith('_created')) return false;
  if (family.type !== 'gauge' && family.type !== 'untyped') return false;
  const base = family.name.slice(0, -'_created'.length);
  const owner = families.get(base) ?? families.get(`${base}_total`);
  return owner !== undefined && WITH_CREATED.has(owner.family.type);
}

function finishFamilies(
  families: Map<string, FamilyBuilder>,
  openMetrics: boolean,
): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const builder of families.values()) {
    const { family, pending } = builder;
    if (isShadowCreated(families, family)) continue;
    for (const p of pending) {
      if (p.timestampToken !== undefined) {
        p.sample.timestampMs = toTimestampMs(p.timestampToken, openMetrics, p.line);
      }
    }
    const ordered =
      family.type === 'histogram' || family.type === 'gaugehistogram' || family.type === 'summary'
        ? sortDistribution(family, pending)
        : pending;
    family.samples = ordered.map((p) => p.sample);
    out.push(family);
  }
  return out;
}

function seriesKey(labels: Labels, skip: string): string {
  return Object.keys(labels)
    .filter((k) => k !== skip)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

/**
 * Orders a histogram or summary: series in order of first appearance; within a series the
 * buckets (by `le`) or quantiles (by `quantile`), then `_sum`/`_gsum`, then `_count`/`_gcount`.
 */
function sortDistribution(family: MetricFamily, pending: PendingSample[]): PendingSample[] {
  const isSummary = family.type === 'summary';
  const boundLabel = isSummary ? 'quantile' : 'le';
  const boundName = isSummary ? family.name : `${family.name}_bucket`;
  const seriesOrder = new Map<string, number>();
  const keyed = pending.map((p, index) => {
    const { name, labels } = p.sample;
    let rank = 2;
    let bound = 0;
    if (name === boundName) {
      const raw = labels[boundLabel];
      if (raw === undefined) {
        throw parseError(p.line, `expected a "${boundLabel}" label on "${name}"`);
      }
      const parsed = parseNumber(raw);
      if (parsed === undefined || Number.isNaN(parsed)) {
        throw parseError(p.line, `expected a number in label ${boundLabel}, got "${raw}"`);
      }
      rank = 0;
      bound = parsed;
    } else if (name.endsWith('sum')) rank = 1;
    const key = seriesKey(labels, rank === 0 ? boundLabel : '');
    if (!seriesOrder.has(key)) seriesOrder.set(key, seriesOrder.size);
    return { p, series: seriesOrder.get(key) ?? 0, rank, bound, index };
  });
  keyed.sort(
    (a, b) => a.series - b.series || a.rank - b.rank || a.bound - b.bound || a.index - b.index,
  );
  return keyed.map((k) => k.p);
}
