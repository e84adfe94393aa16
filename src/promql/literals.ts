/**
 * Decoding of PromQL literals: quoted strings (Go escape rules), numbers (decimal, hex, Inf,
 * NaN, underscores, durations as seconds) and durations like "1h30m".
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/**
 * Unquotes a PromQL string literal written with "", '' or ``. Returns an error message (a
 * string starting with "invalid") instead of throwing, so the parser can add the position.
 */
export function unquoteString(raw: string): { value: string } | { error: string } {
  const quote = raw[0];
  if (raw.length < 2 || raw[raw.length - 1] !== quote) {
    return { error: 'unterminated quoted string' };
  }
  const body = raw.slice(1, -1);
  if (quote === '`') return { value: body };

  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 1;
      continue;
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 2, i + 2 + hexLength);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) {
        return { error: `invalid escape sequence "\\${next}${hex}" in string` };
      }
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 1 + hexLength;
      continue;
    }
    const octal = body.slice(i + 1, i + 4);
    if (/^[0-7]{3}$/.test(octal)) {
      out += String.fromCharCode(parseInt(octal, 8));
      i += 3;
      continue;
    }
    return { error: `invalid escape sequence "\\${next}" in string` };
  }
  return { value: out };
}

const DURATION_UNITS_MS: Record<string, number> = {
  y: 365 * 24 * 3600 * 1000,
  w: 7 * 24 * 3600 * 1000,
  d: 24 * 3600 * 1000,
  h: 3600 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
};

const DURATION_RE = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;

/**
 * Parses a Prometheus duration ("5m", "1h30m", "500ms") into milliseconds. Returns undefined
 * for anything else, including the empty string.
 */
export function parseDurationMs(text: string): number | undefined {
  if (text === '' || !DURATION_RE.test(text)) return undefined;
  let totalMs = 0;
  for (const part of text.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) {
    totalMs += Number(part[1]) * (DURATION_UNITS_MS[part[2] as string] as number);
  }
  return totalMs;
}

/**
 * Parses a PromQL number literal: decimal or hex with optional sign and underscores, Inf, NaN,
 * or a duration (its value in seconds). Returns undefined when the text is none of these.
 */
export function parseNumberLiteral(text: string): number | undefined {
  let sign = 1;
  let rest = text;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1).trimStart();
  }
  const lower = rest.toLowerCase();
  if (lower === 'inf') return sign * Infinity;
  if (lower === 'nan') return NaN;

  const durationMs = parseDurationMs(rest);
  if (durationMs !== undefined) return (sign * durationMs) / 1000;

  const plain = rest.replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(plain)) return sign * parseInt(plain.slice(2), 16);
  if (/^(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(plain)) return sign * Number(plain);
  return undefined;
}
