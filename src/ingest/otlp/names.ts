/**
 * OpenTelemetry names to Prometheus names, following the OTLP-to-Prometheus compatibility rules:
 * characters outside [a-zA-Z0-9_:] become "_", the UCUM unit becomes a suffix in words
 * ("s" → "_seconds", "By" → "_bytes", "1" on a gauge → "_ratio", "{token}" annotations dropped),
 * and monotonic sums end in "_total".
 *
 * Limitation: values are never rescaled to a base unit here; a metric in "ms" is stored as
 * `<name>_milliseconds` with millisecond values (only the GenAI durations are rescaled, genai.ts).
 */

/** How a metric is stored, which decides the `_total` and `_ratio` suffixes. */
export type PromKind = 'counter' | 'gauge' | 'histogram' | 'summary';

const UNIT_WORDS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tebibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

const PER_UNIT_WORDS: Record<string, string> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** Replaces characters Prometheus does not allow in metric names and collapses "__" runs. */
export function sanitizeMetricName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_{2,}/g, '_');
  if (out === '' || out === '_') return 'otlp_unnamed';
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

/**
 * A label name from an attribute key: invalid characters become "_", a leading digit gets the
 * prefix "key_", and names starting with "__" (reserved) get the prefix "key". "" for an empty key.
 */
export function sanitizeLabelName(key: string): string {
  if (key === '') return '';
  let out = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  else if (out.startsWith('__')) out = `key${out}`;
  return out;
}

/** The unit suffix in words ("" when none), e.g. "s" → "seconds", "By/s" → "bytes_per_second". */
export function unitSuffix(unit: string, kind: PromKind): string {
  const clean = unit.replace(/\{[^}]*\}/g, '').trim();
  if (clean === '') return '';
  if (clean === '1') return kind === 'gauge' ? 'ratio' : '';
  const [main = '', per] = clean.split('/', 2);
  const mainWord = main === '' || main === '1' ? '' : (UNIT_WORDS[main] ?? main);
  const perWord = per === undefined || per === '' ? '' : (PER_UNIT_WORDS[per] ?? per);
  const words =
    perWord === '' ? mainWord : `${mainWord === '' ? '' : `${mainWord}_`}per_${perWord}`;
  return sanitizeMetricName(words).replace(/^_+|_+$/g, '');
}

/** The Prometheus metric family name for an OTLP metric stored as `kind`. */
export function prometheusName(name: string, unit: string, kind: PromKind): string {
  let out = sanitizeMetricName(name).replace(/_+$/, '');
  const suffix = unitSuffix(unit, kind);
  const withoutTotal = out.endsWith('_total') ? out.slice(0, -'_total'.length) : out;
  if (suffix !== '' && !withoutTotal.endsWith(`_${suffix}`) && withoutTotal !== suffix) {
    out = `${withoutTotal}_${suffix}`;
  } else {
    out = withoutTotal;
  }
  if (kind === 'counter') out = `${out}_total`;
  return out;
}
