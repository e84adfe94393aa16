/**
 * Detectors for government identifiers: the US Social Security number (type SSN) and, as
 * NATIONAL_ID, the UK National Insurance number, the Spanish DNI/NIE and the French NIR
 * (numéro de sécurité sociale).
 */
import { mod97 } from './checksums.js';
import { scanSpans } from './scan.js';
import type { PiiDetector } from './types.js';

const SSN = /(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-]|\.\d)/g;

/**
 * US SSNs written "AAA-GG-SSSS". Numbers the SSA never issues are rejected: area 000, 666 or
 * 900-999, group 00, serial 0000.
 * Limitation: SSNs written without dashes or with spaces are not detected (nine bare digits
 * are too often something else).
 */
export const ssnDetector: PiiDetector = {
  type: 'SSN',
  find: (text) =>
    scanSpans('SSN', SSN, text, (m) => {
      const [, area = '', group = '', serial = ''] = m;
      if (area === '000' || area === '666' || area.startsWith('9')) return null;
      if (group === '00' || serial === '0000') return null;
      return { start: m.index, end: m.index + m[0].length };
    }),
};

// UK NINO: two prefix letters (D, F, I, Q, U, V never; O never second), six digits, suffix A-D.
const NINO =
  /(?<![A-Za-z0-9])[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g;
const NINO_BAD_PREFIXES = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

// Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter).
const DNI = /(?<![A-Za-z0-9])([XYZ]?)-?(\d{7,8})-?([A-Z])(?![A-Za-z0-9])/g;
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

// French NIR: sex, year, month, department (2A/2B for Corsica), commune, order, 2-digit key.
const NIR =
  /(?<![\dA-Za-z])([12]) ?(\d{2}) ?(\d{2}) ?(\d{2}|2[AB]) ?(\d{3}) ?(\d{3}) ?(\d{2})(?![\dA-Za-z])/g;

function isDniValid(prefix: string, digits: string, letter: string): boolean {
  if (prefix === '' && digits.length !== 8) return false;
  if (prefix !== '' && digits.length !== 7) return false;
  const lead = prefix === '' ? '' : String('XYZ'.indexOf(prefix));
  return DNI_LETTERS[Number(lead + digits) % 23] === letter;
}

function isNirValid(parts: string[]): boolean {
  const key = Number(parts[6]);
  const dept = parts[3] === '2A' ? '19' : parts[3] === '2B' ? '18' : (parts[3] ?? '');
  const body = `${parts[0]}${parts[1]}${parts[2]}${dept}${parts[4]}${parts[5]}`;
  return key === 97 - mod97(body);
}

/**
 * National ids with a checkable structure: UK NINO ("QQ 12 34 56 C", upper case only, invalid
 * prefixes rejected; it has no check digit), Spanish DNI/NIE (check letter mod 23) and French
 * NIR (15 characters, key = 97 - number mod 97).
 * Limitation: other countries' ids (German tax id, Italian codice fiscale, Dutch BSN, ...)
 * are not detected.
 */
export const nationalIdDetector: PiiDetector = {
  type: 'NATIONAL_ID',
  find: (text) => [
    ...scanSpans('NATIONAL_ID', NINO, text, (m) =>
      NINO_BAD_PREFIXES.has(m[0].slice(0, 2))
        ? null
        : { start: m.index, end: m.index + m[0].length },
    ),
    ...scanSpans('NATIONAL_ID', DNI, text, (m) =>
      isDniValid(m[1] ?? '', m[2] ?? '', m[3] ?? '')
        ? { start: m.index, end: m.index + m[0].length }
        : null,
    ),
    ...scanSpans('NATIONAL_ID', NIR, text, (m) =>
      isNirValid(m.slice(1)) ? { start: m.index, end: m.index + m[0].length } : null,
    ),
  ],
};
