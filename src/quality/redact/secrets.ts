/**
 * Detector for credentials: API keys with well-known prefixes, JWTs, and long secret-looking
 * values written next to a word such as key, token, secret or password.
 */
import { scanSpans } from './scan.js';
import type { PiiDetector, PiiSpan } from './types.js';

// Vendor prefixes with the shape of what follows. All quantifiers are bounded.
const PREFIXED_KEYS = new RegExp(
  [
    // OpenAI / Anthropic style: sk-..., sk-proj-..., sk-ant-...
    'sk-[A-Za-z0-9_-]{20,200}',
    // Stripe secret / publishable / restricted keys
    '(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,200}',
    // AWS access key ids
    '(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}',
    // GitHub tokens
    'gh[pousr]_[A-Za-z0-9]{36,255}',
    'github_pat_[A-Za-z0-9_]{22,255}',
    // Slack tokens: xoxb-, xoxp-, xoxa-, xoxo-, xoxr-, xoxs-
    'xox[abposr]-[A-Za-z0-9-]{10,250}',
    // Google API keys
    'AIza[0-9A-Za-z_-]{35}',
    // JSON Web Tokens: base64url header and payload that both start with '{"'
    'eyJ[A-Za-z0-9_-]{5,2000}\\.eyJ[A-Za-z0-9_-]{5,4000}\\.[A-Za-z0-9_-]{10,2000}',
  ]
    .map((p) => `(?<![A-Za-z0-9_-])${p}(?![A-Za-z0-9_-])`)
    .join('|'),
  'g',
);

// A keyword, up to 20 more name characters ("api_key_id"), an optional quote, then ":", "=",
// "is" or a space, then the value (24-512 characters of hex, base64 or base64url).
const CONTEXT_SECRET =
  /(?<![A-Za-z])(?:api[_-]?key|access[_-]?key|secret|token|password|passwd|bearer|auth)[A-Za-z_-]{0,20}["']?[ \t]{0,3}(?:[:=]|=>|is)?[ \t]{0,3}["']?([A-Za-z0-9+/_=.-]{24,512})/gi;

/** True when a value mixes letters and digits, as generated secrets do and words do not. */
function looksGenerated(value: string): boolean {
  return /[A-Za-z]/.test(value) && /\d/.test(value) && !/^(.)\1+$/.test(value);
}

/**
 * API keys and tokens: vendor prefixes (sk-, sk_live_, AKIA, ghp_, github_pat_, xox?-, AIza),
 * JWTs, and any 24+ character value of letters and digits that follows a word like key,
 * token, secret, password, bearer or auth ("api_key = 9f86d081884c7d65...").
 * Limitation: PEM private-key blocks and secrets without such a word nearby are not detected.
 */
export const apiKeyDetector: PiiDetector = {
  type: 'API_KEY',
  find: (text): PiiSpan[] => [
    ...scanSpans('API_KEY', PREFIXED_KEYS, text),
    ...scanSpans('API_KEY', CONTEXT_SECRET, text, (m) => {
      const value = m[1] ?? '';
      if (!looksGenerated(value)) return null;
      const start = m.index + m[0].length - value.length;
      return { start, end: start + value.length };
    }),
  ],
};
