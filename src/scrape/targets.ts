/**
 * Scrape targets from the configuration, and the raw (original-name) samples of one scrape.
 */
import type { Config } from '../config/schema.js';
import type { Labels } from '../store/types.js';
import type { TargetEngine } from './engines.js';
import type { MetricFamily } from './exposition.js';
import type { MappedSample } from './mapping.js';

/** One endpoint to scrape and the labels its samples get. */
export interface ScrapeTarget {
  /** Full metrics URL, e.g. "http://10.0.0.5:8000/metrics". */
  url: string;
  /**
   * Engine whose names are mapped to canonical metrics; "auto" detects it from each body
   * (see detectEngine).
   */
  engine: TargetEngine;
  /**
   * Labels added to every sample of the target: `component`, `copy`, `endpoint` (or the extra
   * target's own labels), and always `source="engine"`.
   */
  labels: Labels;
  /** Model label for canonical series whose samples carry no `model_name`. */
  model?: string;
}

/**
 * Lists the targets: every `components[].copies[]` with an `engine` (URL = copy URL without
 * trailing slashes + `metricsPath`, model = the component's first model name), then every
 * `scrape.targets[]`. An extra target without a `copy` label gets the URL's host:port as copy,
 * and `endpoint` defaults to "default", so its `up` series stays distinct.
 */
export function buildTargets(config: Config): ScrapeTarget[] {
  const targets: ScrapeTarget[] = [];
  for (const component of config.components) {
    for (const copy of component.copies) {
      if (copy.engine === undefined) continue;
      targets.push({
        url: copy.url.replace(/\/+$/, '') + copy.metricsPath,
        engine: copy.engine,
        labels: {
          component: component.name,
          copy: copy.name,
          endpoint: component.endpoint,
          source: 'engine',
        },
        model: component.models[0],
      });
    }
  }
  for (const extra of config.scrape.targets) {
    targets.push({
      url: extra.url,
      engine: extra.engine,
      labels: {
        endpoint: 'default',
        copy: new URL(extra.url).host,
        ...extra.labels,
        source: 'engine',
      },
      model: extra.labels.model,
    });
  }
  return targets;
}

/**
 * True for process and runtime families that are dropped from raw samples: `python_*`,
 * `process_*`, `go_*`, and `http_*` except `http_requests_total` (kept as an error signal).
 */
export function isRuntimeNoise(familyName: string): boolean {
  if (familyName === 'http_requests_total') return false;
  return /^(?:python_|process_|go_|http_)/.test(familyName);
}

/**
 * Turns parsed families into raw samples under their original names, with the target's labels
 * added. A scraped label that collides with a target label is kept as `exported_<name>`, as
 * Prometheus does. Runtime noise families (see isRuntimeNoise) are skipped.
 */
export function toRawSamples(
  families: readonly MetricFamily[],
  targetLabels: Labels,
): MappedSample[] {
  const out: MappedSample[] = [];
  for (const family of families) {
    if (isRuntimeNoise(family.name)) continue;
    for (const sample of family.samples) {
      const labels: Labels = { __name__: sample.name };
      for (const [name, value] of Object.entries(sample.labels)) {
        labels[Object.hasOwn(targetLabels, name) ? `exported_${name}` : name] = value;
      }
      Object.assign(labels, targetLabels);
      out.push(
        sample.timestampMs === undefined
          ? { labels, value: sample.value }
          : { labels, value: sample.value, timestampMs: sample.timestampMs },
      );
    }
  }
  return out;
}
