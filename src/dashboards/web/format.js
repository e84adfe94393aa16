// Value formatting per panel unit, for axis ticks and legend values.

/**
 * Formats a number with at most three significant digits and a k/M/G suffix for large values.
 * @param {number} value
 * @returns {string}
 */
export function formatNumber(value) {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}

/** @param {number} value */
function trim(value) {
  if (value === 0) return '0';
  return String(Number(value.toPrecision(3)));
}

/**
 * Formats a value in a panel unit: seconds below one become ms, "%" gets a percent sign,
 * rates get their unit. null (a gap) becomes an em dash.
 * @param {number | null} value
 * @param {string} unit
 * @returns {string}
 */
export function formatValue(value, unit) {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 's':
      return Math.abs(value) < 1 && value !== 0 ? `${trim(value * 1000)} ms` : `${trim(value)} s`;
    case '%':
      return `${trim(value)}%`;
    case 'ratio':
      return trim(value);
    default:
      return `${formatNumber(value)} ${unit}`;
  }
}

/**
 * Formats an axis tick: like formatValue but without the unit for rates (the axis label has it).
 * @param {number} value
 * @param {string} unit
 * @returns {string}
 */
export function formatTick(value, unit) {
  if (unit === 's' || unit === '%') return formatValue(value, unit);
  return formatNumber(value);
}
