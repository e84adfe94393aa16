/**
 * Detectors for payment data: card numbers (Luhn-checked) and IBANs (mod-97 checked).
 */
import { isIbanChecksumValid, isLuhnValid } from './checksums.js';
import { digitsOf, scanSpans } from './scan.js';
import type { PiiDetector } from './types.js';

// 12 to 19 digits, optionally grouped by single spaces or dashes.
const CARD = /(?<![\d+-])\d(?:[ -]?\d){11,18}(?![\d]|-\d)/g;

/**
 * Payment card numbers: 12-19 digits (plain or grouped with spaces/dashes) that pass Luhn.
 * Limitation: issuer prefixes are not checked, so any Luhn-valid 12-19 digit number counts
 * (about one in ten random numbers of that length).
 */
export const cardDetector: PiiDetector = {
  type: 'CARD',
  find: (text) =>
    scanSpans('CARD', CARD, text, (m) =>
      isLuhnValid(digitsOf(m[0])) ? { start: m.index, end: m.index + m[0].length } : null,
    ),
};

/** IBAN length per country (ISO 13616 registry) for the countries most often seen. */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
};

// Country code, check digits, then 11-30 alphanumerics, optionally grouped by single spaces.
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])/g;

/**
 * IBANs, compact or grouped by spaces, any letter case, that pass the mod-97 check and, for
 * the countries in the length table, have their country's length. A match may swallow the
 * words after a spaced IBAN ("GB82 WEST ... 32 is mine"), so the longest prefix ending at a
 * space that is a valid IBAN is taken.
 */
export const ibanDetector: PiiDetector = {
  type: 'IBAN',
  find: (text) =>
    scanSpans('IBAN', IBAN, text, (m) => {
      const raw = m[0];
      const ends = [raw.length];
      for (let i = raw.length - 1; i > 0; i -= 1) if (raw[i] === ' ') ends.push(i);
      for (const end of ends) {
        const compact = raw.slice(0, end).replace(/ /g, '');
        const country = compact.slice(0, 2).toUpperCase();
        const wanted = IBAN_LENGTHS[country];
        const lengthOk =
          wanted === undefined
            ? compact.length >= 15 && compact.length <= 34
            : compact.length === wanted;
        if (lengthOk && isIbanChecksumValid(compact)) return { start: m.index, end: m.index + end };
      }
      return null;
    }),
};
