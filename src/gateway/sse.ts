/**
 * Incremental Server-Sent Events parsing for OpenAI streaming replies. Events may be split
 * across TCP chunks anywhere (even inside a multi-byte character), so boundaries are found on
 * bytes and only complete events are decoded.
 */

/**
 * Returns the index just after the blank line that ends the event starting at `from`, or -1 when
 * the event is not complete yet. Lines end in "\n", "\r\n" or "\r" (SSE spec); a trailing "\r"
 * at the end of `buf` is ambiguous until the next byte arrives, so it counts as incomplete.
 */
export function findEventEnd(buf: Uint8Array, from: number): number {
  const n = buf.length;
  let i = from;
  while (i < n) {
    const c = buf[i];
    if (c !== 10 && c !== 13) {
      i++;
      continue;
    }
    let next = i + 1;
    if (c === 13) {
      if (next >= n) return -1;
      if (buf[next] === 10) next++;
    }
    if (next >= n) return -1;
    const d = buf[next];
    if (d === 10) return next + 1;
    if (d === 13) {
      if (next + 1 >= n) return -1;
      return buf[next + 1] === 10 ? next + 2 : next + 1;
    }
    i = next;
  }
  return -1;
}

/** Returns the `data` field of one complete SSE event (data lines joined by "\n"), or null. */
export function eventData(event: string): string | null {
  if (event.startsWith('data: ') && event.indexOf('\n') === event.length - 2) {
    return event.slice(6, -2); // the common single-line "data: ...\n\n" case
  }
  let data: string | null = null;
  for (const line of event.split(/\r\n|\r|\n/)) {
    if (!line.startsWith('data')) continue;
    let value: string;
    if (line === 'data') value = '';
    else if (line.startsWith('data:')) value = line.slice(line[5] === ' ' ? 6 : 5);
    else continue;
    data = data === null ? value : `${data}\n${value}`;
  }
  return data;
}

/** Token counts from an OpenAI `usage` object. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** What one streamed chunk means for the metrics. */
export interface ChunkFacts {
  /** The chunk carries generated content (text, reasoning or tool call deltas). */
  hasContent: boolean;
  /** The chunk's non-null `usage`, if any. */
  usage: Usage | null;
  /** A chunk with `choices: []` and a usage object: the one `include_usage` adds. */
  usageOnly: boolean;
}

const NO_FACTS: ChunkFacts = { hasContent: false, usage: null, usageOnly: false };

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

/** Reads `usage` from a parsed OpenAI response or chunk; null when absent or malformed. */
export function readUsage(body: unknown): Usage | null {
  if (typeof body !== 'object' || body === null) return null;
  const usage = (body as { usage?: unknown }).usage;
  if (typeof usage !== 'object' || usage === null) return null;
  const { prompt_tokens: input, completion_tokens: output } = usage as Record<string, unknown>;
  return { inputTokens: plausibleTokens(input), outputTokens: plausibleTokens(output) };
}

/**
 * Largest token count one request can plausibly report. A larger, fractional or negative value
 * from an upstream is treated as unknown (0) so one bad reply cannot ruin a counter for good.
 */
export const MAX_TOKENS_PER_REQUEST = 100_000_000;

function plausibleTokens(value: unknown): number {
  const ok = Number.isSafeInteger(value) && (value as number) >= 0;
  return ok && (value as number) <= MAX_TOKENS_PER_REQUEST ? (value as number) : 0;
}

function choiceHasContent(choice: unknown): boolean {
  if (typeof choice !== 'object' || choice === null) return false;
  const { delta, text } = choice as { delta?: unknown; text?: unknown };
  if (isNonEmptyString(text)) return true; // /v1/completions
  if (typeof delta !== 'object' || delta === null) return false;
  const d = delta as { content?: unknown; reasoning_content?: unknown; tool_calls?: unknown };
  return (
    isNonEmptyString(d.content) ||
    isNonEmptyString(d.reasoning_content) ||
    (Array.isArray(d.tool_calls) && d.tool_calls.length > 0)
  );
}

/** Inspects one complete event. Non-JSON data (e.g. "[DONE]") yields no facts. */
export function inspectEvent(event: string): ChunkFacts {
  const data = eventData(event);
  if (data === null || data === '[DONE]') return NO_FACTS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return NO_FACTS;
  }
  if (typeof parsed !== 'object' || parsed === null) return NO_FACTS;
  const choices = (parsed as { choices?: unknown }).choices;
  const usage = readUsage(parsed);
  const list = Array.isArray(choices) ? choices : [];
  return {
    hasContent: list.some(choiceHasContent),
    usage,
    usageOnly: usage !== null && Array.isArray(choices) && choices.length === 0,
  };
}
