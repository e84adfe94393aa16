/**
 * Parsing of `POST /api/llmwatch/pairs` bodies: a JSON array or JSON lines of native pairs
 * and/or SageMaker data-capture records, into queue inputs, with errors that name the line
 * (or array index) and the field.
 */
import { randomUUID } from 'node:crypto';
import { LlmwatchError } from '../../core/errors.js';
import type { PairInput } from '../pipeline/queue.js';
import { isCaptureRecord, readCaptureRecord } from './data-capture.js';

/** Most pairs one request may carry. */
export const MAX_PAIRS_PER_REQUEST = 10_000;

/** Longest component, model or request id, characters. */
const MAX_NAME_CHARS = 256;

/** Defaults for fields a body does not carry (from the URL: ?component=&model=). */
export interface ParseDefaults {
  component?: string;
  model?: string;
  /** Time for pairs without a timestamp, Unix ms. */
  nowMs: number;
  /** Request id for a pair without one, from where it sits ("line 3"). Default: a random UUID. */
  requestIdFor?: (where: string) => string;
}

/** One parsed item and where it sat ("line 3", "item 0"); pair is null when skipped. */
export interface ParsedItem {
  where: string;
  pair: PairInput | null;
}

/** Parsed pairs, and how many items were skipped (error captures, replies without text). */
export interface ParsedPairs {
  pairs: PairInput[];
  skipped: number;
}

function fail(where: string, message: string): never {
  throw new LlmwatchError('pairs_invalid', `${where}: ${message}`);
}

function name(where: string, field: string, value: unknown, fallback?: string): string {
  const v = value ?? fallback;
  if (typeof v !== 'string' || v === '' || v.length > MAX_NAME_CHARS) {
    fail(
      where,
      `${field} must be a non-empty string of at most ${MAX_NAME_CHARS} characters (or set ?${field}= on the URL)`,
    );
  }
  // Components become the `component` label: the same characters as components in the config.
  if (field === 'component' && !/^[A-Za-z0-9_.:-]+$/.test(v)) {
    fail(
      where,
      `component ${JSON.stringify(v.slice(0, 60))} may only use letters, digits, "_", "-", "." or ":"`,
    );
  }
  return v;
}

function timestampMs(where: string, value: unknown, nowMs: number): number {
  if (value === undefined || value === null) return nowMs;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) {
    return notInTheFuture(where, value, nowMs);
  }
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return notInTheFuture(where, ms, nowMs);
  }
  return fail(
    where,
    `timestamp must be Unix ms or an RFC3339 time like "2026-02-19T01:34:30Z", got ${JSON.stringify(value).slice(0, 60)}`,
  );
}

function responseOf(
  where: string,
  response: unknown,
): { text: string; finishReason: string | null } | null {
  if (typeof response === 'string') return { text: response, finishReason: null };
  if (typeof response !== 'object' || response === null) {
    fail(where, 'response must be a string, or an object with "text" or "choices"');
  }
  const r = response as { text?: unknown; choices?: unknown; finishReason?: unknown };
  if (typeof r.text === 'string') {
    return {
      text: r.text,
      finishReason: typeof r.finishReason === 'string' ? r.finishReason : null,
    };
  }
  if (Array.isArray(r.choices) && r.choices.length > 0) {
    const c = r.choices[0] as {
      message?: { content?: unknown };
      text?: unknown;
      finish_reason?: unknown;
    };
    const text = typeof c?.message?.content === 'string' ? c.message.content : c?.text;
    // A reply without text (content null: only tool calls) has nothing to judge: skipped.
    if (c?.message !== undefined && c.message.content === null && c.text === undefined) return null;
    if (typeof text === 'string') {
      return { text, finishReason: typeof c.finish_reason === 'string' ? c.finish_reason : null };
    }
    fail(where, 'response.choices[0] must have message.content or text as a string');
  }
  return fail(where, 'response must have "text" (a string) or "choices" (a non-empty array)');
}

function nativePair(
  where: string,
  item: Record<string, unknown>,
  d: ParseDefaults,
): PairInput | null {
  const request = typeof item.request === 'string' ? { prompt: item.request } : item.request;
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    fail(
      where,
      'request must be a string, or an object with "messages" (array) or "prompt" (string)',
    );
  }
  const { messages, prompt } = request as { messages?: unknown; prompt?: unknown };
  if (!Array.isArray(messages) && typeof prompt !== 'string') {
    fail(where, 'request must have "messages" (an array) or "prompt" (a string)');
  }
  const response = responseOf(where, item.response);
  const component = name(where, 'component', item.component, d.component);
  if (response === null) return null;
  return {
    requestId:
      item.requestId === undefined
        ? (d.requestIdFor?.(where) ?? randomUUID())
        : name(where, 'requestId', item.requestId),
    component,
    model: name(where, 'model', item.model, d.model ?? component),
    source: 'ingest',
    request,
    responseText: response.text,
    finishReason: response.finishReason,
    createdAtMs: timestampMs(where, item.timestamp, d.nowMs),
  };
}

function itemToPair(where: string, item: unknown, d: ParseDefaults): PairInput | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    fail(where, 'must be a JSON object');
  const obj = item as Record<string, unknown>;
  if (!isCaptureRecord(obj)) return nativePair(where, obj, d);
  const read = readCaptureRecord(obj);
  if ('error' in read) fail(where, read.error);
  if ('skip' in read) return null;
  const component = name(where, 'component', undefined, d.component);
  return {
    requestId: read.eventId ?? d.requestIdFor?.(where) ?? randomUUID(),
    component,
    model: name(where, 'model', undefined, d.model ?? component),
    source: 'ingest',
    request: read.request,
    responseText: read.responseText,
    finishReason: null,
    createdAtMs: read.inferenceTimeMs ?? d.nowMs,
  };
}

/**
 * Parses `body`: a JSON array (when it starts with "[") or JSON lines (blank lines ignored).
 * Throws LlmwatchError `pairs_invalid` naming the line or index and the field, e.g.
 * `line 3: response must have "text" ...`; all-or-nothing (no pair of a bad body is kept).
 */
export function parsePairsBody(body: string, d: ParseDefaults): ParsedPairs {
  const pairs: PairInput[] = [];
  let skipped = 0;
  for (const { pair } of parsePairItems(body, d)) {
    if (pair === null) skipped++;
    else pairs.push(pair);
  }
  return { pairs, skipped };
}

/**
 * parsePairsBody, keeping where each pair sat (for `llmwatch eval run`'s line numbers); at most
 * `maxPairs` items.
 */
export function parsePairItems(
  body: string,
  d: ParseDefaults,
  maxPairs = MAX_PAIRS_PER_REQUEST,
): ParsedItem[] {
  const trimmed = body.trim();
  if (trimmed === '') fail('body', 'is empty; send a JSON array or JSON lines of pairs');
  const items: Array<[string, unknown]> = [];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      fail('body', `is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    (parsed as unknown[]).forEach((item, i) => items.push([`item ${i}`, item]));
  } else {
    const lines = body.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] as string).trim();
      if (line === '') continue;
      try {
        items.push([`line ${i + 1}`, JSON.parse(line)]);
      } catch (err) {
        fail(
          `line ${i + 1}`,
          `is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
        );
      }
      if (items.length > maxPairs) break;
    }
  }
  if (items.length > maxPairs) {
    fail('body', `holds more than ${maxPairs} pairs; split it into smaller requests`);
  }
  return items.map(([where, item]) => ({ where, pair: itemToPair(where, item, d) }));
}

/** A pair from more than a day ahead is a clock or unit mistake (seconds given as ms...). */
function notInTheFuture(where: string, ms: number, nowMs: number): number {
  if (ms > nowMs + 86_400_000) {
    fail(
      where,
      `timestamp ${new Date(ms).toISOString()} is more than a day in the future; send Unix ms or RFC3339`,
    );
  }
  return ms;
}
