/**
 * Check-digit algorithms used to confirm candidate PII before it is redacted, so that an
 * arbitrary long number is not taken for a card or an account.
 */

/** True when the digit string passes the Luhn (mod 10) check used by payment cards. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Remainder of a decimal number given as a string, divided by 97, computed piecewise so that
 * numbers of any length work. Returns NaN when `digits` holds a non-digit.
 */
export function mod97(digits: string): number {
  let rest = 0;
  for (let i = 0; i < digits.length; i += 1) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    rest = (rest * 10 + d) % 97;
  }
  return rest;
}

/**
 * True when `compact` (an IBAN without spaces, any case) passes ISO 13616 mod-97: move the
 * first four characters to the end, turn letters into 10..35, and the remainder must be 1.
 */
export function isIbanChecksumValid(compact: string): boolean {
  const upper = compact.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(upper)) return false;
  const rearranged = upper.slice(4) + upper.slice(0, 4);
  let digits = '';
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    digits += code >= 65 ? String(code - 55) : ch;
  }
  return mod97(digits) === 1;
}
