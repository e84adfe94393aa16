/**
 * Detectors for contact details: e-mail addresses and phone numbers.
 */
import { digitsOf, scanSpans } from './scan.js';
import type { PiiDetector } from './types.js';

// Local part at most 64 characters (RFC 5321), up to 8 domain labels, a 2-24 letter TLD.
const EMAIL =
  /(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

/** E-mail addresses like `ana.ruiz+work@mail.example.co.uk`. */
export const emailDetector: PiiDetector = {
  type: 'EMAIL',
  find: (text) => scanSpans('EMAIL', EMAIL, text),
};

// Optional "+CC", optional "(area)" or "(0)", then 1-6 groups of digits joined by one space,
// dot or dash, then an optional extension "x123" / "ext. 123".
const PHONE =
  /(?<![\w+.\-/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,15}(?:[ .-]\d{1,8}){0,5}(?:[ ]?(?:x|ext\.?)[ ]?\d{1,5})?(?![\w/:]|-\d|[.,]\d)/g;

// Dates written with the same separators are not phone numbers.
const DATE_LIKE = /^(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2})(?:$| )/;

// Words that make a short two-group number ("451 5986") a phone number rather than a house
// number and postcode.
const PHONE_CONTEXT =
  /phone|tel\b|call|mobile|cell|fax|desk|office|contact|number|reach|text|sms|whatsapp|message|answering|dial/i;
const CONTEXT_BEFORE_CHARS = 40;
const CONTEXT_AFTER_CHARS = 20;

function hasPhoneContext(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - CONTEXT_BEFORE_CHARS), start);
  const after = text.slice(end, end + CONTEXT_AFTER_CHARS);
  return PHONE_CONTEXT.test(before) || PHONE_CONTEXT.test(after);
}

/**
 * Phone numbers in international or common national layouts: "+1-984-182-0190",
 * "(37) 788-063", "07700 063 966", "03.93.92.16.85", "345-899-3560x4587".
 * Accepted when the number (without extension) has 7 to 15 digits, does not start like a
 * date, has at least 10 digits if written without any separator, "+" or parentheses, and, if
 * it is under 10 digits in at most two groups, has a word like phone, call, mobile, fax or
 * office within 40 characters before or 20 after.
 * Limitation: any 7+ digit grouped number (an order number, "2019 2020") can be taken for a
 * phone number; there is no country-specific numbering-plan check.
 */
export const phoneDetector: PiiDetector = {
  type: 'PHONE',
  find: (text) =>
    scanSpans('PHONE', PHONE, text, (m) => {
      const raw = m[0];
      const main = raw.replace(/[ ]?(?:x|ext\.?)[ ]?\d{1,5}$/, '');
      const digitCount = digitsOf(main).length;
      if (digitCount < 7 || digitCount > 15) return null;
      if (DATE_LIKE.test(main)) return null;
      const plain = /^\d+$/.test(main);
      if (plain && digitCount < 10) return null;
      const groups = main.split(/[ .-]/).length;
      const end = m.index + raw.length;
      const weak = digitCount < 10 && groups <= 2 && !/[+(]/.test(main);
      if (weak && !hasPhoneContext(text, m.index, end)) return null;
      return { start: m.index, end };
    }),
};
