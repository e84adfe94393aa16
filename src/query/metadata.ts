/**
 * Metric metadata (TYPE, HELP, unit) for `/api/v1/metadata`: an in-memory table fed by
 * remote-write senders, plus exposition texts read on demand (llmwatch's own registry, and any
 * other source the server wires in).
 *
 * Limitation: metadata lives in memory only and is lost on restart; remote-write senders resend
 * theirs every minute by default (metadata_config.send_interval), exposition sources are read
 * at each request. Metadata of scraped targets is not kept unless the scraper records it here.
 * Limitation: one entry per metric name (the latest reported); Prometheus lists one per distinct
 * TYPE/HELP/unit combination across targets.
 */
import type { MetricTypeName, RemoteWriteMetadata } from '../ingest/remote-write/codec.js';

/** The metadata of one metric, as `/api/v1/metadata` lists it. */
export interface MetricMetadata {
  type: MetricTypeName;
  help: string;
  unit: string;
}

/** A table of metric metadata keyed by metric family name. */
export interface MetadataRegistry {
  /** Records metadata reported by a remote-write sender (latest wins). Invalid entries ignored. */
  record(items: readonly RemoteWriteMetadata[]): void;
  /** All known metadata by metric name, exposition sources merged over recorded entries. */
  list(): Map<string, MetricMetadata>;
}

/** Options of createMetadataRegistry. */
export interface MetadataRegistryOptions {
  /** Most metric names recorded from remote write; further new names are ignored. Default 10 000. */
  maxMetrics?: number;
  /**
   * Functions returning Prometheus exposition text (e.g. the own registry's /metrics); their
   * `# HELP`, `# TYPE` and `# UNIT` lines are read at each list(). A throwing source is skipped.
   */
  expositionSources?: ReadonlyArray<() => string>;
}

const TYPE_NAMES = new Set<string>([
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
]);

/** Creates an empty metadata registry. */
export function createMetadataRegistry(opts: MetadataRegistryOptions = {}): MetadataRegistry {
  const maxMetrics = opts.maxMetrics ?? 10_000;
  const recorded = new Map<string, MetricMetadata>();

  return {
    record(items) {
      for (const item of items) {
        if (item.metricFamilyName === '') continue;
        if (!recorded.has(item.metricFamilyName) && recorded.size >= maxMetrics) continue;
        recorded.set(item.metricFamilyName, { type: item.type, help: item.help, unit: item.unit });
      }
    },
    list() {
      const out = new Map(recorded);
      for (const source of opts.expositionSources ?? []) {
        let text: string;
        try {
          text = source();
        } catch {
          continue;
        }
        for (const [name, meta] of metadataFromExposition(text)) out.set(name, meta);
      }
      return out;
    },
  };
}

/**
 * Reads `# HELP`, `# TYPE` and `# UNIT` lines of Prometheus or OpenMetrics exposition text into
 * metadata by metric family name. Unknown type words become "unknown"; other lines are ignored.
 */
export function metadataFromExposition(text: string): Map<string, MetricMetadata> {
  const out = new Map<string, MetricMetadata>();
  for (const line of text.split('\n')) {
    const match = /^#\s+(HELP|TYPE|UNIT)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (match === null) continue;
    const [, word, name = '', rest = ''] = match;
    let entry = out.get(name);
    if (entry === undefined) {
      entry = { type: 'unknown', help: '', unit: '' };
      out.set(name, entry);
    }
    if (word === 'HELP') entry.help = rest.replace(/\\(\\|n)/g, (_, c) => (c === 'n' ? '\n' : c));
    else if (word === 'UNIT') entry.unit = rest.trim();
    else {
      const type = rest.trim().toLowerCase();
      entry.type = (TYPE_NAMES.has(type) ? type : 'unknown') as MetricTypeName;
    }
  }
  return out;
}
