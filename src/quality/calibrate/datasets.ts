/**
 * Reads human-labelled quality sets (the slices under test/fixtures/quality, with their sources in
 * SOURCES.md there) into one of three shapes: binary labels, graded labels, or
 * preference pairs. The format is recognised from the CSV header or the first JSONL row.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LlmwatchError } from '../../core/errors.js';
import { parseCsv } from '../measure/csv.js';

/** A binary item; `positive` means the bad class (toxic, unsafe, a refusal). */
export interface BinaryItem {
  index: number;
  request: string | null;
  response: string;
  positive: boolean;
}
/** A graded item; higher `value` is better (more polite, higher human rating). */
export interface GradedItem {
  index: number;
  request: string | null;
  response: string;
  value: number;
}
/** A preference pair: `chosen` is the reply people preferred. `group`: subset or category. */
export interface PairItem {
  index: number;
  request: string | null;
  chosen: string;
  rejected: string;
  group: string | null;
}

/** A loaded dataset. `index` is the 0-based data row in the file (used for odd/even splits). */
export type Dataset =
  | { name: string; format: string; kind: 'binary'; items: BinaryItem[]; skipped: number }
  | { name: string; format: string; kind: 'graded'; items: GradedItem[]; skipped: number }
  | { name: string; format: string; kind: 'pairs'; items: PairItem[]; skipped: number };

const MODERATION_FLAGS = ['S', 'H', 'V', 'HR', 'SH', 'S3', 'H2', 'V2'];
const USR_SCORES = [
  'understandability',
  'naturalness',
  'coherence',
  'engagingness',
  'groundedness',
  'overall',
];

function fail(path: string, why: string): never {
  throw new LlmwatchError(
    'calibrate_dataset',
    `calibrate: ${path}: ${why}; use one of the labelled sets described in docs (toxicity CSV, ` +
      'politeness CSV, moderation / HH-RLHF / HHH / LLMBar / USR JSONL, refusal-labelled JSONL)',
  );
}

/** Splits an HH-RLHF transcript into the last human turn and the final assistant reply. */
function splitTranscript(text: string): { request: string | null; reply: string } {
  const at = text.lastIndexOf('\n\nAssistant:');
  if (at < 0) return { request: null, reply: text };
  const before = text.slice(0, at);
  const human = before.lastIndexOf('\n\nHuman:');
  return {
    request: human < 0 ? null : before.slice(human + '\n\nHuman:'.length).trim(),
    reply: text.slice(at + '\n\nAssistant:'.length).trim(),
  };
}

function loadCsv(path: string, text: string): Dataset {
  const [header = [], ...rows] = parseCsv(text);
  const name = basename(path);
  if (header[0] === 'text' && header[1] === 'is_toxic') {
    const items = rows.map(([t = '', label = ''], index) => ({
      index,
      request: null,
      response: t,
      positive: label === 'Toxic',
    }));
    return { name, format: 'surge-toxicity', kind: 'binary', items, skipped: 0 };
  }
  const request = header.indexOf('Request');
  const score = header.indexOf('Normalized Score');
  if (request >= 0 && score >= 0) {
    const items = rows.map((row, index) => ({
      index,
      request: null,
      response: row[request] ?? '',
      value: Number(row[score]),
    }));
    const valid = items.filter((i) => Number.isFinite(i.value));
    return {
      name,
      format: 'stanford-politeness',
      kind: 'graded',
      items: valid,
      skipped: items.length - valid.length,
    };
  }
  return fail(path, `unknown CSV header ${JSON.stringify(header.slice(0, 4))}`);
}

type Row = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

function loadJsonl(path: string, rows: Row[], usrScore: string): Dataset {
  const name = basename(path);
  const first = rows[0] ?? {};
  if ('output_1' in first && 'label' in first) {
    const items = rows.map((r, index) => {
      const one = r.label === 1;
      return {
        index,
        request: str(r.input),
        chosen: str(one ? r.output_1 : r.output_2),
        rejected: str(one ? r.output_2 : r.output_1),
        group: str(r.subset) || null,
      };
    });
    return { name, format: 'llmbar', kind: 'pairs', items, skipped: 0 };
  }
  if ('chosen' in first && 'rejected' in first) {
    const items = rows.map((r, index) => {
      const chosen = splitTranscript(str(r.chosen));
      const rejected = splitTranscript(str(r.rejected));
      const request = typeof r.prompt === 'string' ? r.prompt : chosen.request;
      const group = typeof r.category === 'string' ? r.category : null;
      return { index, request, chosen: chosen.reply, rejected: rejected.reply, group };
    });
    return {
      name,
      format: 'prompt' in first ? 'hhh-alignment' : 'hh-rlhf',
      kind: 'pairs',
      items,
      skipped: 0,
    };
  }
  if ('human_scores' in first && 'response' in first) {
    if (!USR_SCORES.includes(usrScore))
      fail(path, `unknown human score "${usrScore}", use one of ${USR_SCORES.join(', ')}`);
    const items = rows.map((r, index) => ({
      index,
      request: str(r.dialogue_history),
      response: str(r.response),
      value: Number((r.human_scores as Row | undefined)?.[usrScore]),
    }));
    const valid = items.filter((i) => Number.isFinite(i.value));
    return {
      name,
      format: 'usr-topicalchat',
      kind: 'graded',
      items: valid,
      skipped: items.length - valid.length,
    };
  }
  if ('prompt' in first && MODERATION_FLAGS.some((f) => f in first || rows.some((r) => f in r))) {
    // Positive when any flag is 1; negative when every flag present is 0. A missing flag is
    // unknown. Limitation: a row whose known flags are all 0 counts as safe although an
    // unlabelled category might apply.
    let skipped = 0;
    const items: BinaryItem[] = [];
    rows.forEach((r, index) => {
      const flags = MODERATION_FLAGS.filter((f) => f in r).map((f) => r[f]);
      if (flags.length === 0) skipped += 1;
      else
        items.push({ index, request: null, response: str(r.prompt), positive: flags.includes(1) });
    });
    return { name, format: 'openai-moderation', kind: 'binary', items, skipped };
  }
  if ('text' in first && typeof first.refusal === 'boolean') {
    const items = rows.map((r, index) => ({
      index,
      request: null,
      response: str(r.text),
      positive: r.refusal === true,
    }));
    return { name, format: 'refusal-labelled', kind: 'binary', items, skipped: 0 };
  }
  return fail(path, `unknown JSONL fields ${JSON.stringify(Object.keys(first).slice(0, 6))}`);
}

/**
 * Loads `path` (.csv or .jsonl). `usrScore` picks the USR human score (default "overall").
 * Throws LlmwatchError `calibrate_dataset` for an unreadable file, bad JSON (naming the line)
 * or an unknown format.
 */
export function loadDataset(path: string, opts: { usrScore?: string } = {}): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return fail(path, `cannot read the file (${(err as Error).message})`);
  }
  if (path.endsWith('.csv')) return loadCsv(path, text);
  const rows = text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as Row];
    } catch {
      return fail(path, `line ${i + 1} is not valid JSON`);
    }
  });
  return loadJsonl(path, rows, opts.usrScore ?? 'overall');
}
