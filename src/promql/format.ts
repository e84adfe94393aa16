/** Number formatting identical to Prometheus's JSON API (Go's strconv.FormatFloat 'f', -1). */

/**
 * Formats a sample value as Prometheus does: "NaN", "+Inf", "-Inf", "-0", integers without a
 * decimal point, and the shortest round-tripping decimal without exponent otherwise
 * (1e21 → "1000000000000000000000", 1e-7 → "0.0000001").
 */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Object.is(value, -0)) return '-0';

  const shortest = String(value);
  // Most values print without an exponent: no need for the pattern below.
  if (!shortest.includes('e')) return shortest;
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (!match) return shortest;

  const [, sign, lead, fraction = '', exponentText] = match as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  const digits = lead + fraction;
  const exponent = Number(exponentText);
  if (exponent >= 0) {
    const intDigits = exponent + 1;
    if (digits.length <= intDigits) return sign + digits + '0'.repeat(intDigits - digits.length);
    return `${sign}${digits.slice(0, intDigits)}.${digits.slice(intDigits)}`;
  }
  return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
}

/** A Prometheus API timestamp: Unix seconds as a JSON number with millisecond precision. */
export function toUnixSeconds(timestampMs: number): number {
  return timestampMs / 1000;
}
