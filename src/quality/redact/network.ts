/**
 * Detector for IP addresses, version 4 and 6.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { scanSpans } from './scan.js';
import type { PiiDetector } from './types.js';

// A run of the characters an address can hold, at most 45 long (the longest IPv6 text form),
// starting where no such character precedes. Validation is left to node:net.
const ADDRESS_RUN = /(?<![0-9A-Za-z:.])[0-9A-Fa-f:.]{3,45}/g;
const WORD_CHAR = /[0-9A-Za-z:.]/;

/**
 * IPv4 ("10.0.0.1", also "10.0.0.1:8080", the port is kept) and IPv6 in any text form
 * ("2001:db8::1", "::ffff:10.0.0.1"). A trailing full stop is not part of the address.
 * Limitation: IPv6 zone ids ("fe80::1%eth0") and bracketed forms ("[::1]:80") are redacted
 * without the zone or brackets; runs longer than 45 characters are ignored.
 */
export const ipDetector: PiiDetector = {
  type: 'IP',
  find: (text) =>
    scanSpans('IP', ADDRESS_RUN, text, (m) => {
      let candidate = m[0];
      const after = text[m.index + candidate.length];
      if (after !== undefined && WORD_CHAR.test(after)) return null;
      while (candidate.endsWith('.')) candidate = candidate.slice(0, -1);
      const start = m.index;
      if (isIPv4(candidate) || isIPv6(candidate)) return { start, end: start + candidate.length };
      const port = /^(.+):\d{1,5}$/.exec(candidate);
      if (port?.[1] !== undefined && isIPv4(port[1])) return { start, end: start + port[1].length };
      return null;
    }),
};
