// The page's view state (time range, auto refresh, selected components) and its round trip
// through the URL query string, so a shared link shows the same view. Pure functions: no DOM.

/** Relative time ranges offered by the picker, in seconds. */
export const RANGE_SECONDS = { '5m': 300, '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400 };

/** Auto refresh choices, in milliseconds; "off" is 0. */
export const REFRESH_MS = { off: 0, '5s': 5000, '10s': 10000, '30s': 30000 };

/**
 * @typedef {object} ViewState
 * @property {string} range One of the RANGE_SECONDS keys, or "custom".
 * @property {number | null} fromMs Start of a custom range, Unix milliseconds; null otherwise.
 * @property {number | null} toMs End of a custom range, Unix milliseconds; null otherwise.
 * @property {string} refresh One of the REFRESH_MS keys.
 * @property {string[]} components Selected component names; empty means all.
 */

/**
 * Reads the view state from a query string ("?range=6h&component=a&component=b").
 * Unknown or malformed values fall back to the defaults rather than failing: a custom range needs
 * both `from` and `to` as ISO timestamps with from < to, else the default range is used.
 * @param {string} search location.search
 * @param {string} defaultRange the dashboard's default relative range
 * @returns {ViewState}
 */
export function parseViewState(search, defaultRange) {
  const params = new URLSearchParams(search);
  const fromMs = Date.parse(params.get('from') ?? '');
  const toMs = Date.parse(params.get('to') ?? '');
  const hasCustom = Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs < toMs;
  const rangeParam = params.get('range') ?? '';
  const fallbackRange = defaultRange in RANGE_SECONDS ? defaultRange : '1h';
  const range = hasCustom ? 'custom' : rangeParam in RANGE_SECONDS ? rangeParam : fallbackRange;
  const refreshParam = params.get('refresh') ?? 'off';
  const components = [...new Set(params.getAll('component').filter((c) => c !== ''))];
  return {
    range,
    fromMs: hasCustom ? fromMs : null,
    toMs: hasCustom ? toMs : null,
    refresh: refreshParam in REFRESH_MS ? refreshParam : 'off',
    components,
  };
}

/**
 * Writes the view state as a query string (with leading "?", or "" when all defaults).
 * @param {ViewState} state
 * @param {string} defaultRange
 * @returns {string}
 */
export function formatViewState(state, defaultRange) {
  const params = new URLSearchParams();
  if (state.range === 'custom' && state.fromMs !== null && state.toMs !== null) {
    params.set('from', new Date(state.fromMs).toISOString());
    params.set('to', new Date(state.toMs).toISOString());
  } else if (state.range !== defaultRange) {
    params.set('range', state.range);
  }
  if (state.refresh !== 'off') params.set('refresh', state.refresh);
  for (const component of state.components) params.append('component', component);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * The absolute window a state covers at `nowMs`, in Unix seconds.
 * @param {ViewState} state
 * @param {number} nowMs
 * @returns {{ startSec: number, endSec: number }}
 */
export function resolveWindow(state, nowMs) {
  if (state.range === 'custom' && state.fromMs !== null && state.toMs !== null) {
    return { startSec: Math.floor(state.fromMs / 1000), endSec: Math.floor(state.toMs / 1000) };
  }
  const endSec = Math.floor(nowMs / 1000);
  const seconds = RANGE_SECONDS[/** @type {keyof typeof RANGE_SECONDS} */ (state.range)] ?? 3600;
  return { startSec: endSec - seconds, endSec };
}
