/**
 * Turns a judge reply into a judgment: a level of the rubric with its score, a refusal, or
 * "unparsable". Never a made-up number: anything not clearly one of the rubric's levels is
 * unparsable, and the raw reply is kept by the caller.
 */
import { findRefusal } from '../evaluators/refusal.js';
import { levelScore, type Rubric } from './rubrics.js';
import type { ChatReply } from './types.js';

/** Version of the parsing rules below; part of the judge identity. Bump on any change. */
export const PARSER_VERSION = '1';

/** How the score was found, from most to least trusted. */
export type ParseVia = 'structured' | 'json' | 'score_line' | 'label_word';

/** The outcome of parsing one reply. */
export type Judgment =
  | {
      outcome: 'scored';
      /** The level the judge gave (integer or label). */
      value: number | string;
      /** 0..1, 1 = good. */
      score: number;
      reasoning: string | null;
      via: ParseVia;
    }
  | { outcome: 'unparsable' | 'refused'; reason: string; reasoning: string | null };

type Read = { value: number | string; score: number } | 'out_of_range' | null;

const REASONING_KEYS = ['reasoning', 'explanation', 'rationale', 'reason', 'feedback'];
const SCORE_KEYS = ['score', 'rating', 'label', 'result', 'verdict'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a raw score (number, numeric string or label) against the rubric's levels. */
function readValue(rubric: Rubric, raw: unknown): Read {
  if (rubric.kind === 'scale') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
    if (typeof raw === 'string' && raw.trim() === '') return null;
    if (!Number.isFinite(n)) return null;
    const score = levelScore(rubric, n);
    return score === undefined ? 'out_of_range' : { value: n, score };
  }
  if (typeof raw !== 'string') return null;
  const label = raw.trim().toLowerCase();
  const score = levelScore(rubric, label);
  return score === undefined ? 'out_of_range' : { value: label, score };
}

function reasoningOf(obj: Record<string, unknown>): string | null {
  for (const key of REASONING_KEYS) if (typeof obj[key] === 'string') return obj[key];
  return null;
}

function readObject(rubric: Rubric, obj: unknown): { read: Read; reasoning: string | null } {
  if (!isRecord(obj)) return { read: null, reasoning: null };
  const key = SCORE_KEYS.find((k) => obj[k] !== undefined);
  return {
    read: key === undefined ? null : readValue(rubric, obj[key]),
    reasoning: reasoningOf(obj),
  };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** JSON candidates in a free-text reply: fenced blocks, the whole text, first { to last }. */
function jsonCandidates(text: string): unknown[] {
  const candidates: unknown[] = [];
  for (const match of text.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g)) {
    candidates.push(tryJson(match[1] ?? ''));
  }
  candidates.push(tryJson(text.trim()));
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start >= 0 && end > start) {
    const slice = text.slice(start, end + 1);
    candidates.push(tryJson(slice), tryJson(slice.replace(/,\s*([}\]])/g, '$1')));
  }
  return candidates.filter((c) => c !== undefined);
}

const SCORE_LINE =
  /(?:score|rating|result|verdict|label)\s*\**\s*[:=]\s*\**\s*["'“]?([a-z_]+|\d+(?:\.\d+)?)/i;
const BRACKETED = [
  /\[RESULT\]\s*(\d+)/i,
  /\[\[(\d+(?:\.\d+)?)\]\]/,
  /\b(\d+)\s*(?:\/|out of)\s*\d+\b/i,
];

/** Score lines, searched from the last line up: "Score: 4", "[RESULT] 4", "[[4]]", "4/5". */
function readScoreLines(rubric: Rubric, text: string): Read {
  const lines = text.split('\n').reverse();
  const patterns = rubric.kind === 'scale' ? [SCORE_LINE, ...BRACKETED] : [SCORE_LINE];
  let outOfRange: Read = null;
  for (const line of lines) {
    for (const pattern of patterns) {
      const match = pattern.exec(line);
      if (match?.[1] === undefined) continue;
      const read = readValue(rubric, match[1]);
      if (read === 'out_of_range' && pattern === SCORE_LINE) outOfRange = read;
      else if (read !== null && read !== 'out_of_range') return read;
    }
  }
  return outOfRange;
}

/** Label rubrics: the last line is a label, or exactly one distinct label occurs in the text. */
function readLabelWord(rubric: Rubric, text: string): Read {
  if (rubric.kind !== 'label') return null;
  const lastLine = text.trim().split('\n').at(-1) ?? '';
  const bare = lastLine.replace(/[^a-z_]/gi, '').toLowerCase();
  const onLine = readValue(rubric, bare);
  if (onLine !== null && onLine !== 'out_of_range') return onLine;
  const lower = text.toLowerCase();
  const present = rubric.levels.filter((l) =>
    new RegExp(`(?<![a-z_])${String(l.value)}(?![a-z_])`).test(lower),
  );
  return present.length === 1 && present[0] !== undefined
    ? readValue(rubric, present[0].value)
    : null;
}

function scored(read: Read, reasoning: string | null, via: ParseVia): Judgment | null {
  if (read === null) return null;
  if (read === 'out_of_range')
    return { outcome: 'unparsable', reason: 'score_out_of_range', reasoning };
  return { outcome: 'scored', value: read.value, score: read.score, reasoning, via };
}

/**
 * Parses a judge reply for `rubric`. Order: provider refusal; truncation (unparsable
 * "truncated": a cut answer is not trusted even when a score is visible); the forced tool's
 * input; JSON in the text (fenced, whole, first { to last }, trailing commas removed); score
 * lines; for label rubrics a lone label word; a reply that reads as a refusal; else unparsable.
 */
export function parseJudgment(rubric: Rubric, reply: ChatReply): Judgment {
  if (reply.refusal !== null)
    return { outcome: 'refused', reason: 'provider_refusal', reasoning: reply.refusal };
  if (reply.stop === 'refusal') {
    return {
      outcome: 'refused',
      reason: `stop_reason:${reply.stopReason ?? ''}`,
      reasoning: reply.text,
    };
  }
  if (reply.stop === 'length')
    return { outcome: 'unparsable', reason: 'truncated', reasoning: null };

  if (reply.structured !== undefined) {
    const { read, reasoning } = readObject(rubric, reply.structured);
    return (
      scored(read, reasoning, 'structured') ?? {
        outcome: 'unparsable',
        reason: 'invalid_structured',
        reasoning,
      }
    );
  }
  const text = reply.text ?? '';
  if (text.trim() === '') return { outcome: 'unparsable', reason: 'empty', reasoning: null };

  for (const candidate of jsonCandidates(text)) {
    const { read, reasoning } = readObject(rubric, candidate);
    const judgment = scored(read, reasoning, 'json');
    if (judgment !== null) return judgment;
  }
  const fromLine = scored(readScoreLines(rubric, text), text, 'score_line');
  if (fromLine !== null) return fromLine;
  const fromWord = scored(readLabelWord(rubric, text), text, 'label_word');
  if (fromWord !== null) return fromWord;
  if (findRefusal(text) !== null)
    return { outcome: 'refused', reason: 'text_refusal', reasoning: text };
  return { outcome: 'unparsable', reason: 'no_score', reasoning: null };
}
