/**
 * Formats a float the way Prometheus Go clients print `le` and `quantile` label values
 * (Go's `strconv.FormatFloat(v, 'g', -1, 64)`): shortest round-trip digits, plain notation for
 * exponents -4..5, otherwise `1e+06` style; `+Inf`, `-Inf`, `NaN`. Examples: 0.005 → "0.005",
 * 1 → "1", 2.5 → "2.5", 2560 → "2560", 1000000 → "1e+06", 0.00001 → "1e-05".
 * Canonical histograms use it so engine buckets written as "1.0" match gateway buckets "1".
 */
export function formatPromFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return String(value);
}
