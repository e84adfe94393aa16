/**
 * Translation of RE2 patterns (Prometheus's regex dialect) into JavaScript RegExp source for the
 * parts that differ: inline case-insensitivity `(?i)` / `(?i:...)` anywhere in the pattern and
 * named groups `(?P<name>...)`.
 * Limitation: other RE2-only syntax (`\z`, `\Q...\E`, flags other than `i`) is passed through
 * and usually rejected by JavaScript as an invalid pattern.
 */

function bothCases(ch: string): string {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  return lower === upper ? ch : `${lower}${upper}`;
}

/** Copies a character class starting at `from`; returns [translated, index after it]. */
function translateClass(pattern: string, from: number, caseless: boolean): [string, number] {
  let i = from + 1;
  let body = '';
  if (pattern[i] === '^') body += pattern[i++];
  if (pattern[i] === ']') body += pattern[i++];
  let extra = '';
  while (i < pattern.length && pattern[i] !== ']') {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      body += pattern.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (caseless && pattern[i + 1] === '-' && pattern[i + 2] && pattern[i + 2] !== ']') {
      const end = pattern[i + 2] as string;
      body += `${ch}-${end}`;
      if (/[a-z]/.test(ch) && /[a-z]/.test(end))
        extra += `${ch.toUpperCase()}-${end.toUpperCase()}`;
      if (/[A-Z]/.test(ch) && /[A-Z]/.test(end))
        extra += `${ch.toLowerCase()}-${end.toLowerCase()}`;
      i += 3;
      continue;
    }
    body += caseless ? bothCases(ch) : ch;
    i++;
  }
  return [`[${body}${extra}]`, i + 1];
}

/** Returns JavaScript RegExp source equivalent to the RE2 `pattern` (see the file comment). */
export function translateRe2(pattern: string): string {
  if (!/\(\?[a-zA-Z]*i|\(\?P</.test(pattern)) return pattern;
  const caselessStack: boolean[] = [false];
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const caseless = caselessStack[caselessStack.length - 1] as boolean;
    const ch = pattern[i] as string;
    if (ch === '\\') {
      out += pattern.slice(i, i + 2);
      i += 2;
    } else if (ch === '[') {
      const [cls, next] = translateClass(pattern, i, caseless);
      out += cls;
      i = next;
    } else if (pattern.startsWith('(?i)', i)) {
      caselessStack[caselessStack.length - 1] = true;
      i += 4;
    } else if (pattern.startsWith('(?i:', i)) {
      caselessStack.push(true);
      out += '(?:';
      i += 4;
    } else if (pattern.startsWith('(?P<', i)) {
      caselessStack.push(caseless);
      out += '(?<';
      i += 4;
    } else if (ch === '(') {
      caselessStack.push(caseless);
      out += ch;
      i++;
    } else if (ch === ')') {
      if (caselessStack.length > 1) caselessStack.pop();
      out += ch;
      i++;
    } else {
      const both = caseless ? bothCases(ch) : ch;
      out += both.length > 1 ? `[${both}]` : both;
      i++;
    }
  }
  return out;
}
