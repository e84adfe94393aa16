/**
 * Token usage of a JSON reply too big to parse whole (a large embeddings batch, say): OpenAI-style
 * bodies put `usage` last, so the gateway keeps only the reply's tail and reads the last
 * `"usage": {...}` object found there.
 */
import { readUsage, type Usage } from './sse.js';

/** Bytes kept from the end of an oversized reply. */
export const USAGE_TAIL_BYTES = 64 * 1024;

/** Appends `chunk` to `tail`, keeping at most USAGE_TAIL_BYTES from the end. */
export function appendTail(tail: Buffer, chunk: Buffer): Buffer {
  if (chunk.length >= USAGE_TAIL_BYTES) return Buffer.from(chunk.subarray(-USAGE_TAIL_BYTES));
  const joined = Buffer.concat([tail, chunk]);
  return joined.length > USAGE_TAIL_BYTES ? joined.subarray(-USAGE_TAIL_BYTES) : joined;
}

/** The usage in the last `"usage": {...}` of `tail`, or null when there is none to parse. */
export function usageFromTail(tail: Buffer): Usage | null {
  const text = tail.toString('utf8');
  let at = text.lastIndexOf('"usage"');
  while (at >= 0) {
    const object = objectAfterKey(text, at + '"usage"'.length);
    if (object !== null) {
      try {
        return readUsage({ usage: JSON.parse(object) as unknown });
      } catch {
        // Not JSON after all (e.g. the word inside a string): try an earlier occurrence.
      }
    }
    at = at === 0 ? -1 : text.lastIndexOf('"usage"', at - 1);
  }
  return null;
}

/** The `{...}` text after `: ` at `from`, braces matched outside strings; null if cut off. */
function objectAfterKey(text: string, from: number): string | null {
  let i = from;
  while (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t') i++;
  if (text[i] !== ':') return null;
  i++;
  while (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t') i++;
  if (text[i] !== '{') return null;
  let depth = 0;
  let inString = false;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(i, j + 1);
  }
  return null;
}
