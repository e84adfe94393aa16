/**
 * The simulator's stand-in tokenizer and text generator.
 *
 * Simulated tokenizer: a prompt's token count is its number of whitespace-separated words
 * (for chat, all message contents joined). An empty prompt counts as 0 tokens. Real tokenizers
 * give roughly 1.3 tokens per English word; the simulator keeps words for exact, checkable counts.
 * Generated output: every token is one short word with a leading space (" the", " cat"), drawn
 * from a fixed list with the simulator's seeded random generator.
 */

/** Number of whitespace-separated words in `text` (the simulated prompt token count). */
export function countPromptTokens(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

const WORDS = [
  'the',
  'a',
  'model',
  'token',
  'cat',
  'sun',
  'river',
  'small',
  'fast',
  'blue',
  'and',
  'of',
  'to',
  'is',
  'was',
  'light',
  'data',
  'tree',
  'bird',
  'stone',
  'cloud',
  'quiet',
  'green',
  'road',
];

/** A seeded pseudo-random generator (mulberry32) returning floats in [0, 1). */
export type Random = () => number;

/** Creates a deterministic random generator from an integer `seed`. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated token's text: a short word with a leading space. */
export function nextTokenText(random: Random): string {
  const index = Math.floor(random() * WORDS.length) % WORDS.length;
  return ' ' + (WORDS[index] ?? 'the');
}
