// Turns panel queries into Prometheus query_range requests: picks the step, fills in the
// dashboard variables, sends the request and reshapes the answer for uPlot. No DOM access.

/** Steps the page chooses from, in seconds; the smallest giving at most MAX_POINTS wins. */
const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400];

/** Upper bound of points per series the page asks for. */
export const MAX_POINTS = 240;

/**
 * The query step for a window, in seconds: the smallest nice step giving at most MAX_POINTS.
 * @param {number} rangeSec window length in seconds; values below 1 count as 1
 * @returns {number}
 */
export function chooseStepSeconds(rangeSec) {
  const raw = Math.max(1, rangeSec) / MAX_POINTS;
  return NICE_STEPS.find((s) => s >= raw) ?? Math.ceil(raw);
}

/**
 * The `$__rate_interval` for a step: max(4 * step, 60 s), as a PromQL duration like "60s".
 * @param {number} stepSec
 * @returns {string}
 */
export function rateIntervalFor(stepSec) {
  return `${Math.max(4 * stepSec, 60)}s`;
}

/**
 * The `$component` value: an anchored-by-PromQL regex matching exactly the selected names, with
 * regex metacharacters escaped and then escaped again for a double-quoted PromQL string.
 * No selection means all components (`allValue`).
 * @param {string[]} names
 * @param {string} allValue
 * @returns {string}
 */
export function componentRegex(names, allValue) {
  if (names.length === 0) return allValue;
  const regex = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return regex.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/**
 * Replaces `$name` references with values from `vars`; unknown names are left as they are.
 * @param {string} expr
 * @param {Record<string, string>} vars
 * @returns {string}
 */
export function interpolate(expr, vars) {
  return expr.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name) =>
    Object.hasOwn(vars, name) ? vars[name] : whole,
  );
}

/**
 * Fills a legend template: `{{label}}` becomes the label's value ("" when absent). An empty
 * template, or one that renders blank, becomes the label set like `{copy="a"}`.
 * @param {string} template
 * @param {Record<string, string>} labels
 * @returns {string}
 */
export function formatLegend(template, labels) {
  const text = template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) =>
    Object.hasOwn(labels, name) ? labels[name] : '',
  );
  if (text.trim() !== '') return text.trim();
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return `{${pairs.join(', ')}}`;
}

/**
 * Parses a Prometheus sample value; "NaN", "+Inf" and "-Inf" become null (a gap in the chart).
 * @param {string} text
 * @returns {number | null}
 */
export function parseSampleValue(text) {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * @typedef {{ metric: Record<string, string>, values: [number, string][] }} MatrixSeries
 * @typedef {{ label: string, points: Map<number, number | null> }} NamedSeries
 */

/**
 * Aligns named series on the union of their timestamps, as uPlot's data layout:
 * [timestamps, values of series 1, ...], with null where a series has no point.
 * @param {NamedSeries[]} series
 * @returns {(number | null)[][]}
 */
export function alignSeries(series) {
  const times = new Set();
  for (const s of series) for (const t of s.points.keys()) times.add(t);
  const xs = [...times].sort((a, b) => a - b);
  return [xs, ...series.map((s) => xs.map((t) => s.points.get(t) ?? null))];
}

/**
 * Runs one range query. Resolves to the matrix result, or rejects with an Error whose message is
 * the server's error text (or the HTTP status when the body is not Prometheus JSON).
 * @param {{ expr: string, startSec: number, endSec: number, stepSec: number, signal?: AbortSignal }} q
 * @returns {Promise<MatrixSeries[]>}
 */
export async function queryRange(q) {
  const body = new URLSearchParams({
    query: q.expr,
    start: String(q.startSec),
    end: String(q.endSec),
    step: String(q.stepSec),
  });
  const res = await fetch('/api/v1/query_range', { method: 'POST', body, signal: q.signal });
  let json = null;
  try {
    json = await res.json();
  } catch {
    throw new Error(`query API answered HTTP ${res.status} without JSON`);
  }
  if (!res.ok || json?.status !== 'success') {
    const kind = json?.errorType ? `${json.errorType}: ` : '';
    throw new Error(`${kind}${json?.error ?? `HTTP ${res.status}`}`);
  }
  if (json.data?.resultType !== 'matrix' || !Array.isArray(json.data.result)) {
    throw new Error(`expected a matrix result, got ${json.data?.resultType}`);
  }
  return json.data.result;
}

/**
 * Runs one instant query at `timeSec`. Resolves to the vector result, or rejects with the
 * server's error text like queryRange.
 * @param {string} expr
 * @param {number} timeSec
 * @returns {Promise<{ metric: Record<string, string>, value: [number, string] }[]>}
 */
export async function queryInstant(expr, timeSec) {
  const body = new URLSearchParams({ query: expr, time: String(timeSec) });
  const res = await fetch('/api/v1/query', { method: 'POST', body });
  let json = null;
  try {
    json = await res.json();
  } catch {
    throw new Error(`query API answered HTTP ${res.status} without JSON`);
  }
  if (!res.ok || json?.status !== 'success') {
    const kind = json?.errorType ? `${json.errorType}: ` : '';
    throw new Error(`${kind}${json?.error ?? `HTTP ${res.status}`}`);
  }
  if (json.data?.resultType !== 'vector' || !Array.isArray(json.data.result)) {
    throw new Error(`expected a vector result, got ${json.data?.resultType}`);
  }
  return json.data.result;
}
