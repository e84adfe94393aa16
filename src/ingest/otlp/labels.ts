/**
 * Label sets for OTLP data points: point attributes as sanitised labels, `job` from the
 * resource's service.namespace/service.name (as Prometheus's OTLP receiver does), `component`,
 * `copy` and `model` from the configured attributes, the configured resource labels, and
 * `source="otlp"`. Labels with an empty value are left out, as Prometheus does.
 *
 * An attribute whose sanitised name is one llmwatch sets itself (le, quantile, job, source,
 * component, copy, model, status_class) is kept as `exported_<name>`. Attributes whose names
 * sanitise to the same label are joined with ";" in key order.
 */
import type { Labels } from '../../store/types.js';
import type { OtlpConfig } from './config.js';
import type { OtlpAttribute } from './model.js';
import { sanitizeLabelName } from './names.js';

/** Longest label value accepted, in UTF-8 bytes; a point with a longer attribute is refused. */
export const MAX_LABEL_VALUE_BYTES = 4096;

const RESERVED = new Set([
  'le',
  'quantile',
  'job',
  'source',
  'component',
  'copy',
  'model',
  'status_class',
]);

/** What every point of one resource shares. */
export interface ResourceContext {
  attributes: OtlpAttribute[];
  /** job and configured resource labels (sanitised), before point attributes. */
  labels: Labels;
}

/** Builds the per-resource part of the label sets. */
export function resourceContext(attributes: OtlpAttribute[], config: OtlpConfig): ResourceContext {
  const labels: Labels = {};
  const name = findAttribute(attributes, 'service.name');
  const namespace = findAttribute(attributes, 'service.namespace');
  if (name !== undefined && name !== '') {
    labels.job = namespace !== undefined && namespace !== '' ? `${namespace}/${name}` : name;
  }
  for (const key of config.resourceLabels) {
    const value = findAttribute(attributes, key);
    const label = sanitizeLabelName(key);
    if (value === undefined || label === '') continue;
    labels[RESERVED.has(label) ? `exported_${label}` : label] = value;
  }
  return { attributes, labels };
}

/**
 * The labels of one point (without `__name__`), or a refusal reason when the point has more than
 * `config.maxAttributesPerPoint` attributes or a value over MAX_LABEL_VALUE_BYTES.
 */
export function pointLabels(
  resource: ResourceContext,
  attributes: OtlpAttribute[],
  config: OtlpConfig,
): { labels: Labels } | { error: string } {
  if (attributes.length > config.maxAttributesPerPoint) {
    return {
      error: `a data point has ${attributes.length} attributes, more than otlp.maxAttributesPerPoint (${config.maxAttributesPerPoint}); drop attributes with a view`,
    };
  }
  const labels: Labels = { ...resource.labels };
  const sorted = [...attributes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const joined = new Map<string, string>();
  for (const { key, value } of sorted) {
    if (Buffer.byteLength(value) > MAX_LABEL_VALUE_BYTES) {
      return {
        error: `attribute ${JSON.stringify(key)} is longer than ${MAX_LABEL_VALUE_BYTES} bytes`,
      };
    }
    let label = sanitizeLabelName(key);
    if (label === '') continue;
    if (RESERVED.has(label)) label = `exported_${label}`;
    const previous = joined.get(label);
    joined.set(label, previous === undefined ? value : `${previous};${value}`);
  }
  for (const [label, value] of joined) labels[label] = value;

  const component =
    findAttribute(resource.attributes, config.componentAttribute) ??
    findAttribute(attributes, config.componentAttribute);
  const copy =
    findAttribute(resource.attributes, config.copyAttribute) ??
    findAttribute(attributes, config.copyAttribute);
  let model: string | undefined;
  for (const key of config.modelAttributes) {
    model = findAttribute(attributes, key) ?? findAttribute(resource.attributes, key);
    if (model !== undefined && model !== '') break;
  }
  if (component !== undefined) labels.component = component;
  if (copy !== undefined) labels.copy = copy;
  if (model !== undefined) labels.model = model;
  labels.source = 'otlp';

  for (const [name, value] of Object.entries(labels)) if (value === '') delete labels[name];
  return { labels };
}

/** The value of the last attribute named `key` (later duplicates win), or undefined. */
export function findAttribute(attributes: OtlpAttribute[], key: string): string | undefined {
  let found: string | undefined;
  for (const attribute of attributes) if (attribute.key === key) found = attribute.value;
  return found;
}
