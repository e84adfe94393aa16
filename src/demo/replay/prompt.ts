/**
 * Deterministic request content for trace replay: prompts of an exact word count and the
 * choice of which requests stream.
 */

// Limitation: the prompt size is exact only for servers that count prompt tokens as words (the
// demo's simulators do). A real tokenizer splits these words its own way, so against a real
// model the input tokens only approximate the trace's ContextTokens.
// Sixteen three-letter words, so a prompt of n words is exactly 4n - 1 characters and any window
// of the repeated text is a valid prompt.
const WORDS = [
  'ant',
  'bee',
  'cat',
  'dog',
  'eel',
  'fox',
  'gnu',
  'hen',
  'jay',
  'kit',
  'owl',
  'pig',
  'ram',
  'yak',
  'cod',
  'emu',
] as const;
const WORD_CHARS = 4;

let repeated = '';

/**
 * A prompt of exactly `words` single-space-separated words (no leading or trailing space).
 * The starting word rotates with `index`, so neighbouring requests differ while the same
 * (words, index) always gives the same text. `words` of 0 gives "". Throws RangeError for a
 * negative or fractional word count.
 */
export function buildPrompt(words: number, index: number): string {
  if (!Number.isSafeInteger(words) || words < 0) {
    throw new RangeError(`prompt word count must be a non-negative integer, got ${words}`);
  }
  if (words === 0) return '';
  const needed = (words + WORDS.length) * WORD_CHARS;
  if (repeated.length < needed) {
    const copies = Math.ceil(needed / (WORDS.length * WORD_CHARS));
    repeated = `${WORDS.join(' ')} `.repeat(copies);
  }
  const startWord = Math.abs(index) % WORDS.length;
  const start = startWord * WORD_CHARS;
  return repeated.slice(start, start + words * WORD_CHARS - 1);
}

/**
 * Whether the request at `index` streams, for a streaming share `fraction` (0..1). Spread evenly
 * and exactly: among indexes 0..n-1 exactly floor(n * fraction) stream (for 0.5: 1, 3, 5, ...).
 */
export function isStreamed(index: number, fraction: number): boolean {
  return Math.floor((index + 1) * fraction) > Math.floor(index * fraction);
}
